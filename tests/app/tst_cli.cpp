// The qkvlab command line, in process through runCli and through the real executable: success
// paths with numbers checked by hand, and bad input that must give exit code 2 and one line.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <sstream>

#include "cli.h"
#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "model/model.h"
#include "test_helpers.h"

namespace {

struct CliRun {
    int code = -1;
    std::string out, err;
};

CliRun run(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    CliRun r;
    r.code = qkvapp::runCli(args, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

std::string describe(const CliRun& r) {
    return "exit " + std::to_string(r.code) + "\n--- out:\n" + r.out + "--- err:\n" + r.err;
}

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    return w;
}

// The table row whose first cell is `first` (split on blanks), or an empty list.
std::vector<std::string> tableRow(const std::string& text, const std::string& first) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const auto w = words(line);
        if (!w.empty() && w[0] == first) return w;
    }
    return {};
}

int countLines(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    int n = 0;
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0) ++n;
    return n;
}

using Words = std::vector<std::string>;

}  // namespace

class TstCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void help();
    void infoDefaults();
    void infoPaper300m();
    void infoPaper12bGqa();
    void infoPreset();
    void trainEvalInfo();
    void executable();

private:
    QTemporaryDir m_tmp;
    std::string path(const char* name) const {
        return QDir(m_tmp.path()).filePath(name).toStdString();
    }
};

