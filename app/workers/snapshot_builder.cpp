#include "snapshot_builder.h"

#include <algorithm>
#include <cmath>

#include "model/model_summary.h"
#include "train/seed_stats.h"
#include "projection_diagram_view.h"

namespace qkvapp {

namespace {
QString runLabel(const ExperimentEntry& e, const RunEntry& r) {
    return e.name + " / " + QString::fromStdString(qkv::variantPaperName(r.config.model.variant));
}

bool sameVariantRuns(const RunEntry& a, const RunEntry& b) {
    return !a.loaded() && !b.loaded() && a.config.model.variant == b.config.model.variant &&
           a.config.model.kvHeads == b.config.model.kvHeads;
}

QString shapeText(const std::vector<int64_t>& shape) {
    QStringList parts;
    for (int64_t s : shape) parts << QString::number(s);
    return "(" + parts.join(", ") + ")";
}
}  // namespace

QColor runColor(const Workspace& w, const ExperimentEntry& e, const RunEntry& r) {
    // The k-th experiment holding this variant: its colour family, another shade.
    // Plans not trained yet do not count: they draw nothing.
    int k = 0;
    for (const ExperimentEntry& x : w.experiments()) {
        if (&x == &e) break;
        k += std::any_of(x.runs.begin(), x.runs.end(), [&](const RunEntry& o) {
            return o.config.model.variant == r.config.model.variant && o.state != RunState::Planned &&
                   o.state != RunState::Queued;
        });
    }
    if (k == 0) return r.color;
    return k % 2 ? r.color.darker(100 + 45 * ((k + 1) / 2)) : r.color.lighter(100 + 35 * (k / 2));
}

namespace {
bool hasOtherSeeds(const ExperimentEntry& e, const RunEntry& r) {
    return std::count_if(e.runs.begin(), e.runs.end(), [&](const RunEntry& o) { return sameVariantRuns(o, r); }) > 1;
}

bool hasCurves(const ExperimentEntry& e) {
    return std::any_of(e.runs.begin(), e.runs.end(),
                       [](const RunEntry& r) { return r.visible && !r.result.curve.empty(); });
}

// "experiment / " when runs of several experiments are on show, else nothing.
QString experimentPrefix(const Workspace& w, const ExperimentEntry& e) {
    const auto shown = std::count_if(w.experiments().begin(), w.experiments().end(), [](const ExperimentEntry& x) {
        return std::any_of(x.runs.begin(), x.runs.end(), [](const RunEntry& o) { return o.visible; });
    });
    return shown > 1 ? e.name + " / " : QString();
}
}  // namespace

QString seedGroupName(const Workspace& w, const ExperimentEntry& e, const RunEntry& r) {
    return hasOtherSeeds(e, r) ? experimentPrefix(w, e) + r.displayName() : QString();
}

QString runNameInExperiment(const ExperimentEntry& e, const RunEntry& r) {
    QString name = r.displayName();
    if (hasOtherSeeds(e, r)) name += QObject::tr(" · seed %1").arg(r.config.train.seed);
    return name;
}

QString uniqueRunName(const Workspace& w, const ExperimentEntry& e, const RunEntry& r) {
    return experimentPrefix(w, e) + runNameInExperiment(e, r);
}

QVector<qkvviews::CurveSeries> curveSeries(const Workspace& w) {
    QVector<qkvviews::CurveSeries> out;
    // Legends name the variant; the experiment only when several experiments are on show.
    int shownExperiments = 0;
    for (const auto& e : w.experiments()) shownExperiments += hasCurves(e);
    int experimentIndex = -1;
    for (const auto& e : w.experiments()) {
        experimentIndex += hasCurves(e);
        for (const auto& r : e.runs) {
            if (!r.visible || r.result.curve.empty()) continue;
            qkvviews::CurveSeries s;
            s.runId = r.id;
            s.experimentIndex = shownExperiments > 1 ? experimentIndex : 0;
            // Runs of one variant in one experiment differ by their seed: they draw as a band.
            if (hasOtherSeeds(e, r))
                s.group = e.name + "/" + QString::fromStdString(qkv::variantId(r.config.model.variant));
            s.label = shownExperiments > 1
                          ? runLabel(e, r)
                          : QString::fromStdString(qkv::variantPaperName(r.config.model.variant));
            s.color = runColor(w, e, r);
            for (const qkv::CurvePoint& p : r.result.curve) {
                s.steps << p.step;
                s.valLoss << p.validation.loss;
                s.valAccuracy << p.validation.accuracy;
            }
            for (const qkv::TrainLogPoint& p : r.result.trainLog) {
                s.trainSteps << p.step;
                s.trainLoss << p.loss;
            }
            out << s;
        }
    }
    return out;
}

namespace {
// One variant of one experiment over its seeds (a single run when it has one seed).
struct VariantRuns {
    qkv::Variant variant;
    std::vector<const RunEntry*> runs;
    std::vector<const RunEntry*> finished() const {
        std::vector<const RunEntry*> out;
        for (const RunEntry* r : runs)
            if (!r->result.curve.empty()) out.push_back(r);
        return out;
    }
};

std::vector<VariantRuns> byVariant(const ExperimentEntry& e) {
    std::vector<VariantRuns> groups;
    for (const RunEntry& r : e.runs) {
        // Loaded models and runs of different settings are their own groups.
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const VariantRuns& g) { return sameVariantRuns(*g.runs.front(), r); });
        if (it == groups.end())
            groups.push_back({r.config.model.variant, {&r}});
        else
            it->runs.push_back(&r);
    }
    return groups;
}

