#include "analysis_worker.h"

#include <QRegularExpression>

#include "io/run_folder.h"

namespace qkvapp {

namespace {
qkv::AnalysisInput inputFor(const qkv::RunConfig& run, const AnalysisRequest& r) {
    if (r.text.isEmpty()) return qkv::AnalysisInput::sample(r.sample);
    static const QRegularExpression ids("^\\s*\\d+(\\s*,\\s*\\d+)*\\s*$");
    if (run.task.kind != qkv::TaskKind::Text && ids.match(r.text).hasMatch()) {
        std::vector<int64_t> tokens;
        for (const QString& part : r.text.split(',')) tokens.push_back(part.trimmed().toLongLong());
        return qkv::AnalysisInput::fromTokens(tokens);
    }
    return qkv::AnalysisInput::fromText(r.text.toStdString());
}
}  // namespace

void AnalysisWorker::run() {
    qkvviews::AnalysisSet set;
    QStringList problems;
    const int total = m_request.runs.size();
    int done = 0;
    for (const AnalysisRequest::Run& r : m_request.runs) {
        if (m_cancel.load()) break;
        Q_EMIT progress(done, total, r.label);
        try {
            const qkv::RunFolder folder = qkv::readRunFolder(r.folder.toStdString());
            const qkv::Model model = qkv::loadRunModel(folder);
            const qkv::PreparedInput input =
                qkv::prepareInput(folder.config.model, folder.config.task, inputFor(folder.config, m_request));
            qkvviews::VariantAnalysis v;
            v.runId = r.folder;
            v.label = r.label;
            v.color = r.color;
            v.capture = qkv::captureAttention(model, input);
            v.analysis = qkv::analyzeCapture(model, v.capture, {}, {}, &m_cancel);
            if (set.inputDescription.isEmpty())
                set.inputDescription = QString::fromStdString(input.description);
            if (!v.analysis.cancelled) set.variants.push_back(std::move(v));
        } catch (const std::exception& e) {
            // Everything, LibTorch's errors included: one line per run that could not be analysed.
            const std::string what = e.what();
            problems << r.label + ": " + QString::fromStdString(what.substr(0, what.find('\n')));
        }
        ++done;
    }
    Q_EMIT progress(done, total, QString());
    Q_EMIT finished(set, problems, m_cancel.load());
}

}  // namespace qkvapp
