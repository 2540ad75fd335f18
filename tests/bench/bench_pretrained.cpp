// Benchmark: real model shapes with random weights, generated here (never committed) as Hugging
// Face folders — GPT-2 small (12 layers, d 768, 12 heads, vocab 50257, F32) and TinyLlama-1.1B
// (22 layers, d 2048, 32 heads, 4 KV heads, intermediate 5632, vocab 32000, BF16). Reports open
// time and peak RSS (targets: GPT-2 ≤ 2 s, 1.1B ≤ 15 s, peak ≤ 1.25 × the F32 weights), the full
// analysis of 128 tokens (≤ 5 s, ≤ 60 s), and cached greedy generation in tokens/s against the
// same folder in PyTorch eager (tests/bench/pretrained_peer.py, same threads): ≥ 1.0×.
//
//   bench_pretrained OUT [--shapes gpt2-small,tinyllama-1.1b] [--tokens N] [--models DIR]
//
// Each measurement runs in a child process (this program with --child), so that its peak RSS
// is its own. Writes OUT/bench_pretrained.json.
#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "io/atomic_file.h"
#include "pretrained/measure.h"
#include "pretrained/random_folders.h"
#include "runtime/blas_runtime.h"

using namespace pretrainedbench;

namespace {

struct Target {
    double openSeconds, analysisSeconds;
};

QJsonObject runChild(const QStringList& args) {
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QCoreApplication::applicationFilePath(), QStringList{"--child"} + args);
    p.waitForFinished(-1);
    const QByteArray out = p.readAllStandardOutput().trimmed();
    const QJsonDocument doc = QJsonDocument::fromJson(out.mid(out.lastIndexOf('\n') + 1));
    if (p.exitCode() != 0 || !doc.isObject())
        return {
            {"error", QString("child %1 failed (exit %2)").arg(args.join(' ')).arg(p.exitCode())}};
    return doc.object();
}

QJsonObject runPeer(const QString& dir, int tokens, int vocab) {
    QStringList prompt;
    for (int64_t id : benchPrompt(vocab)) prompt << QString::number(id);
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const QString python = qEnvironmentVariable("QKVLAB_PYTHON", "/usr/bin/python3");
    p.start(python, {QString(QKVLAB_BENCH_DIR) + "/pretrained_peer.py", dir,
                     QString::number(tokens), prompt.join(',')});
    p.waitForFinished(-1);
    const QJsonDocument doc = QJsonDocument::fromJson(p.readAllStandardOutput().trimmed());
    if (p.exitCode() != 0 || !doc.isObject())
        return {{"error", QString("PyTorch peer failed (exit %1)").arg(p.exitCode())}};
    return doc.object();
}

int childMain(const QStringList& args) {
    const std::string dir = args.value(1).toStdString();
    QJsonObject r;
    if (args.value(0) == "open") r = measureOpen(dir);
    if (args.value(0) == "analyze") r = measureAnalysis(dir, args.value(2).toInt());
    if (args.value(0) == "generate") r = measureGeneration(dir, args.value(2).toInt());
    std::cout << QJsonDocument(r).toJson(QJsonDocument::Compact).toStdString() << std::endl;
    return r.isEmpty() ? 2 : 0;
}

const char* verdict(bool ok) {
    return ok ? "PASS" : "FAIL";
}

}  // namespace

