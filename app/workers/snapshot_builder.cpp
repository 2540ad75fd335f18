#include "snapshot_builder.h"

#include <algorithm>
#include <cmath>

#include "model/model_summary.h"
#include "projection_diagram_view.h"

namespace qkvapp {

namespace {
QString runLabel(const ExperimentEntry& e, const RunEntry& r) {
    return e.name + " / " + QString::fromStdString(qkv::variantPaperName(r.config.model.variant));
}

QString shapeText(const std::vector<int64_t>& shape) {
    QStringList parts;
    for (int64_t s : shape) parts << QString::number(s);
    return "(" + parts.join(", ") + ")";
}
}  // namespace

QVector<qkvviews::CurveSeries> curveSeries(const Workspace& w) {
    QVector<qkvviews::CurveSeries> out;
    // Legends name the variant; the experiment only when several experiments are on show.
    int shownExperiments = 0;
    for (const auto& e : w.experiments())
        shownExperiments += std::any_of(e.runs.begin(), e.runs.end(),
                                        [](const RunEntry& r) { return r.visible && !r.result.curve.empty(); });
    for (const auto& e : w.experiments())
        for (const auto& r : e.runs) {
            if (!r.visible || r.result.curve.empty()) continue;
            qkvviews::CurveSeries s;
            s.runId = r.id;
            s.label = shownExperiments > 1
                          ? runLabel(e, r)
                          : QString::fromStdString(qkv::variantPaperName(r.config.model.variant));
            s.color = r.color;
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
    return out;
}

QVector<qkvviews::ComparisonRow> comparisonRows(const Workspace& w) {
    QVector<qkvviews::ComparisonRow> rows;
    for (const auto& e : w.experiments()) {
        const RunEntry* base = nullptr;
        for (const auto& r : e.runs)
            if (r.config.model.variant == qkv::Variant::Qkv && !r.result.curve.empty()) base = &r;
        for (const auto& r : e.runs) {
            const qkv::ModelSummary s = qkv::summarize(r.config.model);
            qkvviews::ComparisonRow row;
            row.runId = r.id;
            row.experiment = e.name;
            row.variant = QString::fromStdString(qkv::variantPaperName(r.config.model.variant));
            row.color = r.color;
            row.parameters = double(s.parameters);
            row.attentionParameters = double(s.attentionParameters);
            row.kvBytesPerToken = r.config.model.causal() ? double(s.kvCacheBytesPerToken) : qkvviews::kMissing;
            row.cacheReduction = qkv::kvCacheReductionVsQkv(r.config.model);
            row.steps = r.result.stepsDone;
            row.status = stateText(r, false);
            if (!r.result.curve.empty()) {
                const qkv::EvalMetrics& m = r.result.final;
                row.loss = m.loss;
                row.accuracy = m.accuracy;
                row.perplexity = m.perplexity;
                row.seconds = r.result.seconds;
                if (base && base != &r) {
                    const qkv::EvalMetrics& b = base->result.final;
                    row.lossDelta = m.loss / b.loss - 1.0;
                    row.accuracyDelta = m.accuracy - b.accuracy;
                    row.perplexityDelta = m.perplexity / b.perplexity - 1.0;
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
            item.runs << qkvviews::WorkspaceRunItem{r.id, r.displayName(), r.color, r.visible,
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
            if (r.visible && r.id.startsWith('/') && r.state != RunState::Failed)
                runs.push_back({r.id, r.displayName(), r.color});
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
