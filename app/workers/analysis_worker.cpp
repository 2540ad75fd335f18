#include "analysis_worker.h"

#include <QMap>

#include <QRegularExpression>

#include <cmath>

#include "common/errors.h"
#include "io/run_folder.h"
#include "pretrained/open_model.h"

namespace qkvapp {

namespace {
qkv::AnalysisInput inputFor(const qkv::RunConfig& run, const AnalysisRequest& r,
                            bool hasTokenizer) {
    if (r.text.isEmpty()) return qkv::AnalysisInput::sample(r.sample);
    static const QRegularExpression ids("^\\s*\\d+(\\s*,\\s*\\d+)*\\s*$");
    if ((run.task.kind != qkv::TaskKind::Text || !hasTokenizer) && ids.match(r.text).hasMatch()) {
        std::vector<int64_t> tokens;
        for (const QString& part : r.text.split(',')) tokens.push_back(part.trimmed().toLongLong());
        return qkv::AnalysisInput::fromTokens(tokens);
    }
    return qkv::AnalysisInput::fromText(r.text.toStdString());
}

// At most `count` of the steps, evenly spread, the first and the last always among them.
std::vector<int> spread(const std::vector<int>& steps, int count) {
    const int n = int(steps.size());
    if (n <= count) return steps;
    std::vector<int> picked;
    for (int i = 0; i < count; ++i) {
        const int step = steps[size_t(std::lround(double(i) * (n - 1) / (count - 1)))];
        if (picked.empty() || picked.back() != step) picked.push_back(step);
    }
    return picked;
}

// The model summary at each checkpoint of the history; heads' d×d forms are not kept, the
// summary is all the training view draws.
QVector<qkvviews::TrainingPoint> analyzeHistory(const qkv::RunFolder& run,
                                                const qkv::PreparedInput& input,
                                                const QString& label, QStringList* problems,
                                                const std::atomic<bool>* cancel) {
    qkv::AnalysisOptions options;
    options.keepBilinearForms = false;
    QVector<qkvviews::TrainingPoint> points;
    for (int step : spread(qkv::checkpointSteps(run.path), qkv::kMaxCheckpointHistory)) {
        if (cancel && cancel->load()) break;
        try {
            const qkv::Model model = qkv::loadCheckpointModel(run, step);
            const qkv::ModelAnalysis a = qkv::analyzeModel(model, input, options, {}, cancel);
            if (a.cancelled) break;
            points.push_back({step, a.modelSummary});
        } catch (const qkv::IoError& e) {
            if (problems) *problems << label + ": " + QString::fromStdString(e.what());
        }
    }
    return points;
}
}  // namespace

qkvviews::AnalysisSet analyzeRuns(const AnalysisRequest& request, QStringList* problems,
                                  const std::function<void(int, int, const QString&)>& progress,
                                  const std::atomic<bool>* cancel) {
    qkvviews::AnalysisSet set;
    const int total = request.runs.size();
    int done = 0;
    QMap<QString, QStringList> inputs;  // description → the runs that saw it
    for (const AnalysisRequest::Run& r : request.runs) {
        if (cancel && cancel->load()) break;
        if (progress) progress(done, total, r.label);
        try {
            const qkv::OpenedModel opened = qkv::openModel(r.folder.toStdString());
            const qkv::RunFolder& folder = opened.run;
            const qkv::Model& model = *opened.model;
            const qkv::PreparedInput input = qkv::prepareInput(
                folder.config.model, folder.config.task,
                inputFor(folder.config, request, opened.tokenizer != nullptr),
                opened.tokenizer.get());
            qkvviews::VariantAnalysis v;
            v.runId = r.folder;
            v.label = r.label;
            v.group = r.group;
            v.color = r.color;
            // Layer by layer: long inputs keep their maps pooled for drawing, never all exact.
            v.analysis = qkv::analyzeModel(model, input, request.options, {}, cancel, &v.capture);
            if (!v.analysis.cancelled && opened.format == qkv::ModelFormat::RunFolder)
                v.history = analyzeHistory(folder, input, r.label, problems, cancel);
            if (!v.analysis.cancelled) {
                inputs[QString::fromStdString(input.description)] << r.label;
                set.variants.push_back(std::move(v));
            }
        } catch (const std::exception& e) {
            // Everything, LibTorch's errors included: one line per run that could not be analysed.
            const std::string what = e.what();
            if (problems) *problems << r.label + ": " + QString::fromStdString(what.substr(0, what.find('\n')));
        }
        ++done;
    }
    if (progress) progress(done, total, QString());
    // Runs of different tasks see different inputs: each description once, naming its runs when
    // there are several ("text prompt (9 characters) for char-lm / QKV; validation sample 0 of
    // follow for demo / QKV, demo / Q-K=V").
    QStringList parts;
    for (auto it = inputs.cbegin(); it != inputs.cend(); ++it)
        parts << (inputs.size() == 1 ? it.key() : it.key() + " for " + it.value().join(", "));
    set.inputDescription = parts.join("; ");
    return set;
}

void AnalysisWorker::run() {
    QStringList problems;
    const qkvviews::AnalysisSet set = analyzeRuns(
        m_request, &problems,
        [this](int done, int total, const QString& what) { Q_EMIT progress(done, total, what); }, &m_cancel);
    Q_EMIT finished(set, problems, m_cancel.load());
}

}  // namespace qkvapp
