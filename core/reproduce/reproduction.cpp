#include "reproduce/reproduction.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include "common/errors.h"
#include "data/dataset.h"
#include "io/run_config_json.h"
#include "io/run_folder.h"
#include "model/model_summary.h"
#include "train/trainer.h"

namespace qkv {

namespace {

std::string numberText(double v, int decimals) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%+.*f", decimals, v);
    return buf;
}

// The run's data: one per task (its seed is the scale's, the same for every set-up and seed).
class Datasets {
public:
    explicit Datasets(const RunConfig& base) : m_base(base) {}
    Dataset& of(const std::string& task) {
        auto& d = m_sets[task];
        if (!d) {
            TaskConfig t = m_base.task;
            t.kind = *parseTask(task);
            d = makeDataset(t);
            m_tasks[task] = t;  // with what the data filled in (a text corpus's alphabet)
        }
        return *d;
    }
    const TaskConfig& task(const std::string& task) {
        of(task);
        return m_tasks[task];
    }

private:
    RunConfig m_base;
    std::map<std::string, std::unique_ptr<Dataset>> m_sets;
    std::map<std::string, TaskConfig> m_tasks;
};

Architecture architectureOf(TaskKind k) {
    return k == TaskKind::Text     ? Architecture::Decoder
           : k == TaskKind::Images ? Architecture::Vit
                                   : Architecture::Encoder;
}

std::vector<PlannedRun> plan(const PublishedTable& table, const std::string& scale,
                             const std::vector<uint64_t>& seeds, const std::string& outDir,
                             Datasets& data) {
    auto it = table.scales.find(scale);
    if (it == table.scales.end())
        throw ConfigError("table " + table.id + " has no scale '" + scale + "' (quick or full)");
    std::vector<PlannedRun> runs;
    for (uint64_t seed : seeds)
        for (const std::string& task : table.tasks)
            for (const TableConfig& c : table.configs) {
                PlannedRun p{task, c.id, seed, it->second, {}};
                RunConfig& r = p.run;
                r.name = task + "/" + c.id + "-seed" + std::to_string(seed);
                r.task = data.task(task);
                r.model.arch = architectureOf(r.task.kind);
                r.model.variant = c.variant;
                r.model.kvHeads = c.kvHeadsFor(r.model.heads);
                r.model.posBias = c.posBias.has_value();
                if (c.posBias) r.model.posBiasMode = *c.posBias;
                r.train.seed = seed;
                data.of(task).configureModel(r.model);
                validate(r.model);
                p.dir = QDir(QString::fromStdString(outDir))
                            .filePath(QString::fromStdString(r.name))
                            .toStdString();
                runs.push_back(std::move(p));
            }
    return runs;
}

std::string compact(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

// A finished run of exactly these settings, or nothing.
std::optional<TrainResult> finishedRun(const PlannedRun& p) {
    if (!isRunFolder(p.dir)) return std::nullopt;
    try {
        const RunFolder f = readRunFolder(p.dir);
        if (f.result.status != TrainStatus::Completed || f.result.curve.empty())
            return std::nullopt;
        if (compact(toJson(f.config.model)) != compact(toJson(p.run.model)) ||
            compact(toJson(f.config.train)) != compact(toJson(p.run.train)) ||
            f.config.task.kind != p.run.task.kind || f.config.task.seed != p.run.task.seed ||
            f.config.task.seqLen != p.run.task.seqLen)
            return std::nullopt;
        return f.result;
    } catch (const Error&) {
        return std::nullopt;  // a damaged folder is trained again
    }
}

double metricOf(const PublishedTable& t, const TrainResult& r) {
    return t.metric == "perplexity" ? r.final.perplexity : r.final.accuracy;
}

const CellResult* cellOf(const Reproduction& r, const std::string& task,
                         const std::string& config) {
    for (const CellResult& c : r.cells)
        if (c.task == task && c.config == config) return &c;
    return nullptr;
}

ClaimVerdict judge(const Reproduction& r, const Claim& claim) {
    const PublishedTable& t = r.table;
    ClaimVerdict v{claim, "not measured", ""};
    std::vector<const CellResult*> row;
    for (const TableConfig& c : t.configs) {
        const CellResult* cell = cellOf(r, claim.task, c.id);
        if (!cell || cell->measured.n == 0) {
            v.detail = "no finished run of " + c.label + " on " + claim.task;
            if (claim.kind != "beats" || c.id == claim.a || c.id == claim.b) return v;
            continue;
        }
        row.push_back(cell);
    }
    auto label = [&](const std::string& id) { return t.config(id).label; };
    if (claim.kind == "best" || claim.kind == "worst") {
        const CellResult* pick = row.front();
        for (const CellResult* c : row) {
            const bool better = t.better(c->measured.mean, pick->measured.mean);
            if (claim.kind == "best" ? better : t.better(pick->measured.mean, c->measured.mean))
                pick = c;
        }
        v.verdict = pick->config == claim.a ? "reproduced" : "not reproduced";
        v.detail = std::string(claim.kind == "best" ? "best: " : "worst: ") + label(pick->config) +
                   " (" + meanStdText(pick->measured, 4) + ")";
    } else if (claim.kind == "beats") {
        const CellResult *a = cellOf(r, claim.task, claim.a), *b = cellOf(r, claim.task, claim.b);
        const double delta = a->measured.mean - b->measured.mean;
        const double spread =
            std::sqrt(a->measured.std * a->measured.std + b->measured.std * b->measured.std);
        v.verdict = t.better(a->measured.mean, b->measured.mean) ? "reproduced" : "not reproduced";
        v.detail = "Δ = " + label(claim.a) + " − " + label(claim.b) + " = " + numberText(delta, 4) +
                   (a->measured.n > 1 && b->measured.n > 1
                        ? (std::abs(delta) > spread ? ", beyond" : ", within") +
                              std::string(" the seeds' spread ±") + numberText(spread, 4).substr(1)
                        : std::string(", one seed: no spread"));
    } else {  // solved
        const CellResult* lowest = row.front();
        for (const CellResult* c : row)
            if (c->measured.mean < lowest->measured.mean) lowest = c;
        v.verdict = lowest->measured.mean >= claim.threshold ? "reproduced" : "not reproduced";
        v.detail = "lowest: " + label(lowest->config) + " " + meanStdText(lowest->measured, 4) +
                   " (threshold " + numberText(claim.threshold, 3).substr(1) + ")";
    }
    return v;
}

// Cells, verdicts and cache checks from the runs' results (NaN: not finished).
void assess(Reproduction& r, const std::vector<PlannedRun>& runs,
            const std::vector<double>& values) {
    const PublishedTable& t = r.table;
    for (const std::string& task : t.tasks)
        for (const TableConfig& c : t.configs) {
            CellResult cell{task, c.id, t.published.at(task).at(c.id), {}, {}};
            for (uint64_t seed : r.seeds) {
                double v = std::nan("");
                for (size_t i = 0; i < runs.size(); ++i)
                    if (runs[i].task == task && runs[i].config == c.id && runs[i].seed == seed)
                        v = values[i];
                cell.values.push_back(v);
            }
            cell.measured = summarizeSeeds(cell.values);
            r.cells.push_back(cell);
        }
    for (const Claim& claim : t.claims) r.verdicts.push_back(judge(r, claim));
    for (const auto& [id, published] : t.cacheReductions) {
        ModelConfig m;
        m.arch = Architecture::Decoder;
        m.heads = t.cacheHeads;
        m.dModel = 64 * t.cacheHeads;
        m.variant = t.config(id).variant;
        m.kvHeads = t.config(id).kvHeadsFor(m.heads);
        r.cache.push_back({id, published, kvCacheReductionVsQkv(m)});
    }
}

Reproduction run(const PublishedTable& table, const std::string& scale,
                 const std::vector<uint64_t>& seeds, const std::string& outDir, bool train,
                 const ReproduceProgress& progress, const std::atomic<bool>* cancel) {
    if (seeds.empty()) throw ConfigError("a reproduction needs at least one seed");
    Reproduction r;
    r.table = table;
    r.scale = scale;
    r.seeds = seeds;
    Datasets data(table.scales.count(scale) ? table.scales.at(scale) : RunConfig{});
    const std::vector<PlannedRun> runs = plan(table, scale, seeds, outDir, data);
    r.runsTotal = int(runs.size());
    std::vector<double> values(runs.size(), std::nan(""));
    for (size_t i = 0; i < runs.size(); ++i) {
        const PlannedRun& p = runs[i];
        if (auto done = finishedRun(p)) {
            values[i] = metricOf(table, *done);
            ++r.runsFinished, ++r.runsReused;
            continue;
        }
        if (!train || r.cancelled) continue;
        if (progress) progress(r.runsFinished, r.runsTotal, p.run.name, nullptr);
        const TrainResult result = trainRun(
            p.run, data.of(p.task), p.dir,
            [&](const TrainProgress& step) {
                if (progress) progress(r.runsFinished, r.runsTotal, p.run.name, &step);
            },
            cancel);
        if (result.status == TrainStatus::Cancelled) {
            r.cancelled = true;
            continue;
        }
        if (result.status == TrainStatus::Diverged)
            r.problems.push_back(p.run.name + ": " + result.message);
        else
            values[i] = metricOf(table, result);
        ++r.runsFinished, ++r.runsTrained;
    }
    if (progress) progress(r.runsFinished, r.runsTotal, "", nullptr);
    assess(r, runs, values);
    return r;
}

}  // namespace

std::string ClaimVerdict::line() const {
    return claim.text + ": " + verdict + (detail.empty() ? "" : " (" + detail + ")");
}

std::vector<PlannedRun> planReproduction(const PublishedTable& table, const std::string& scale,
                                         const std::vector<uint64_t>& seeds,
                                         const std::string& outDir) {
    Datasets data(table.scales.count(scale) ? table.scales.at(scale) : RunConfig{});
    return plan(table, scale, seeds, outDir, data);
}

Reproduction reproduce(const PublishedTable& table, const std::string& scale,
                       const std::vector<uint64_t>& seeds, const std::string& outDir,
                       const ReproduceProgress& progress, const std::atomic<bool>* cancel) {
    return run(table, scale, seeds, outDir, true, progress, cancel);
}

Reproduction assessReproduction(const PublishedTable& table, const std::string& scale,
                                const std::vector<uint64_t>& seeds, const std::string& outDir) {
    return run(table, scale, seeds, outDir, false, {}, nullptr);
}

}  // namespace qkv