qkv::SeedSummary over(const std::vector<const RunEntry*>& runs, double qkv::EvalMetrics::*field) {
    std::vector<double> values;
    for (const RunEntry* r : runs) values.push_back(r->result.final.*field);
    return qkv::summarizeSeeds(values);
}
}  // namespace

QVector<qkvviews::ComparisonRow> comparisonRows(const Workspace& w) {
    QVector<qkvviews::ComparisonRow> rows;
    for (const auto& e : w.experiments()) {
        const std::vector<VariantRuns> groups = byVariant(e);
        const VariantRuns* base = nullptr;
        for (const VariantRuns& g : groups)
            if (g.variant == qkv::Variant::Qkv && !g.finished().empty()) base = &g;
        for (const VariantRuns& g : groups) {
            const RunEntry& r = *g.runs.front();
            const qkv::ModelSummary s = qkv::summarize(r.config.model);
            qkvviews::ComparisonRow row;
            row.runId = r.id;
            row.experiment = e.name;
            row.variant = r.displayName();
            row.color = runColor(w, e, r);
            row.parameters = double(s.parameters);
            row.attentionParameters = double(s.attentionParameters);
            row.kvBytesPerToken = r.config.model.causal() ? double(s.kvCacheBytesPerToken) : qkvviews::kMissing;
            row.cacheReduction = qkv::kvCacheReductionVsQkv(r.config.model);
            row.steps = r.result.stepsDone;
            row.status = stateText(r, false);
            row.seeds = int(g.runs.size());
            const auto done = g.finished();
            if (!done.empty()) {
                const qkv::SeedSummary loss = over(done, &qkv::EvalMetrics::loss),
                                       acc = over(done, &qkv::EvalMetrics::accuracy),
                                       ppl = over(done, &qkv::EvalMetrics::perplexity);
                row.loss = loss.n ? loss.mean : qkvviews::kMissing;
                row.accuracy = acc.n ? acc.mean : qkvviews::kMissing;
                row.perplexity = ppl.n ? ppl.mean : qkvviews::kMissing;
                if (g.runs.size() > 1) {
                    row.lossStd = loss.std, row.accuracyStd = acc.std, row.perplexityStd = ppl.std;
                    QStringList values;
                    for (const RunEntry* run : done) values << QString::number(run->result.final.loss, 'f', 4);
                    row.seedLosses = values.join("; ");
                    row.status = QObject::tr("%1 of %2 seeds finished").arg(done.size()).arg(g.runs.size());
                }
                double seconds = 0;
                for (const RunEntry* run : done) seconds += run->result.seconds;
                row.seconds = seconds;
                if (base && base != &g) {
                    const auto b = base->finished();
                    const double bl = over(b, &qkv::EvalMetrics::loss).mean,
                                 ba = over(b, &qkv::EvalMetrics::accuracy).mean,
                                 bp = over(b, &qkv::EvalMetrics::perplexity).mean;
                    row.lossDelta = row.loss / bl - 1.0;
                    row.accuracyDelta = row.accuracy - ba;
                    row.perplexityDelta = row.perplexity / bp - 1.0;
                }
            }
            rows << row;
        }
    }
    return rows;
}

