// Benchmark: full analysis of a 6-layer, 8-head, d 256 model on a 128-token input (target
// < 200 ms), and 256 generated tokens with and without the KV cache (target ≥ 5× faster with).
// argv[1]: folder for bench_analysis.json.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "analysis/analysis.h"
#include "generate/generation.h"
#include "io/atomic_file.h"
#include "runtime/blas_runtime.h"

using namespace qkv;

namespace {

ModelConfig benchModel(Variant v, int context) {
    ModelConfig c;
    c.arch = Architecture::Decoder;
    c.variant = v;
    c.dModel = 256;
    c.layers = 6;
    c.heads = 8;
    c.vocab = 96;
    c.context = context;
    return c;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct AnalysisFigures {
    double totalMs, captureMs, weightsMs, activationsMs;
};

AnalysisFigures benchAnalysis(Variant v, int threads, int repeats) {
    const Model model(benchModel(v, 128), 1);
    PreparedInput input;
    for (int i = 0; i < 128; ++i) {
        input.tokens.push_back((i * 37 + 11) % 96);
        input.labels.push_back(std::to_string(i));
    }
    AnalysisOptions options;
    options.threads = threads;
    std::vector<double> total, capture, weights, activations;
    analyzeModel(model, input, options);  // warm-up: allocator, thread start
    for (int r = 0; r < repeats; ++r) {
        const ModelAnalysis a = analyzeModel(model, input, options);
        total.push_back(a.timings.total);
        capture.push_back(a.timings.capture);
        weights.push_back(a.timings.weights);
        activations.push_back(a.timings.activations);
    }
    return {median(total), median(capture), median(weights), median(activations)};
}

}  // namespace

int main(int argc, char** argv) {
    if (setOpenblasCoreTypeForThisCpu()) execv("/proc/self/exe", argv);
    const std::string outDir = argc > 1 ? argv[1] : "bench-out";
    std::printf("BLAS: %s\n", describeBlas(detectBlas()).c_str());

    QJsonObject json;
    QJsonArray analysisRows;
    std::printf(
        "\nfull analysis, 6 layers x 8 heads, d 256, T 128 (median of 7; target < 200 ms)\n");
    std::printf("%-10s %8s %10s %10s %12s %12s\n", "variant", "threads", "total ms", "capture",
                "weights*", "activations*");
    for (Variant v : {Variant::Qkv, Variant::SharedKv, Variant::Single, Variant::MlpQ})
        for (int threads : {2, 1}) {
            if (v != Variant::Qkv && threads == 1) continue;
            const AnalysisFigures f = benchAnalysis(v, threads, 7);
            std::printf("%-10s %8d %10.1f %10.1f %12.1f %12.1f\n", variantId(v).c_str(), threads,
                        f.totalMs, f.captureMs, f.weightsMs, f.activationsMs);
            QJsonObject row;
            row["variant"] = QString::fromStdString(variantId(v));
            row["threads"] = threads;
            row["total_ms"] = f.totalMs;
            row["capture_ms"] = f.captureMs;
            row["weights_ms_summed"] = f.weightsMs;
            row["activations_ms_summed"] = f.activationsMs;
            row["meets_target"] = f.totalMs < 200.0;
            analysisRows.append(row);
        }
    std::printf("* summed over layers across threads (CPU time, not wall time)\n");
    json["analysis"] = analysisRows;

    std::printf("\ngeneration of 256 tokens, same model, greedy (target: cache >= 5x faster)\n");
    std::printf("%-10s %12s %12s %9s %14s\n", "variant", "cached ms", "uncached ms", "speedup",
                "cache bytes");
    QJsonArray genRows;
    for (Variant v : {Variant::Qkv, Variant::SharedKv}) {
        const Model model(benchModel(v, 257), 2);
        GenerationConfig cfg;
        cfg.maxNewTokens = 256;
        generate(model, {1}, [] {
            GenerationConfig w;
            w.maxNewTokens = 8;
            return w;
        }());  // warm-up
        const GenerationResult cached = generate(model, {1}, cfg);
        cfg.useCache = false;
        const GenerationResult full = generate(model, {1}, cfg);
        bool same = cached.tokens.size() == full.tokens.size();
        for (size_t i = 0; same && i < cached.tokens.size(); ++i)
            same = cached.tokens[i].token == full.tokens[i].token;
        const double speedup = full.totalMilliseconds / cached.totalMilliseconds;
        const int64_t bytes = cached.tokens.empty() ? 0 : cached.tokens.back().cacheBytesHeld;
        std::printf("%-10s %12.1f %12.1f %8.1fx %14lld%s\n", variantId(v).c_str(),
                    cached.totalMilliseconds, full.totalMilliseconds, speedup, (long long)bytes,
                    same ? "" : "  (tokens differ!)");
        QJsonObject row;
        row["variant"] = QString::fromStdString(variantId(v));
        row["tokens"] = int(cached.tokens.size());
        row["cached_ms"] = cached.totalMilliseconds;
        row["uncached_ms"] = full.totalMilliseconds;
        row["speedup"] = speedup;
        row["final_cache_bytes"] = qint64(bytes);
        row["same_tokens"] = same;
        row["meets_target"] = speedup >= 5.0;
        genRows.append(row);
    }
    json["generation"] = genRows;
    QDir().mkpath(QString::fromStdString(outDir));
    const std::string file =
        QDir(QString::fromStdString(outDir)).filePath("bench_analysis.json").toStdString();
    writeFileAtomic(file, QJsonDocument(json).toJson().toStdString());
    std::printf("\nwrote %s\n", file.c_str());
    return 0;
}
