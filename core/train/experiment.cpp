#include "train/experiment.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include "common/errors.h"
#include "io/json_fields.h"
#include "io/run_config_json.h"

namespace qkv {

Experiment experimentFromJson(const QJsonObject& o, const std::string& where) {
    JsonFields f(o, where);
    Experiment e;
    f.read("name", e.name);
    f.read("description", e.description);
    const QJsonValue variants = f.raw("variants");
    if (!variants.isUndefined()) {
        if (!variants.isArray()) f.fail("variants", "must be an array of variant ids");
        for (const QJsonValue& v : variants.toArray()) {
            auto parsed = parseVariant(v.toString().toStdString());
            if (!parsed) f.fail("variants", "names no variant: '" + v.toString().toStdString() + "'");
            e.variants.push_back(*parsed);
        }
    }
    if (e.variants.empty()) f.fail("variants", "must name at least one variant");
    const QJsonValue seeds = f.raw("seeds");
    if (!seeds.isUndefined()) {
        if (!seeds.isArray()) f.fail("seeds", "must be an array of seeds");
        for (const QJsonValue& v : seeds.toArray()) {
            const std::optional<uint64_t> seed = seedFromJson(v);
            if (!seed) f.fail("seeds", "must hold non-negative integers");
            e.seeds.push_back(*seed);
        }
    }
    readJson(f.object("model"), e.base.model, where + ": model");
    readJson(f.object("task"), e.base.task, where + ": task");
    readJson(f.object("train"), e.base.train, where + ": train");
    f.rejectUnknown();
    return e;
}

QJsonObject toJson(const Experiment& e) {
    QJsonArray variants;
    for (Variant v : e.variants) variants.append(QString::fromStdString(variantId(v)));
    QJsonObject model = toJson(e.base.model);
    model.remove("variant");
    QJsonArray seeds;
    for (uint64_t s : e.seeds) seeds.append(seedToJson(s));
    return {{"name", QString::fromStdString(e.name)},
            {"description", QString::fromStdString(e.description)},
            {"variants", variants},
            {"seeds", seeds},
            {"model", model},
            {"task", toJson(e.base.task)},
            {"train", toJson(e.base.train)}};
}

Experiment loadExperiment(const std::string& path) {
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        throw ConfigError("cannot read preset '" + path + "': " + file.errorString().toStdString());
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &err);
    if (err.error != QJsonParseError::NoError)
        throw ConfigError("preset '" + path + "' is not valid JSON: " +
                          err.errorString().toStdString() + " at byte " + std::to_string(err.offset));
    if (!doc.isObject()) throw ConfigError("preset '" + path + "' must be a JSON object");
    return experimentFromJson(doc.object(), "preset " + path);
}

std::string runName(Variant v, uint64_t seed, bool severalSeeds) {
    return severalSeeds ? variantId(v) + "-seed" + std::to_string(seed) : variantId(v);
}

std::vector<RunConfig> expandRuns(const Experiment& e, const Dataset& data) {
    const std::vector<uint64_t> seeds = e.seeds.empty() ? std::vector<uint64_t>{e.base.train.seed}
                                                        : e.seeds;
    std::vector<RunConfig> runs;
    for (uint64_t seed : seeds)
        for (Variant v : e.variants) {
            RunConfig r = e.base;
            r.name = runName(v, seed, seeds.size() > 1);
            r.model.variant = v;
            r.train.seed = seed;
            data.configureModel(r.model);
            validate(r.model);
            runs.push_back(r);
        }
    return runs;
}

std::string checkExperiment(const Experiment& e) {
    try {
        for (Variant v : e.variants) {
            ModelConfig m = e.base.model;
            m.variant = v;
            validate(m);
        }
    } catch (const Error& err) {
        return err.what();
    }
    return {};
}

}  // namespace qkv
