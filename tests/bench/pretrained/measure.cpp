#include "measure.h"

#include <QJsonArray>

#include <atomic>
#include <chrono>
#include <fstream>

#include "analysis/analysis.h"
#include "generate/generation.h"
#include "pretrained/open_model.h"

namespace pretrainedbench {

namespace {

int64_t statusBytes(const char* field) {  // VmHWM, VmRSS from /proc/self/status, in bytes
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0) return std::stoll(line.substr(line.find(':') + 1)) * 1024;
    return -1;
}

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::vector<int64_t> benchPrompt(int vocab) {
    std::vector<int64_t> ids;
    for (int i = 0; i < 8; ++i) ids.push_back((i * 7919 + 13) % vocab);
    return ids;
}

QJsonObject measureOpen(const std::string& dir) {
    const int64_t baseline = statusBytes("VmRSS:");
    const auto t0 = std::chrono::steady_clock::now();
    const qkv::OpenedModel m = qkv::openModel(dir);
    const double ms = msSince(t0);
    return {{"open_ms", ms},
            {"peak_rss_bytes", qint64(statusBytes("VmHWM:"))},
            {"baseline_rss_bytes", qint64(baseline)},
            {"parameters", qint64(m.model->parameterCount())},
            {"stored_dtype", QString::fromStdString(m.storedDType)}};
}

QJsonObject measureAnalysis(const std::string& dir, int tokens) {
    const qkv::OpenedModel m = qkv::openModel(dir);
    qkv::PreparedInput input;
    for (int i = 0; i < tokens; ++i) {
        input.tokens.push_back((i * 37 + 11) % m.model->config().vocab);
        input.labels.push_back(std::to_string(i));
    }
    std::atomic<bool> cancel{false};
    int calls = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const qkv::ModelAnalysis a = qkv::analyzeModel(
        *m.model, input, {}, [&](int, int) { ++calls; }, &cancel);
    const double ms = msSince(t0);
    return {{"analysis_ms", ms},
            {"capture_ms", a.timings.capture},
            {"weights_ms", a.timings.weights},
            {"activations_ms", a.timings.activations},
            {"progress_calls", calls},
            {"heads", int(a.layers.size() * size_t(m.model->config().heads))},
            {"peak_rss_bytes", qint64(statusBytes("VmHWM:"))}};
}

QJsonObject measureGeneration(const std::string& dir, int tokens) {
    const qkv::OpenedModel m = qkv::openModel(dir);
    qkv::GenerationConfig cfg;
    cfg.maxNewTokens = tokens;
    cfg.stopAtEnd = false;
    const qkv::GenerationResult r =
        qkv::generate(*m.model, benchPrompt(m.model->config().vocab), cfg);
    double decodeMs = 0;
    QJsonArray ids;
    for (size_t i = 0; i < r.tokens.size(); ++i) {
        ids.append(qint64(r.tokens[i].token));
        if (i > 0) decodeMs += r.tokens[i].milliseconds;
    }
    return {{"tokens_per_s", double(r.tokens.size() - 1) / (decodeMs / 1000.0)},
            {"first_token_ms", r.tokens.empty() ? 0.0 : r.tokens[0].milliseconds},
            {"ids", ids}};
}

}  // namespace pretrainedbench