int main(int argc, char** argv) {
    if (qkv::tuneOpenblasEnvironment()) execv("/proc/self/exe", argv);
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    if (args.value(0) == "--child") return childMain(args.mid(1));

    const QString out = args.isEmpty() || args[0].startsWith("--") ? "bench-out" : args.takeFirst();
    QStringList shapes = {"gpt2-small", "tinyllama-1.1b"};
    int tokens = 32;
    QString modelsDir = QDir(out).filePath("models");
    for (int i = 0; i + 1 < args.size(); i += 2) {
        if (args[i] == "--shapes") shapes = args[i + 1].split(',');
        if (args[i] == "--tokens") tokens = args[i + 1].toInt();
        if (args[i] == "--models") modelsDir = args[i + 1];
    }
    QDir().mkpath(out);
    std::printf("bench_pretrained: %s; torch and OpenBLAS threads as the app uses them\n",
                qkv::describeBlas(qkv::detectBlas()).c_str());

    QJsonArray results;
    bool allPass = true;
    for (const QString& name : shapes) {
        const Shape shape = name == "gpt2-small" ? gpt2Small() : tinyLlama();
        const Target target = name == "gpt2-small" ? Target{2.0, 5.0} : Target{15.0, 60.0};
        const QString dir = QDir(modelsDir).filePath(name);
        const double written = ensureRandomFolder(shape, dir.toStdString());
        const double f32Bytes = double(shape.parameters()) * 4;
        std::printf(
            "\n== %s: %.0fM parameters, %s; folder %s%s\n", qPrintable(name),
            shape.parameters() / 1e6, shape.dtype.c_str(), qPrintable(dir),
            written > 0 ? qPrintable(QString(" (written in %1 s)").arg(written, 0, 'f', 1)) : "");
        QJsonArray opens;
        for (int i = 0; i < 3; ++i) opens.append(runChild({"open", dir}));
        QJsonObject open = opens[1].toObject();  // the median of three, by open time
        std::vector<QJsonObject> sorted;
        for (const auto& o : opens) sorted.push_back(o.toObject());
        std::sort(sorted.begin(), sorted.end(), [](const QJsonObject& a, const QJsonObject& b) {
            return a.value("open_ms").toDouble() < b.value("open_ms").toDouble();
        });
        open = sorted[1];
        const QJsonObject analysis = runChild({"analyze", dir, "128"});
        const QJsonObject ours = runChild({"generate", dir, QString::number(tokens)});
        const QJsonObject torch = runPeer(dir, tokens, shape.vocab);

        const double openS = open.value("open_ms").toDouble() / 1000;
        const double rssRatio = open.value("peak_rss_bytes").toDouble() / f32Bytes;
        const double analysisS = analysis.value("analysis_ms").toDouble() / 1000;
        const double speedup =
            ours.value("tokens_per_s").toDouble() / torch.value("tokens_per_s").toDouble();
        const bool sameIds = ours.value("ids") == torch.value("ids");
        const bool okOpen = openS <= target.openSeconds, okRss = rssRatio <= 1.25,
                   okAnalysis = analysisS <= target.analysisSeconds, okGen = speedup >= 1.0;
        allPass = allPass && okOpen && okRss && okAnalysis && okGen;
        std::printf("open            %8.2f s   (target <= %.0f s)        %s\n", openS,
                    target.openSeconds, verdict(okOpen));
        const double added =
            open.value("peak_rss_bytes").toDouble() - open.value("baseline_rss_bytes").toDouble();
        std::printf(
            "peak RSS        %8.0f MB  = %.2f x F32 weights (%.0f MB; target <= 1.25)  %s\n"
            "                of which %.0f MB before opening (LibTorch's libraries), %.0f MB = "
            "%.2f x "
            "the weights added by opening\n",
            open.value("peak_rss_bytes").toDouble() / 1e6, rssRatio, f32Bytes / 1e6, verdict(okRss),
            open.value("baseline_rss_bytes").toDouble() / 1e6, added / 1e6, added / f32Bytes);
        std::printf(
            "analysis (128)  %8.2f s   (target <= %.0f s; capture %.0f ms, weights %.0f ms, "
            "activations %.0f ms, summed over threads)  %s\n",
            analysisS, target.analysisSeconds, analysis.value("capture_ms").toDouble(),
            analysis.value("weights_ms").toDouble(), analysis.value("activations_ms").toDouble(),
            verdict(okAnalysis));
        std::printf(
            "generation      %8.2f tok/s QKV Lab vs %.2f tok/s PyTorch eager = %.2fx (target >= "
            "1.0)  %s; same tokens: %s\n",
            ours.value("tokens_per_s").toDouble(), torch.value("tokens_per_s").toDouble(), speedup,
            verdict(okGen), sameIds ? "yes" : "no");
        results.append(QJsonObject{{"shape", name},
                                   {"parameters", qint64(shape.parameters())},
                                   {"stored_dtype", QString::fromStdString(shape.dtype)},
                                   {"f32_bytes", f32Bytes},
                                   {"opens", opens},
                                   {"open", open},
                                   {"peak_rss_ratio", rssRatio},
                                   {"opening_rss_ratio", added / f32Bytes},
                                   {"analysis", analysis},
                                   {"generation_qkvlab", ours},
                                   {"generation_pytorch", torch},
                                   {"speedup", speedup},
                                   {"same_tokens", sameIds},
                                   {"pass", okOpen && okRss && okAnalysis && okGen}});
    }
    const QJsonObject report{{"benchmark", "bench_pretrained"},
                             {"blas", QString::fromStdString(qkv::describeBlas(qkv::detectBlas()))},
                             {"generated_tokens", tokens},
                             {"results", results}};
    qkv::writeFileAtomic(QDir(out).filePath("bench_pretrained.json").toStdString(),
                         QJsonDocument(report).toJson().toStdString());
    std::printf("\nwrote %s\n", qPrintable(QDir(out).filePath("bench_pretrained.json")));
    return allPass ? 0 : 1;
}
