#include "reproduce/reproduce_report.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "io/atomic_file.h"
#include "io/json_fields.h"

namespace qkv {

namespace {

std::string fixed(double v, int decimals) {
    if (!std::isfinite(v)) return "n/a";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

int decimalsOf(const Reproduction& r) {
    return r.table.metric == "perplexity" ? 3 : 4;
}

std::string seedList(const Reproduction& r) {
    std::string s;
    for (uint64_t seed : r.seeds) s += (s.empty() ? "" : ", ") + std::to_string(seed);
    return s;
}

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

}  // namespace

std::string reproductionMarkdown(const Reproduction& r) {
    const PublishedTable& t = r.table;
    const int d = decimalsOf(r);
    std::ostringstream md;
    md << "# " << t.title << "\n\n";
    md << "Source: " << t.paper << " — " << t.location << ".\n\n";
    md << "Published setup: " << t.setup << "\n\n";
    md << "Measured here: scale `" << r.scale << "`, seeds " << seedList(r) << " ("
       << r.runsFinished << " of " << r.runsTotal << " runs finished"
       << (r.cancelled ? ", cancelled" : "") << "). " << t.differences << "\n\n";
    // The relative gaps to the task's first set-up are what carries over between scales.
    const std::string first = t.configs.front().label;
    md << "| task | set-up | published " << t.metric << " | measured (mean ± std, n) | vs " << first
       << ", published | vs " << first << ", measured |\n";
    md << "|---|---|---|---|---|---|\n";
    for (const CellResult& c : r.cells) {
        const CellResult* base = nullptr;
        for (const CellResult& b : r.cells)
            if (b.task == c.task && b.config == t.configs.front().id) base = &b;
        auto relative = [](double x, double ref) {
            return std::isfinite(x) && std::isfinite(ref) && ref != 0
                       ? (x >= ref ? "+" : "") + fixed(100 * (x / ref - 1), 1) + " %"
                       : std::string("n/a");
        };
        md << "| " << c.task << " | " << t.config(c.config).label << " | " << fixed(c.published, d)
           << " | " << meanStdText(c.measured, d) << " | " << relative(c.published, base->published)
           << " | "
           << (c.measured.n && base->measured.n ? relative(c.measured.mean, base->measured.mean)
                                                : std::string("n/a"))
           << " |\n";
    }
    if (!r.cache.empty()) {
        md << "\nKV-cache reduction vs QKV at H = " << t.cacheHeads
           << " (the formula, no training):\n\n";
        md << "| set-up | published | computed |\n|---|---|---|\n";
        for (const CacheCheck& c : r.cache)
            md << "| " << t.config(c.config).label << " | " << fixed(100 * c.published, 3)
               << " % | " << fixed(100 * c.computed, 3) << " % |\n";
    }
    md << "\nClaims (" << (t.higherIsBetter ? "higher" : "lower") << " " << t.metric
       << " is better):\n\n";
    for (const ClaimVerdict& v : r.verdicts) md << "- " << v.line() << "\n";
    if (!r.problems.empty()) {
        md << "\nRuns that failed:\n\n";
        for (const std::string& p : r.problems) md << "- " << p << "\n";
    }
    return md.str();
}

std::string reproductionCsv(const Reproduction& r) {
    std::ostringstream csv;
    csv << "task,config,label,published,seed,value\n";
    auto row = [&](const CellResult& c, const std::string& seed, double v) {
        csv << c.task << ',' << c.config << ",\"" << r.table.config(c.config).label << "\","
            << fixed(c.published, 6) << ',' << seed << ',' << (std::isfinite(v) ? fixed(v, 8) : "")
            << '\n';
    };
    for (const CellResult& c : r.cells) {
        for (size_t i = 0; i < r.seeds.size(); ++i) row(c, std::to_string(r.seeds[i]), c.values[i]);
        row(c, "mean", c.measured.n ? c.measured.mean : std::nan(""));
        row(c, "std", c.measured.n ? c.measured.std : std::nan(""));
        row(c, "n", double(c.measured.n));
    }
    return csv.str();
}

std::string reproductionJson(const Reproduction& r) {
    const PublishedTable& t = r.table;
    QJsonArray cells, verdicts, cache, seeds, problems;
    for (uint64_t s : r.seeds) seeds.append(seedToJson(s));
    for (const CellResult& c : r.cells) {
        QJsonArray values;
        for (double v : c.values) values.append(numberOrNull(v));
        cells.append(
            QJsonObject{{"task", q(c.task)},
                        {"config", q(c.config)},
                        {"label", q(t.config(c.config).label)},
                        {"published", c.published},
                        {"values", values},
                        {"n", c.measured.n},
                        {"mean", c.measured.n ? QJsonValue(c.measured.mean) : QJsonValue()},
                        {"std", c.measured.n ? QJsonValue(c.measured.std) : QJsonValue()},
                        {"min", c.measured.n ? QJsonValue(c.measured.min) : QJsonValue()},
                        {"max", c.measured.n ? QJsonValue(c.measured.max) : QJsonValue()}});
    }
    for (const ClaimVerdict& v : r.verdicts)
        verdicts.append(QJsonObject{{"id", q(v.claim.id)},
                                    {"claim", q(v.claim.text)},
                                    {"verdict", q(v.verdict)},
                                    {"detail", q(v.detail)}});
    for (const CacheCheck& c : r.cache)
        cache.append(QJsonObject{
            {"config", q(c.config)}, {"published", c.published}, {"computed", c.computed}});
    for (const std::string& p : r.problems) problems.append(q(p));
    const QJsonObject o{{"format", "qkvlab-reproduction/1"},
                        {"table", q(t.id)},
                        {"title", q(t.title)},
                        {"source", QJsonObject{{"paper", q(t.paper)}, {"location", q(t.location)}}},
                        {"setup", q(t.setup)},
                        {"differences", q(t.differences)},
                        {"metric", q(t.metric)},
                        {"higher_is_better", t.higherIsBetter},
                        {"scale", q(r.scale)},
                        {"seeds", seeds},
                        {"runs", QJsonObject{{"total", r.runsTotal},
                                             {"finished", r.runsFinished},
                                             {"reused", r.runsReused},
                                             {"trained", r.runsTrained}}},
                        {"cancelled", r.cancelled},
                        {"cells", cells},
                        {"cache_reductions", cache},
                        {"verdicts", verdicts},
                        {"problems", problems}};
    return QJsonDocument(o).toJson().toStdString();
}

std::vector<std::string> writeReproduction(const Reproduction& r, const std::string& dir) {
    QDir().mkpath(QString::fromStdString(dir));
    const QDir d(QString::fromStdString(dir));
    const std::string base = r.table.id;
    std::vector<std::string> paths = {d.filePath(q(base + ".md")).toStdString(),
                                      d.filePath(q(base + ".csv")).toStdString(),
                                      d.filePath(q(base + ".json")).toStdString()};
    writeFileAtomic(paths[0], reproductionMarkdown(r));
    writeFileAtomic(paths[1], reproductionCsv(r));
    writeFileAtomic(paths[2], reproductionJson(r));
    return paths;
}

}  // namespace qkv
