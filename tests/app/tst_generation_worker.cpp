// The generation worker on a QThread, with tiny runs trained here: real caches hold exactly the
// formula's bytes at every token, shared-kv exactly half of qkv, cancel stops mid-generation,
// non-decoders are skipped, a non-run folder fails with a message; and the panel drives it.
#include <QtTest>

#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>

#include "data/dataset.h"
#include "generation_worker.h"
#include "io/atomic_file.h"
#include "kv_cache_panel.h"
#include "kv_cache_view.h"
#include "kv_cache_what_if.h"
#include "qcp.h"
#include "train/trainer.h"

using qkvviews::KvCacheRun;
using namespace qkvapp;

class TestGenerationWorker : public QObject {
    Q_OBJECT

Q_SIGNALS:
    // The worker's signals, re-emitted on this (the test's) thread: a QSignalSpy connects
    // directly, and must not append from the worker thread while the test reads it.
    void relayedProgress(const QVector<qkvviews::KvCacheRun>& runs);
    void relayedFinished(bool cancelled);
    void relayedFailed(const QString& message);

private Q_SLOTS:
    void initTestCase();
    void cachesGrowTogetherAndMatchTheFormula();
    void cancelStopsMidGeneration();
    void nonDecodersAreSkippedWithANote();
    void nonRunFolderFails();
    void panelGeneratesAndReportsErrors();

private:
    QString path(const QString& name) const { return m_dir.filePath(name); }
    void train(qkv::Variant v, qkv::TaskKind task, int seqLen, const QString& name);
    // Runs a worker to its end; `onProgress` (if set) is called on the worker thread.
    void runWorker(const GenerationRequest& request,
                   const std::function<void(GenerationWorker*, const QVector<KvCacheRun>&)>&
                       onProgress = {});
    GenerationRequest request(const QStringList& runs, int tokens) const;

    QTemporaryDir m_dir;
    QSignalSpy* m_progress = nullptr;
    QSignalSpy* m_finished = nullptr;
    QSignalSpy* m_failed = nullptr;
};

void TestGenerationWorker::train(qkv::Variant v, qkv::TaskKind task, int seqLen,
                                 const QString& name) {
    qkv::RunConfig cfg;
    cfg.name = qkv::variantId(v);
    cfg.model.variant = v;
    cfg.model.dModel = 16;
    cfg.model.layers = 1;
    cfg.model.heads = 2;
    cfg.task.kind = task;
    cfg.task.seqLen = seqLen;
    cfg.task.validationSize = 8;
    if (task == qkv::TaskKind::Text) cfg.task.dataPath = path("corpus.txt").toStdString();
    cfg.train.steps = 5;
    cfg.train.evalEvery = 5;
    cfg.train.batch = 4;
    cfg.train.evalExamples = 8;
    cfg.train.warmupSteps = 1;
    auto data = qkv::makeDataset(cfg.task);
    data->configureModel(cfg.model);
    qkv::trainRun(cfg, *data, path(name).toStdString());
}