void TstCli::initTestCase() {
    // The presets live in qkvapplib's resources; a static library's resources need this call.
    Q_INIT_RESOURCE(qkvlab);
    QVERIFY(m_tmp.isValid());
    QVERIFY(QDir().mkpath(QString::fromStdString(path("empty"))));
    qkvtest::writeBytes(m_tmp, "unknown-field.json",
                        R"({"name": "x", "variants": ["qkv"], "colour": "blue"})");
    qkvtest::writeBytes(m_tmp, "garbage.json", R"({"name": "x", "variants": ["qkv")");
    qkvtest::writeBytes(m_tmp, "binary.bin", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\xff\xfe", 12));

    // A run folder whose weights are cut short.
    qkv::RunConfig r;
    r.name = "qkv";
    r.model.dModel = 16;
    r.model.heads = 2;
    r.model.layers = 1;
    r.model.context = 16;
    const std::string corrupt = path("corrupt");
    qkv::saveRunFolder(corrupt, r, qkv::Model(r.model, 1), qkv::TrainResult{});
    const std::string weights = corrupt + "/model.safetensors";
    const std::string bytes = qkv::readFile(weights);
    qkv::writeFileAtomic(weights, bytes.substr(0, bytes.size() / 2));
}

void TstCli::help() {
    for (const Words& args : {Words{}, Words{"--help"}, Words{"-h"}, Words{"help"}}) {
        const CliRun r = run(args);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.find("usage: qkvlab") == 0, r.out.c_str());
        QVERIFY(r.out.find("train") != std::string::npos);
        QVERIFY(r.err.empty());
    }
    for (const char* cmd : {"train", "info", "eval"}) {
        const CliRun r = run({cmd, "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.find(std::string("usage: qkvlab ") + cmd) == 0, r.out.c_str());
        QVERIFY(r.err.empty());
    }
    const CliRun t = run({"train", "--help"});
    QVERIFY(t.out.find("--out DIR") != std::string::npos);
    QVERIFY(t.out.find("--kv-heads") != std::string::npos);
}

void TstCli::infoDefaults() {
    const CliRun r = run({"info"});
    QVERIFY2(r.code == 0, describe(r).c_str());
    QVERIFY(r.err.empty());
    QVERIFY(r.out.find("variant") == 0);
    for (qkv::Variant v : qkv::allVariants())
        QVERIFY2(!tableRow(r.out, qkv::variantId(v)).empty(), qkv::variantId(v).c_str());
    // Defaults: encoder, d 64, 2 layers, 4 heads, vocab 10, T 16. By hand, per layer:
    // attention 4·(64² + 64) = 16 640, MLP 8·64² + 5·64 = 33 088, norms 256 → 49 984;
    // × 2 = 99 968, + ln_f 128 + tok_emb 640 + pos_emb 1 024 + head_bias 10 = 101 770.
    const Words qkvRow = tableRow(r.out, "qkv");
    QVERIFY2(qkvRow.size() >= 4, r.out.c_str());
    QCOMPARE(qkvRow[1], std::string("4"));
    QCOMPARE(qkvRow[2], std::string("101.8K"));
    QCOMPARE(qkvRow[3], std::string("33.3K"));  // 2 · 16 640
}

void TstCli::infoPaper300m() {
    const CliRun r = run({"info", "--paper", "300m"});
    QVERIFY2(r.code == 0, describe(r).c_str());
    // By hand (L 20, d 1024, H 16, d_h 64, V 50304, T 2048, the paper's layout without a head
    // bias): params 305 534 976, the paper's exact figure → 305.5M; attention 20·4·(d² + d) =
    // 83.97M; KV bytes/token 20·2·16·64·4 = 163 840; at 2048 tokens 335 544 320 B = 320 MiB;
    //   FLOPs 2·(20·(4d² + 8d² + 2·d·T) + d·V) = 774 111 232 → 0.7741 GFLOP.
    QCOMPARE(tableRow(r.out, "qkv"), (Words{"qkv", "16", "305.5M", "84.0M", "163840", "320.0",
                                            "MiB", "0%", "0.7741"}));
    // --json gives the exact integers the table rounds.
    const CliRun j = run({"info", "--paper", "300m", "--variants", "qkv", "--json"});
    QVERIFY2(j.code == 0, describe(j).c_str());
    const QJsonObject row = QJsonDocument::fromJson(QByteArray::fromStdString(j.out))
                                .object()["rows"].toArray()[0].toObject();
    QCOMPARE(row["parameters"].toInteger(), qint64(305534976));
    QCOMPARE(row["attention_parameters"].toInteger(), qint64(83968000));
    QCOMPARE(row["kv_cache_bytes_at_context"].toInteger(), qint64(335544320));
    // shared-kv caches K only: half the bytes, a 50 % reduction.
    const Words kv = tableRow(r.out, "shared-kv");
    QVERIFY2(kv.size() == 9, r.out.c_str());
    QCOMPARE(kv[4], std::string("81920"));
    QCOMPARE(kv[5] + " " + kv[6], std::string("160.0 MiB"));
    QCOMPARE(kv[7], std::string("-50%"));
    QCOMPARE(tableRow(r.out, "shared-qk")[7], std::string("0%"));
}

void TstCli::infoPaper12bGqa() {
    const CliRun r = run({"info", "--paper", "1.2b", "--kv-heads", "8", "--context", "32768"});
    QVERIFY2(r.code == 0, describe(r).c_str());
    QVERIFY(r.err.empty());
    // shared-kv with g = 8 (L 22, d 2048, H 32, d_h 64), by hand:
    //   attention/layer: W_Q d²+d = 4 196 352, W_K d·512+512 = 1 049 088, W_O 4 196 352
    //     → 9 441 792; × 22 = 207 719 424 → 207.7M
    //   params: 22·(9 441 792 + MLP 8d²+5d = 33 564 672 + norms 8 192) = 946 322 432
    //     + ln_f 4 096 + tok_emb 103 022 592 + pos_emb 4 194 304 (no head bias)
    //     = 1 053 543 424 → 1.05G
    //   KV bytes/token 22·1·8·64·4 = 45 056; × 32 768 = 1 476 395 008 B = 1.375 GiB → 1.38 GiB
    //   reduction 1 − 1·8/(2·32) = 87.5 %
    //   FLOPs 2·(22·(9 437 184 + 8d² + 2·32·64·2048) + d·V) = 2 466 775 040 → 2.4668
    QCOMPARE(tableRow(r.out, "shared-kv"), (Words{"shared-kv", "8", "1.05G", "207.7M", "45056",
                                                  "1.38", "GiB", "-87.5%", "2.4668"}));
    // qkv with g = 8: 2·g of 2·H heads cached → 75 %.
    QCOMPARE(tableRow(r.out, "qkv")[7], std::string("-75%"));
    // Q = K variants cannot take g ≠ H: listed with the reason, not as rows.
    QVERIFY(tableRow(r.out, "shared-qk").empty());
    QVERIFY(tableRow(r.out, "single").empty());
    QVERIFY2(r.out.find("skipped shared-qk: ") != std::string::npos, r.out.c_str());
    QVERIFY(r.out.find("skipped single: ") != std::string::npos);
    QVERIFY(r.out.find("kv-heads = heads") != std::string::npos);
}

void TstCli::infoPreset() {
    const CliRun r = run({"info", "--preset", "demo"});
    QVERIFY2(r.code == 0, describe(r).c_str());
    QVERIFY(!tableRow(r.out, "qkv").empty());
    // Runs trained into ./demo (as the README's first command does) do not hide the preset.
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath("demo/qkv"));
    const QString before = QDir::currentPath();
    QDir::setCurrent(dir.path());
    const CliRun shadowed = run({"info", "--preset", "demo"});
    const CliRun folder = run({"info", "--preset", "demo/qkv"});
    QDir::setCurrent(before);
    QVERIFY2(shadowed.code == 0, describe(shadowed).c_str());
    QCOMPARE(tableRow(shadowed.out, "qkv"), tableRow(r.out, "qkv"));
    QCOMPARE(folder.code, 2);
    QVERIFY2(folder.err.find("is a folder, not a preset file") != std::string::npos, folder.err.c_str());
}

void TstCli::trainEvalInfo() {
    QTemporaryDir out;
    QVERIFY(out.isValid());
    const std::string dir = out.path().toStdString();
    const CliRun t =
        run({"train", "--task", "copy", "--steps", "20", "--eval-every", "10", "--d-model", "16",
             "--heads", "2", "--layers", "1", "--variants", "qkv,shared-kv", "--out", dir});
    QVERIFY2(t.code == 0, describe(t).c_str());
    QVERIFY2(t.err.empty(), t.err.c_str());
    // A progress line per evaluation and variant, then one table row per variant.
    QCOMPARE(countLines(t.out, "[qkv] step "), 2);
    QCOMPARE(countLines(t.out, "[shared-kv] step "), 2);
    QVERIFY(t.out.find("[qkv] step 10/20") != std::string::npos);
    QVERIFY(t.out.find("[shared-kv] step 20/20") != std::string::npos);
    const Words qkvRow = tableRow(t.out, "qkv"), kvRow = tableRow(t.out, "shared-kv");
    QVERIFY2(qkvRow.size() == 10 && kvRow.size() == 10, t.out.c_str());
    // Encoder d 16, 1 layer, 2 heads, vocab 10, T 16, by hand: qkv 3 738, shared-kv 3 466.
    QCOMPARE(qkvRow[1], std::string("3.74K"));
    QCOMPARE(kvRow[1], std::string("3.47K"));
    QCOMPARE(qkvRow[3], std::string("20"));  // steps
    QCOMPARE(qkvRow[5], std::string("-"));   // vs qkv
    QVERIFY2((kvRow[5][0] == '+' || kvRow[5][0] == '-') && kvRow[5].back() == '%',
             kvRow[5].c_str());
    QCOMPARE(qkvRow.back(), std::string("completed"));
    QCOMPARE(kvRow.back(), std::string("completed"));
    // The table says how many examples its figures are over (the default 256; copy's split is 512).
    QVERIFY2(t.out.find("validation metrics over 256 examples") != std::string::npos, t.out.c_str());
    const std::string qkvDir = dir + "/qkv", kvDir = dir + "/shared-kv";
    QVERIFY(qkv::isRunFolder(qkvDir));
    // Training into runs that exist replaces them only when asked to.
    const std::vector<std::string> again = {"train", "--task", "copy", "--steps", "2", "--d-model",
                                            "16", "--heads", "2", "--layers", "1", "--variants",
                                            "qkv", "--out", dir};
    const CliRun refused = run(again);
    QCOMPARE(refused.code, 2);
    QVERIFY2(refused.err.find("already holds a run; --overwrite replaces it") != std::string::npos,
             refused.err.c_str());
    QVERIFY(qkv::readRunFolder(qkvDir).result.stepsDone == 20);  // untouched
    QVERIFY(qkv::isRunFolder(kvDir));

    // eval recomputes the metrics from the saved weights: on the examples training evaluated
    // (256), it reproduces the loss in the train table.
    const CliRun e = run({"eval", "--examples", "256", qkvDir, kvDir});
    QVERIFY2(e.code == 0, describe(e).c_str());
    QVERIFY(e.err.empty());
    const Words eq = tableRow(e.out, qkvDir), ek = tableRow(e.out, kvDir);
    QVERIFY2(eq.size() == 7 && ek.size() == 7, e.out.c_str());
    QCOMPARE(eq[1], std::string("qkv"));
    QCOMPARE(ek[1], std::string("shared-kv"));
    QCOMPARE(eq[2], std::string("20"));  // checkpoint step
    QCOMPARE(eq[3], std::string("256"));
    QCOMPARE(eq[4], qkvRow[4]);
    QCOMPARE(ek[4], kvRow[4]);
    // By default eval uses as many examples as training evaluated on, so the figures compare.
    const CliRun all = run({"eval", qkvDir});
    QVERIFY2(all.code == 0, describe(all).c_str());
    QCOMPARE(tableRow(all.out, qkvDir)[3], std::string("256"));
    QCOMPARE(tableRow(all.out, qkvDir)[4], qkvRow[4]);

    // info: the models (format, shape, dtype, tokenizer), then the sizes and cache table.
    const CliRun i = run({"info", qkvDir, kvDir});
    QVERIFY2(i.code == 0, describe(i).c_str());
    QVERIFY2(i.out.find("QKV Lab run folder") != std::string::npos, i.out.c_str());
    const std::string sizes = i.out.substr(i.out.rfind("\n\n"));
    QCOMPARE(tableRow(sizes, "qkv")[2], std::string("3.74K"));
    QCOMPARE(tableRow(sizes, "shared-kv")[2], std::string("3.47K"));
    QCOMPARE(tableRow(sizes, "shared-kv")[1], std::string("2"));
}

void TstCli::executable() {
    QString dir = qEnvironmentVariable("QKVLAB_BINARY_DIR");
    if (dir.isEmpty()) dir = QCoreApplication::applicationDirPath() + "/..";  // build/tests/..
    const QString exe = dir + "/app/qkvlab";
    QVERIFY2(QFileInfo(exe).isExecutable(), qPrintable(exe + " is missing: build target qkvlab"));

    auto start = [&](const QStringList& args, QByteArray& out, QByteArray& err) {
        QProcess p;
        p.start(exe, args);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        out = p.readAllStandardOutput();
        err = p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    };
    QByteArray out, err;
    QCOMPARE(start({"info"}, out, err), 0);
    QVERIFY2(out.contains("shared-kv"), out.constData());

    const QString outDir = QDir(m_tmp.path()).filePath("proc-out");
    for (const QStringList& bad : {QStringList{"train", "--steps", "abc", "--out", outDir},
                                   QStringList{"eval", QDir(m_tmp.path()).filePath("corrupt")}}) {
        QCOMPARE(start(bad, out, err), 2);
        QVERIFY2(err.endsWith('\n') && err.count('\n') == 1, err.constData());
        QVERIFY(err.startsWith("qkvlab "));
        QVERIFY2(out.isEmpty(), out.constData());
    }
}

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
