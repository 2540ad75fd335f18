// Reproducing a published table: the built-in tables parse with a source, setup and claims;
// a tiny table runs end to end — stopped after its first run, resumed with the finished run
// reused — and its cells, seeds, verdicts and files come out as the hand computation says.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "io/atomic_file.h"
#include "reproduce/reproduce_report.h"
#include "reproduce/reproduction.h"

using namespace qkv;

namespace {
const char* const kTiny = R"({
  "id": "tiny", "title": "A tiny table",
  "source": {"paper": "a test", "location": "here"},
  "setup": "copy, length 8", "differences": "none",
  "metric": "accuracy", "better": "higher",
  "tasks": ["copy"],
  "configs": [{"id": "qkv", "label": "QKV", "variant": "qkv"},
              {"id": "mqa", "label": "Q-MQA", "variant": "shared-kv", "kv_heads": "1"}],
  "published": {"copy": {"qkv": 0.9, "mqa": 0.8}},
  "cache_reductions": {"heads": 4, "published": {"mqa": 0.875}},
  "claims": [{"id": "b", "text": "QKV beats Q-MQA", "kind": "beats", "task": "copy", "a": "qkv", "b": "mqa"},
             {"id": "w", "text": "Q-MQA is worst", "kind": "worst", "task": "copy", "a": "mqa"}],
  "scales": {"quick": {"model": {"d_model": 16, "layers": 1, "heads": 4},
                       "task": {"seq_len": 8, "validation_size": 64},
                       "train": {"steps": 12, "batch": 8, "eval_every": 12, "eval_examples": 64}}}
})";
}  // namespace

class TestReproduction : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void builtInTablesParse_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("the paper's LM table") << "qkv-lm-300m.json";
        QTest::newRow("the synthetic tasks") << "borji-synthetic.json";
    }
    void builtInTablesParse() {
        QFETCH(QString, file);
        const PublishedTable t = loadPublishedTable(QDir(qEnvironmentVariable("QKVLAB_SOURCE_DIR"))
                                                        .filePath("resources/published/" + file)
                                                        .toStdString());
        QVERIFY(!t.paper.empty() && !t.location.empty() && !t.setup.empty() &&
                !t.differences.empty());
        QVERIFY(!t.claims.empty());
        QVERIFY(t.scales.count("quick") && t.scales.count("full"));
        // Every planned run can be built at both scales.
        for (const std::string scale : {"quick", "full"})
            QCOMPARE(int(planReproduction(t, scale, {1, 2}, "/tmp/x").size()),
                     2 * int(t.tasks.size() * t.configs.size()));
        if (t.id == "qkv-lm-300m") {
            QCOMPARE(t.published.at("text").at("single"), 6.41);
            QCOMPARE(t.cacheReductions.at("q-mqa"), 0.96875);
        }
    }

    void tinyTableEndToEnd() {
        QTemporaryDir out;
        const PublishedTable t = parsePublishedTable(kTiny, "tiny.json");
        std::atomic<bool> cancel{false};
        int started = 0;
        // Stop as the second run starts: the first is finished and saved.
        const Reproduction first = reproduce(
            t, "quick", {1, 2}, out.path().toStdString(),
            [&](int, int, const std::string& run, const TrainProgress* step) {
                if (!run.empty() && !step && ++started == 2) cancel = true;
            },
            &cancel);
        QVERIFY(first.cancelled);
        QCOMPARE(first.runsTotal, 4);
        QCOMPARE(first.runsFinished, 1);
        QCOMPARE(first.verdicts.front().verdict, std::string("not measured"));
        QVERIFY(QFileInfo::exists(out.filePath("copy/qkv-seed1/config.json")));

        const Reproduction r = reproduce(t, "quick", {1, 2}, out.path().toStdString());
        QVERIFY(!r.cancelled);
        QCOMPARE(r.runsReused, 1);
        QCOMPARE(r.runsTrained, 3);
        QCOMPARE(int(r.cells.size()), 2);
        const CellResult& mqa = r.cells[1];
        QCOMPARE(mqa.config, std::string("mqa"));
        QCOMPARE(int(mqa.values.size()), 2);
        QCOMPARE(mqa.measured.n, 2);
        QVERIFY(std::abs(mqa.measured.mean - (mqa.values[0] + mqa.values[1]) / 2) < 1e-12);
        QCOMPARE(int(r.verdicts.size()), 2);
        for (const ClaimVerdict& v : r.verdicts)
            QVERIFY2(v.verdict == "reproduced" || v.verdict == "not reproduced", v.line().c_str());
        QCOMPARE(r.cache.front().computed, 0.875);  // 1 − 1·1/(2·4)

        // Resumed again: nothing left to train, the same numbers.
        const Reproduction again = assessReproduction(t, "quick", {1, 2}, out.path().toStdString());
        QCOMPARE(again.runsReused, 4);
        QCOMPARE(again.cells[1].measured.mean, mqa.measured.mean);

        const auto files = writeReproduction(r, out.path().toStdString());
        QCOMPARE(int(files.size()), 3);
        const std::string csv = readFile(files[1]);
        QCOMPARE(int(std::count(csv.begin(), csv.end(), '\n')),
                 1 + 2 * (2 + 3));  // seeds, mean, std, n
        const QJsonObject json =
            QJsonDocument::fromJson(QByteArray::fromStdString(readFile(files[2]))).object();
        QCOMPARE(json["cells"].toArray().size(), 2);
        QCOMPARE(json["verdicts"].toArray().size(), 2);
        QVERIFY(readFile(files[0]).find("QKV beats Q-MQA: ") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestReproduction)
#include "tst_reproduction.moc"
