// analyzeRuns over a run's checkpoint history: one model summary per checkpoint on the same
// input; Q = K keeps the logits exactly symmetric at every step, QKV does not.
#include <QtTest>

#include <QDir>
#include <QTemporaryDir>

#include <cmath>

#include "analysis_worker.h"
#include "data/dataset.h"
#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "test_helpers.h"
#include "train/trainer.h"

namespace {
QString trainTiny(const QTemporaryDir& dir, qkv::Variant v) {
    return QString::fromStdString(qkvtest::trainTinyRun(dir, v, 6, 2));
}

qkvapp::AnalysisRequest requestFor(const QStringList& folders) {
    qkvapp::AnalysisRequest request;
    for (const QString& f : folders) request.runs.push_back({f, QDir(f).dirName(), Qt::black});
    request.text = "1,2,3,4,5,6,7,8";
    return request;
}
}  // namespace

class TestTrainingHistory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void summaryAtEveryCheckpoint();
    void missingOrDamagedHistory();
};

void TestTrainingHistory::summaryAtEveryCheckpoint() {
    QTemporaryDir dir;
    const QString qkvRun = trainTiny(dir, qkv::Variant::Qkv);
    const QString qkRun = trainTiny(dir, qkv::Variant::SharedQk);
    QStringList problems;
    const qkvviews::AnalysisSet set = qkvapp::analyzeRuns(requestFor({qkvRun, qkRun}), &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    QCOMPARE(set.variants.size(), 2);
    for (const qkvviews::VariantAnalysis& v : set.variants) {
        const std::vector<int> steps = qkv::checkpointSteps(v.runId.toStdString());
        QCOMPARE(steps, (std::vector<int>{0, 2, 4, 6}));
        QCOMPARE(v.history.size(), int(steps.size()));
        for (int i = 0; i < v.history.size(); ++i) QCOMPARE(v.history[i].step, steps[size_t(i)]);
        // The last checkpoint is the run's model, on the same input: the same summary.
        QCOMPARE(v.history.back().summary.logitsAsymmetry, v.analysis.modelSummary.logitsAsymmetry);
    }
    for (const qkvviews::TrainingPoint& p : set.variants[1].history)
        QCOMPARE(p.summary.logitsAsymmetry, 0.0);  // Q = K, no positional bias: exactly symmetric
    for (const qkvviews::TrainingPoint& p : set.variants[0].history)
        QVERIFY2(p.summary.logitsAsymmetry > 0, qPrintable(QString::number(p.step)));
    // Training moved QKV's weights: its asymmetry is not the same number at every checkpoint.
    QVERIFY(set.variants[0].history.front().summary.logitsAsymmetry !=
            set.variants[0].history.back().summary.logitsAsymmetry);
}

void TestTrainingHistory::missingOrDamagedHistory() {
    QTemporaryDir dir;
    const QString run = trainTiny(dir, qkv::Variant::Qkv);
    const QString damaged = run + "/checkpoints/step-00000002.safetensors";
    qkv::writeFileAtomic(damaged.toStdString(), "junk");
    QStringList problems;
    qkvviews::AnalysisSet set = qkvapp::analyzeRuns(requestFor({run}), &problems);
    QCOMPARE(problems.size(), 1);  // the damaged file is named, the others are analysed
    QVERIFY(problems[0].contains("step-00000002"));
    QCOMPARE(set.variants.size(), 1);
    QCOMPARE(set.variants[0].history.size(), 3);
    QCOMPARE(set.variants[0].history[1].step, 4);
    // An older run without checkpoints/: analysed as before, no history, no problem.
    QVERIFY(QDir(run + "/checkpoints").removeRecursively());
    problems.clear();
    set = qkvapp::analyzeRuns(requestFor({run}), &problems);
    QVERIFY(problems.isEmpty());
    QCOMPARE(set.variants.size(), 1);
    QVERIFY(set.variants[0].history.isEmpty());
}

QTEST_GUILESS_MAIN(TestTrainingHistory)
#include "tst_training_history.moc"
