// qkvlab analyze and generate end to end, on tiny runs trained here with core's trainRun.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <sstream>

#include "cli.h"
#include "data/dataset.h"
#include "io/atomic_file.h"
#include "train/trainer.h"

using namespace qkv;

namespace {

struct CliResult {
    int code = 0;
    std::string out, err;
};

CliResult run(std::vector<std::string> args) {
    std::ostringstream out, err;
    CliResult r;
    r.code = qkvapp::runCli(args, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

int lines(const std::string& s) {
    return int(std::count(s.begin(), s.end(), '\n'));
}

std::vector<std::string> csvRows(const std::string& path) {
    std::vector<std::string> rows;
    std::istringstream in(readFile(path));
    for (std::string line; std::getline(in, line);) rows.push_back(line);
    return rows;
}

void train(RunConfig cfg, const std::string& dir) {
    auto data = makeDataset(cfg.task);
    data->configureModel(cfg.model);
    cfg.train.steps = 4;
    cfg.train.evalEvery = 4;
    cfg.train.batch = 4;
    cfg.train.evalExamples = 8;
    trainRun(cfg, *data, dir);
}

ModelConfig small(Variant v) {
    ModelConfig m;
    m.variant = v;
    m.dModel = 32;
    m.heads = 4;
    m.layers = 2;
    return m;
}

}  // namespace

class TestCliAnalysis : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        std::string corpus;
        const char* words[] = {"the ", "cat ", "sat ", "on ", "a ", "mat\n"};
        for (int i = 0; i < 600; ++i) corpus += words[(i * 7 + i / 5) % 6];
        writeFileAtomic(path("corpus.txt"), corpus);
        for (Variant v : {Variant::Qkv, Variant::SharedKv}) {
            RunConfig text;
            text.name = variantId(v);
            text.model = small(v);
            text.task.kind = TaskKind::Text;
            text.task.dataPath = path("corpus.txt");
            text.task.seqLen = 24;
            text.task.validationSize = 8;
            train(text, path("text-" + variantId(v)));
        }
        for (Variant v : {Variant::Qkv, Variant::MlpQ}) {
            RunConfig seq;
            seq.name = "copy-" + variantId(v);
            seq.model = small(v);
            seq.task.kind = TaskKind::Copy;
            seq.task.seqLen = 16;
            seq.task.validationSize = 16;
            train(seq, path("copy-" + variantId(v)));
        }
    }

