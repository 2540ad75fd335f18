#include "reproduce/published_table.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "common/errors.h"
#include "io/json_fields.h"
#include "io/run_config_json.h"

namespace qkv {

int TableConfig::kvHeadsFor(int heads) const {
    int g = 0;
    if (kvHeads == "H") {
        g = heads;
    } else if (kvHeads.rfind("H/", 0) == 0) {
        const int divisor = std::stoi(kvHeads.substr(2));
        if (divisor <= 0 || heads % divisor != 0)
            throw ConfigError("set-up '" + id + "' needs H divisible by " + kvHeads.substr(2));
        g = heads / divisor;
    } else {
        g = std::stoi(kvHeads);
    }
    if (g <= 0 || heads % g != 0)
        throw ConfigError("set-up '" + id + "': " + std::to_string(g) + " KV heads do not divide " +
                          std::to_string(heads) + " heads");
    return g;
}

const TableConfig& PublishedTable::config(const std::string& configId) const {
    for (const TableConfig& c : configs)
        if (c.id == configId) return c;
    throw ConfigError("table " + id + " has no set-up '" + configId + "'");
}

namespace {

std::string text(const QJsonObject& o, const char* key) {
    return o.value(key).toString().toStdString();
}

TableConfig configFrom(const QJsonObject& o, const std::string& where) {
    TableConfig c;
    c.id = text(o, "id");
    c.label = text(o, "label");
    const auto variant = parseVariant(text(o, "variant"));
    if (c.id.empty() || !variant)
        throw ConfigError(where + ": a set-up without an id or a variant");
    c.variant = *variant;
    if (o.contains("kv_heads")) c.kvHeads = text(o, "kv_heads");
    if (o.contains("pos_bias")) c.posBias = parsePosBiasMode(text(o, "pos_bias"));
    return c;
}

RunConfig scaleFrom(const QJsonObject& o, const std::string& where) {
    RunConfig r;
    JsonFields f(o, where);
    readJson(f.object("model"), r.model, where + ": model");
    readJson(f.object("task"), r.task, where + ": task");
    readJson(f.object("train"), r.train, where + ": train");
    f.rejectUnknown();
    return r;
}

}  // namespace

PublishedTable parsePublishedTable(const std::string& json, const std::string& source) {
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw ConfigError(source + ": not a JSON object (" + err.errorString().toStdString() + ")");
    const QJsonObject o = doc.object();
    PublishedTable t;
    t.id = text(o, "id");
    t.title = text(o, "title");
    t.paper = text(o.value("source").toObject(), "paper");
    t.location = text(o.value("source").toObject(), "location");
    t.setup = text(o, "setup");
    t.differences = text(o, "differences");
    t.metric = text(o, "metric");
    t.higherIsBetter = text(o, "better") != "lower";
    if (t.id.empty() || (t.metric != "accuracy" && t.metric != "perplexity"))
        throw ConfigError(source + ": needs an id and a metric (accuracy or perplexity)");
    for (const QJsonValue& v : o.value("tasks").toArray())
        t.tasks.push_back(v.toString().toStdString());
    for (const QJsonValue& v : o.value("configs").toArray())
        t.configs.push_back(configFrom(v.toObject(), source));
    const QJsonObject published = o.value("published").toObject();
    for (const std::string& task : t.tasks) {
        if (!parseTask(task)) throw ConfigError(source + ": unknown task '" + task + "'");
        const QJsonObject row = published.value(QString::fromStdString(task)).toObject();
        for (const TableConfig& c : t.configs) {
            const QJsonValue v = row.value(QString::fromStdString(c.id));
            if (!v.isDouble())
                throw ConfigError(source + ": no published value for " + task + " / " + c.id);
            t.published[task][c.id] = v.toDouble();
        }
    }
    const QJsonObject cache = o.value("cache_reductions").toObject();
    t.cacheHeads = cache.value("heads").toInt(0);
    const QJsonObject reductions = cache.value("published").toObject();
    for (auto it = reductions.begin(); it != reductions.end(); ++it) {
        t.config(it.key().toStdString());  // must name a set-up
        t.cacheReductions[it.key().toStdString()] = it.value().toDouble();
    }
    for (const QJsonValue& v : o.value("claims").toArray()) {
        const QJsonObject c = v.toObject();
        Claim claim{text(c, "id"),
                    text(c, "text"),
                    text(c, "kind"),
                    text(c, "task"),
                    text(c, "a"),
                    text(c, "b"),
                    c.value("threshold").toDouble(0)};
        if (claim.kind != "best" && claim.kind != "worst" && claim.kind != "beats" &&
            claim.kind != "solved")
            throw ConfigError(source + ": claim '" + claim.id + "' has an unknown kind '" +
                              claim.kind + "'");
        if (!claim.a.empty()) t.config(claim.a);
        if (!claim.b.empty()) t.config(claim.b);
        t.claims.push_back(claim);
    }
    const QJsonObject scales = o.value("scales").toObject();
    for (auto it = scales.begin(); it != scales.end(); ++it)
        t.scales[it.key().toStdString()] =
            scaleFrom(it.value().toObject(), source + ": scale " + it.key().toStdString());
    if (t.scales.empty()) throw ConfigError(source + ": no scales to measure the table at");
    return t;
}

PublishedTable loadPublishedTable(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) throw ConfigError("cannot read the table " + path);
    return parsePublishedTable(f.readAll().toStdString(), path);
}

}  // namespace qkv