void TestGenerationWorker::initTestCase() {
    QVERIFY(m_dir.isValid());
    std::string corpus;
    const char* words[] = {"the ", "cat ", "sat ", "on ", "a ", "mat\n"};
    for (int i = 0; i < 8000; ++i) corpus += words[(i * 7 + i / 5) % 6];
    qkv::writeFileAtomic(path("corpus.txt").toStdString(), corpus);
    try {
        train(qkv::Variant::Qkv, qkv::TaskKind::Text, 16, "qkv");
        train(qkv::Variant::SharedKv, qkv::TaskKind::Text, 16, "shared-kv");
        // Long contexts, so that generation lasts long enough to be cancelled half-way.
        train(qkv::Variant::Qkv, qkv::TaskKind::Text, 1024, "long-qkv");
        train(qkv::Variant::SharedKv, qkv::TaskKind::Text, 1024, "long-shared-kv");
        train(qkv::Variant::Qkv, qkv::TaskKind::Copy, 8, "copy");
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    m_progress = new QSignalSpy(this, &TestGenerationWorker::relayedProgress);
    m_finished = new QSignalSpy(this, &TestGenerationWorker::relayedFinished);
    m_failed = new QSignalSpy(this, &TestGenerationWorker::relayedFailed);
}

GenerationRequest TestGenerationWorker::request(const QStringList& runs, int tokens) const {
    GenerationRequest r;
    for (int i = 0; i < runs.size(); ++i) r.runs << qMakePair(path(runs[i]), QColor(Qt::blue));
    r.prompt = "the ";
    r.tokens = tokens;
    r.temperature = 0.8;
    r.topK = 5;
    return r;
}

void TestGenerationWorker::runWorker(
    const GenerationRequest& request,
    const std::function<void(GenerationWorker*, const QVector<KvCacheRun>&)>& onProgress) {
    m_progress->clear();
    m_finished->clear();
    m_failed->clear();
    QThread thread;
    auto* worker = new GenerationWorker(request);
    worker->moveToThread(&thread);
    connect(&thread, &QThread::started, worker, &GenerationWorker::run);
    connect(worker, &GenerationWorker::progress, this, &TestGenerationWorker::relayedProgress);
    connect(worker, &GenerationWorker::finished, this, &TestGenerationWorker::relayedFinished);
    connect(worker, &GenerationWorker::failed, this, &TestGenerationWorker::relayedFailed);
    if (onProgress)
        connect(worker, &GenerationWorker::progress, worker,
                [worker, onProgress](const QVector<KvCacheRun>& runs) { onProgress(worker, runs); },
                Qt::DirectConnection);
    thread.start();
    QTRY_VERIFY_WITH_TIMEOUT(m_finished->size() + m_failed->size() > 0, 120000);
    thread.quit();
    thread.wait();
    delete worker;
}

void TestGenerationWorker::cachesGrowTogetherAndMatchTheFormula() {
    runWorker(request({"qkv", "shared-kv"}, 12));
    QCOMPARE(m_failed->size(), 0);
    QCOMPARE(m_finished->size(), 1);
    QCOMPARE(m_finished->at(0).at(0).toBool(), false);
    QVERIFY(m_progress->size() >= 2);  // the runs before the first token, then the end
    QVERIFY(m_progress->first().at(0).value<QVector<KvCacheRun>>()[0].tokenIndex.isEmpty());
    const auto runs = m_progress->last().at(0).value<QVector<KvCacheRun>>();
    QCOMPARE(runs.size(), 2);
    const KvCacheRun& qkvRun = runs[0];
    const KvCacheRun& shared = runs[1];
    QCOMPARE(qkvRun.label, QString("qkv"));
    QCOMPARE(shared.label, QString("shared-kv"));
    QCOMPARE(qkvRun.runId, path("qkv"));
    QCOMPARE(qkvRun.color, QColor(Qt::blue));
    QCOMPARE(qkvRun.reductionVsQkv, 0.0);
    QCOMPARE(shared.reductionVsQkv, 0.5);
    for (const KvCacheRun& r : runs) {
        QVERIFY(r.finished);
        QCOMPARE(r.tokenIndex.size(), 12);
        QCOMPARE(r.bytesHeld.size(), 12);
        QCOMPARE(r.msPerToken.size(), 12);
        QCOMPARE(r.text.size(), 12);  // one character per token
        QCOMPARE(r.prompt, QString("the "));
        for (int j = 0; j < 12; ++j) {
            QCOMPARE(r.tokenIndex[j], double(j + 1));
            QVERIFY(r.bytesHeld[j] > 0);
            QCOMPARE(r.bytesHeld[j], r.formulaBytes[j]);
        }
    }
    // 1 layer, c = 2, g = 2, d_h = 8, float32: 128 bytes per cached position (4 prompt + n − 1).
    QCOMPARE(qkvRun.bytesHeld[0], 128.0 * 4);
    for (int j = 0; j < 12; ++j) QCOMPARE(shared.bytesHeld[j] * 2, qkvRun.bytesHeld[j]);
}

void TestGenerationWorker::cancelStopsMidGeneration() {
    const int requested = 1000;
    std::atomic<bool> cancelled{false};
    QVector<int> atCancel;  // tokens per run in the snapshot that cancelled
    runWorker(request({"long-qkv", "long-shared-kv"}, requested),
              [&](GenerationWorker* w, const QVector<KvCacheRun>& runs) {
                  // The first snapshot with tokens: cancel right there, on the worker thread.
                  if (cancelled.load() || runs[0].tokenIndex.isEmpty()) return;
                  for (const KvCacheRun& r : runs) atCancel << int(r.tokenIndex.size());
                  cancelled.store(true);
                  w->requestCancel();
              });
    QVERIFY2(cancelled.load(), "generation ended before its first live snapshot");
    QCOMPARE(m_failed->size(), 0);
    QCOMPARE(m_finished->size(), 1);
    QCOMPARE(m_finished->at(0).at(0).toBool(), true);
    const auto runs = m_progress->last().at(0).value<QVector<KvCacheRun>>();
    QCOMPARE(runs.size(), 2);
    qInfo("cancelled at %d and %d tokens, stopped at %d and %d of %d", atCancel[0], atCancel[1],
          int(runs[0].tokenIndex.size()), int(runs[1].tokenIndex.size()), requested);
    for (int i = 0; i < runs.size(); ++i) {
        const KvCacheRun& r = runs[i];
        QVERIFY(r.finished);
        QCOMPARE(r.note, QString("cancelled"));
        QVERIFY2(r.tokenIndex.size() < requested, qPrintable(QString::number(r.tokenIndex.size())));
        // Each run stops within a token of the request.
        QVERIFY(r.tokenIndex.size() >= atCancel[i] && r.tokenIndex.size() <= atCancel[i] + 1);
        for (int j = 0; j < r.tokenIndex.size(); ++j) QCOMPARE(r.bytesHeld[j], r.formulaBytes[j]);
    }
    // Turns: neither run is more than one token ahead of the other.
    QVERIFY(std::abs(runs[0].tokenIndex.size() - runs[1].tokenIndex.size()) <= 1);
    QVERIFY(std::abs(atCancel[0] - atCancel[1]) <= 1);
}

void TestGenerationWorker::nonDecodersAreSkippedWithANote() {
    // "copy" is an encoder run whose config is also named "qkv": labels fall back to folders.
    runWorker(request({"copy", "qkv", "shared-kv"}, 5));
    QCOMPARE(m_failed->size(), 0);
    QCOMPARE(m_finished->size(), 1);
    const auto runs = m_progress->last().at(0).value<QVector<KvCacheRun>>();
    QCOMPARE(runs.size(), 3);
    QCOMPARE(runs[0].label, QString("copy"));
    QCOMPARE(runs[1].label, QString("qkv"));
    QCOMPARE(runs[2].label, QString("shared-kv"));
    QVERIFY(runs[0].tokenIndex.isEmpty());
    QVERIFY(runs[0].finished);
    QVERIFY2(runs[0].note.contains("not a decoder"), qPrintable(runs[0].note));
    QVERIFY(std::isnan(runs[0].reductionVsQkv));
    for (int i : {1, 2}) {
        QCOMPARE(runs[i].tokenIndex.size(), 5);
        QVERIFY(!runs[i].text.isEmpty());
        QVERIFY(runs[i].note.isEmpty());
    }
}

void TestGenerationWorker::nonRunFolderFails() {
    runWorker(request({"qkv", "corpus.txt"}, 5));
    QCOMPARE(m_finished->size(), 0);
    QCOMPARE(m_failed->size(), 1);
    const QString message = m_failed->at(0).at(0).toString();
    QVERIFY2(message.contains("corpus.txt") && message.contains("is not a run folder"),
             qPrintable(message));
    QVERIFY(!message.contains('\n'));

    GenerationRequest unknown = request({"qkv"}, 5);
    unknown.prompt = "ZZZ";  // no run's alphabet has it
    runWorker(unknown);
    QCOMPARE(m_failed->size(), 1);
    QVERIFY2(m_failed->at(0).at(0).toString().contains("alphabet"),
             qPrintable(m_failed->at(0).at(0).toString()));
}

void TestGenerationWorker::panelGeneratesAndReportsErrors() {
    KvCachePanel panel;
    QVERIFY(!panel.generateButton()->isEnabled());  // no runs yet
    panel.setRuns({{path("qkv"), QColor("#0072B2")}, {path("shared-kv"), QColor("#D55E00")}});
    QVERIFY(panel.generateButton()->isEnabled());
    panel.promptEdit()->setText("the cat ");
    panel.tokensBox()->setValue(8);
    QSignalSpy finished(&panel, &KvCachePanel::generationFinished);
    panel.generateButton()->click();
    QVERIFY(panel.isGenerating());
    QVERIFY(finished.wait(60000));
    QVERIFY(!panel.isGenerating());
    QTRY_COMPARE(panel.view()->runs().size(), 2);
    QCOMPARE(panel.view()->runs()[1].tokenIndex.size(), 8);
    QCOMPARE(panel.view()->figurePlot()->graphCount(), 4);
    QVERIFY(panel.statusText().isEmpty());
    if (const QByteArray out = qgetenv("QKV_KV_PANEL_SCREENSHOT"); !out.isEmpty()) {
        // For a look by eye only: longer generations and a GQA what-if, as a user would see.
        panel.setRuns({{path("long-qkv"), QColor("#0072B2")},
                       {path("long-shared-kv"), QColor("#D55E00")},
                       {path("copy"), QColor("#009E73")}});
        panel.tokensBox()->setValue(300);
        auto whatIf = panel.view()->whatIf()->config();
        whatIf.kvHeads = 4;
        panel.view()->whatIf()->setConfig(whatIf);
        QVERIFY(panel.generate());
        QVERIFY(finished.wait(60000));
        panel.resize(1400, 860);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTest::qWait(200);
        QVERIFY(panel.grab().save(QString::fromLocal8Bit(out)));
    }

    panel.setRuns({{path("corpus.txt"), QColor(Qt::red)}});
    QSignalSpy state(&panel, &KvCachePanel::generationStateChanged);
    QVERIFY(panel.generate());
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isGenerating(), 30000);
    QVERIFY2(panel.statusText().contains("not a run folder"), qPrintable(panel.statusText()));
    QCOMPARE(state.last().at(0).toBool(), false);
}

QTEST_MAIN(TestGenerationWorker)
#include "tst_generation_worker.moc"