    void analyzeWritesTheDocumentedReport() {
        const CliResult r = run({"analyze", path("text-qkv"), path("text-shared-kv"),
                                 path("copy-mlp-q"), "--out", path("report.json")});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY(r.err.empty());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(
            QByteArray::fromStdString(readFile(path("report.json"))), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(doc.object()["schema"].toString(), QString("qkvlab-analysis/1"));
        const QJsonArray runs = doc.object()["runs"].toArray();
        QCOMPARE(runs.size(), 3);
        for (const auto& value : runs) {
            const QJsonObject runObj = value.toObject();
            for (const char* key : {"run", "variant", "config", "input", "summary", "layers"})
                QVERIFY2(runObj.contains(key), key);
            const QJsonArray layers = runObj["layers"].toArray();
            QCOMPARE(layers.size(), 2);
            const QJsonObject head = layers[0].toObject()["heads"].toArray()[1].toObject();
            for (const char* key :
                 {"bilinear_form", "ov_circuit", "logits", "attention", "w_q", "w_k", "w_v", "w_o",
                  "weights_kv", "weights_qk", "weights_qv", "activations_kv"})
                QVERIFY2(head.contains(key), key);
            const QJsonObject logits = head["logits"].toObject();
            for (const char* key : {"symmetry_score", "asymmetry_index", "singular_values",
                                    "effective_rank", "stable_rank", "rank90", "rank99"})
                QVERIFY2(logits.contains(key), key);
            const QJsonObject kv = head["weights_kv"].toObject();
            QVERIFY(kv["principal_angles_deg"].isArray() && kv.contains("overlap_mean_cos2"));
            const QJsonObject act = head["activations_kv"].toObject();
            QVERIFY(act.contains("cka") && act.contains("mean_cosine"));
            const QString variant = runObj["variant"].toString();
            if (variant == "shared-kv") {
                QVERIFY(kv.contains("fixed_by_variant"));
                QCOMPARE(kv["overlap_mean_cos2"].toDouble(), 1.0);
            }
            if (variant == "mlp-q") {
                QVERIFY(head["bilinear_form"].toObject().contains("absent"));
                QVERIFY(!head["bilinear_form"].toObject().contains("symmetry_score"));
                QVERIFY(runObj["summary"].toObject()["bilinear_form_asymmetry_index"].isNull());
            } else {
                QVERIFY(head["bilinear_form"].toObject().contains("symmetry_score"));
            }
        }
        QCOMPARE(runs[0].toObject()["input"].toObject()["length"].toInt(), 24);
    }

    void analyzeCsvRowCounts() {
        // qkv on copy: L = 2, H = g = 4, d = 32, d_h = 8, T = 16.
        const CliResult r = run({"analyze", path("copy-qkv"), "--sample", "3", "--out",
                                 path("r.json"), "--csv", path("csv")});
        QVERIFY2(r.code == 0, r.err.c_str());
        // Per head: symmetry 2 + 4 rank measures for bilinear form, logits, attention; 4 for the
        // OV circuit and each of W_Q,h..W_O,h; 3 overlaps; 3 activation measures; attention
        // entropy and previous-token score = 46. Per layer: 4 whole projections × 4, 18 summary
        // means. Model: 18 summary means.
        QCOMPARE(int(csvRows(path("csv/measures.csv")).size()), 1 + 2 * (16 + 4 * 46 + 18) + 18);
        // Singular values per layer: W_Q, W_K, W_V, W_O whole 32 each; per head 8 for each slice,
        // the bilinear form, the OV circuit and the logits (rank ≤ d_h), 16 for the attention.
        QCOMPARE(int(csvRows(path("csv/spectra.csv")).size()), 1 + 2 * (4 * 32 + 4 * (7 * 8 + 16)));
        // Angles per head: 8 each for weights K/V, Q/K, Q/V and the activations.
        QCOMPARE(int(csvRows(path("csv/angles.csv")).size()), 1 + 2 * 4 * 4 * 8);
        QCOMPARE(csvRows(path("csv/measures.csv"))[0],
                 std::string("run,variant,layer,head,measure,value,note"));
    }

    void generatePrintsTheCacheTable() {
        const CliResult r = run({"generate", path("text-shared-kv"), "--prompt", "the ", "--tokens",
                                 "6", "--cache-report", path("cache.csv")});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY(r.out.rfind("the ", 0) == 0);
        QVERIFY(r.out.find("bytes held") != std::string::npos);
        const std::vector<std::string> rows = csvRows(path("cache.csv"));
        QCOMPARE(int(rows.size()), 7);
        for (size_t i = 1; i < rows.size(); ++i) {
            QStringList f = QString::fromStdString(rows[i]).split(',');
            QCOMPARE(f.size(), 7);
            QCOMPARE(f[4], f[5]);  // bytes held == formula
            // 2 layers · c 1 · g 4 · d_h 8 · 4 bytes per cached token
            QCOMPARE(f[4].toLongLong(), f[3].toLongLong() * 256);
        }
        const CliResult full = run({"generate", path("text-shared-kv"), "--prompt", "the ",
                                    "--tokens", "6", "--no-cache"});
        QCOMPARE(full.code, 0);
        QCOMPARE(full.out.substr(0, full.out.find('\n')), r.out.substr(0, r.out.find('\n')));
    }

    void badInputExitsWithOneLine_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("not a run") << QStringList{"analyze", "RUNROOT", "--out", "OUT"};
        QTest::newRow("too long") << QStringList{
            "analyze", "RUNROOT/text-qkv", "--input", QString(30, 'a'), "--out", "OUT"};
        QTest::newRow("unknown character")
            << QStringList{"analyze", "RUNROOT/text-qkv", "--input", "thé", "--out", "OUT"};
        QTest::newRow("unknown option")
            << QStringList{"analyze", "RUNROOT/text-qkv", "--colour", "red", "--out", "OUT"};
        QTest::newRow("input and sample") << QStringList{
            "analyze", "RUNROOT/copy-qkv", "--input", "1", "--sample", "1", "--out", "OUT"};
        QTest::newRow("no --out") << QStringList{"analyze", "RUNROOT/copy-qkv"};
        QTest::newRow("generate on an encoder")
            << QStringList{"generate", "RUNROOT/copy-qkv", "--tokens", "3"};
        QTest::newRow("generate without --tokens") << QStringList{"generate", "RUNROOT/text-qkv"};
        QTest::newRow("generate prompt too long") << QStringList{
            "generate", "RUNROOT/text-qkv", "--prompt", QString(30, 'a'), "--tokens", "2"};
        QTest::newRow("generate not a run") << QStringList{"generate", "RUNROOT", "--tokens", "2"};
    }
    void badInputExitsWithOneLine() {
        QFETCH(QStringList, args);
        std::vector<std::string> a;
        for (QString s : args)
            a.push_back(s.replace("RUNROOT", m_dir.path())
                            .replace("OUT", m_dir.path() + "/bad.json")
                            .toStdString());
        const CliResult r = run(a);
        QCOMPARE(r.code, 2);
        QCOMPARE(lines(r.err), 1);
        QVERIFY(!QFile::exists(m_dir.path() + "/bad.json"));
    }

private:
    std::string path(const std::string& name) const {
        return QDir(m_dir.path()).filePath(QString::fromStdString(name)).toStdString();
    }
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCliAnalysis)
#include "tst_cli_analysis.moc"