QVector<qkvviews::WorkspaceExperimentItem> workspaceItems(const Workspace& w) {
    QVector<qkvviews::WorkspaceExperimentItem> items;
    for (const auto& e : w.experiments()) {
        qkvviews::WorkspaceExperimentItem item;
        item.name = e.name;
        for (const auto& r : e.runs)
            item.runs << qkvviews::WorkspaceRunItem{r.id, runNameInExperiment(e, r), runColor(w, e, r), r.visible,
                                                    r.loaded() ? QObject::tr("loaded")
                                                               : stateText(r)};
        items << item;
    }
    return items;
}

QVector<AnalysisRequest::Run> analyzableRuns(const Workspace& w) {
    QVector<AnalysisRequest::Run> runs;
    for (const auto& e : w.experiments())
        for (const auto& r : e.runs)
            if (r.visible && r.id.startsWith('/') &&
                (r.state == RunState::Finished || r.state == RunState::Live || r.state == RunState::Stalled))
                runs.push_back({r.id, uniqueRunName(w, e, r), runColor(w, e, r), seedGroupName(w, e, r)});
    return runs;
}

qkvviews::RunSummary runSummary(const RunEntry& run) {
    const qkv::RunConfig& c = run.config;
    const qkv::ModelSummary s = qkv::summarize(c.model);
    qkvviews::RunSummary out;
    out.title = run.loaded() ? QString::fromStdString(c.name) + QObject::tr("  (loaded)")
                             : QString::fromStdString(qkv::variantPaperName(c.model.variant) +
                                                      "  (" + qkv::variantId(c.model.variant) + ")");
    auto add = [&out](const QString& k, const QString& v) { out.settings.append({k, v}); };
    if (run.loaded())
        add(QObject::tr("Source"), run.source);
    else
        add(QObject::tr("Task"), QString::fromStdString(qkv::taskId(c.task.kind)));
    add(QObject::tr("Model"), QString("%1 (%2), d %3, %4 layers, %5 heads of %6, %7 KV heads")
                                  .arg(QString::fromStdString(qkv::architectureId(c.model.arch)))
                                  .arg(QString::fromStdString(c.model.family))
                                  .arg(c.model.dModel)
                                  .arg(c.model.layers)
                                  .arg(c.model.heads)
                                  .arg(c.model.headDim())
                                  .arg(c.model.kvHeadCount()));
    if (c.model.family != "qkvlab")
        add(QObject::tr("Layout"),
            QString("%1 (eps %2), %3 positions%4, %5 MLP of %6%7")
                .arg(QString::fromStdString(qkv::normId(c.model.norm)))
                .arg(c.model.normEps)
                .arg(QString::fromStdString(qkv::positionsId(c.model.positions)))
                .arg(c.model.positions == qkv::PositionKind::Rotary
                         ? QString(" (%1 pairs, θ %2)")
                               .arg(QString::fromStdString(qkv::rotaryPairsId(c.model.ropePairs)))
                               .arg(c.model.ropeTheta)
                         : QString())
                .arg(QString::fromStdString(qkv::mlpId(c.model.mlp)))
                .arg(c.model.mlpWidth())
                .arg(c.model.tiedHead ? QObject::tr(", tied head") : QObject::tr(", separate head")));
    add(QObject::tr("Positional bias"), c.model.posBias ? QObject::tr("yes") : QObject::tr("no"));
    add(QObject::tr("Parameters"), QString("%L1 (attention %L2)").arg(s.parameters).arg(s.attentionParameters));
    const double reduction = qkv::kvCacheReductionVsQkv(c.model);
    add(c.model.causal() ? QObject::tr("KV cache") : QObject::tr("KV cache (if decoding)"),
        reduction > 0 ? QString("%1 B/token (−%2 % vs QKV)").arg(s.kvCacheBytesPerToken).arg(100 * reduction, 0, 'g', 6)
                      : QString("%1 B/token (as QKV)").arg(s.kvCacheBytesPerToken));
    if (!run.loaded()) {
        add(QObject::tr("Training"), QString("%1 steps, batch %2, lr %3, seed %4")
                                         .arg(c.train.steps)
                                         .arg(c.train.batch)
                                         .arg(c.train.lr)
                                         .arg(c.train.seed));
        add(QObject::tr("Status"), stateText(run, false));
    }
    if (run.id.startsWith('/')) add(run.loaded() ? QObject::tr("Path") : QObject::tr("Folder"), run.id);
    for (const qkv::ParameterShape& p : qkv::attentionParameterShapes(c.model, 0))
        if (p.shape.size() == 2) out.weightShapes.append({QString::fromStdString(p.name), shapeText(p.shape)});
    out.layout = qkvviews::ProjectionDiagramView::layoutFor(c.model);
    return out;
}

}  // namespace qkvapp
