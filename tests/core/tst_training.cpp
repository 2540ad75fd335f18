// Training: the loss falls for every variant, one seed gives one curve, cancel and divergence
// leave a loadable run folder, and the learning-rate schedule has its closed form.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>

#include "common/errors.h"
#include "data/dataset.h"
#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "test_helpers.h"
#include "train/lr_schedule.h"
#include "train/trainer.h"

using namespace qkv;

namespace {

// The tiny setting every run here uses: sort, vocabulary 10, T 8, d 32, 2 layers, 4 heads.
RunConfig tinyRun(Variant v, int kvHeads = 0, bool posBias = false) {
    RunConfig r;
    r.name = variantId(v);
    // sort needs attention (each output depends on every input) but no direction, so every
    // variant, including the symmetric Q = K ones, can learn it in a hundred steps; copy would
    // not exercise attention at all (the tied embedding already copies at initialisation).
    r.task.kind = TaskKind::Sort;
    r.task.vocab = 10;
    r.task.seqLen = 8;
    r.task.seed = 1;
    r.task.validationSize = 128;
    r.model.variant = v;
    r.model.dModel = 32;
    r.model.layers = 2;
    r.model.heads = 4;
    r.model.kvHeads = kvHeads;
    r.model.posBias = posBias;
    r.train.steps = 120;
    r.train.batch = 16;
    r.train.lr = 1e-2;
    r.train.warmupSteps = 10;
    r.train.evalEvery = 60;
    r.train.evalExamples = 128;
    r.train.seed = 1;
    return r;
}

struct Prepared {
    RunConfig run;
    std::unique_ptr<Dataset> data;
};

Prepared prepare(RunConfig run) {
    Prepared p;
    p.data = makeDataset(run.task);
    p.data->configureModel(run.model);
    p.run = run;
    return p;
}

QJsonObject metricsJson(const QString& dir) {
    return QJsonDocument::fromJson(
               QByteArray::fromStdString(readFile((dir + "/metrics.json").toStdString())))
        .object();
}

bool allFinite(const Model& m) {
    for (const NamedTensor& t : m.state())
        for (float v : t.values)
            if (!std::isfinite(v)) return false;
    return true;
}

}  // namespace

class TstTraining : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lossFalls_data();
    void lossFalls();
    void sameSeedSameCurve();
    void cancelLeavesLoadableRun();
    void divergenceIsReported();
    void nanValidationIsNotCompleted();
    void learningRateSchedule();
    void textLanguageModel();
    void refusesBadSettings();
};

void TstTraining::lossFalls_data() {
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<bool>("posBias");
    for (Variant v : allVariants()) QTest::newRow(variantId(v).c_str()) << int(v) << 0 << false;
    QTest::newRow("single+pos-bias") << int(Variant::Single) << 0 << true;
    QTest::newRow("shared-kv g=2 of 4") << int(Variant::SharedKv) << 2 << false;
}

void TstTraining::lossFalls() {
    QFETCH(int, variant);
    QFETCH(int, kvHeads);
    QFETCH(bool, posBias);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    Prepared p = prepare(tinyRun(Variant(variant), kvHeads, posBias));
    const int steps = p.run.train.steps, every = p.run.train.evalEvery;
    // Recorded here and checked below: a failed QCOMPARE inside the callback would only leave
    // the callback, not the test.
    std::vector<TrainProgress> seen;
    const TrainResult r = trainRun(p.run, *p.data, tmp.path().toStdString(),
                                   [&](const TrainProgress& pr) { seen.push_back(pr); });
    QCOMPARE(int(seen.size()), steps);
    for (int i = 0; i < steps; ++i) {
        QCOMPARE(seen[size_t(i)].step, i + 1);
        QCOMPARE(seen[size_t(i)].totalSteps, steps);
        QCOMPARE(seen[size_t(i)].evaluated, (i + 1) % every == 0);
        QVERIFY(std::isfinite(seen[size_t(i)].trainLoss));
    }
    QCOMPARE(int(r.status), int(TrainStatus::Completed));
    QVERIFY(r.message.empty());
    QCOMPARE(r.stepsDone, steps);
    QCOMPARE(r.checkpointStep, steps);
    QCOMPARE(r.curve.size(), size_t(steps / every + 1));
    QCOMPARE(r.curve.front().step, 0);
    QCOMPARE(r.curve.back().step, steps);

    const double start = r.curve.front().validation.loss, end = r.final.loss;
    // A fresh model is close to uniform over 10 tokens.
    QVERIFY2(std::abs(start - std::log(10.0)) < 0.3, qPrintable(QString::number(start)));
    QVERIFY(end == r.curve.back().validation.loss);
    QVERIFY2(end < 0.5 * start, qPrintable(QString("loss %1 → %2").arg(start).arg(end)));
    QVERIFY(r.final.accuracy > r.curve.front().validation.accuracy + 0.3);
    QVERIFY(std::isnan(r.final.perplexity));  // an encoder task has no perplexity
    // Mean training loss over each interval falls too.
    QVERIFY(r.curve[2].trainLoss < r.curve[1].trainLoss);

    // The folder holds the final model: evaluating it again gives the recorded metrics.
    const RunFolder folder = readRunFolder(tmp.path().toStdString());
    QCOMPARE(folder.result.checkpointStep, steps);
    const EvalMetrics again = evaluate(loadRunModel(folder), *p.data, p.run.train.evalExamples);
    QVERIFY(again.loss == end);
}

void TstTraining::sameSeedSameCurve() {
    QTemporaryDir a, b, c;
    QVERIFY(a.isValid() && b.isValid() && c.isValid());
    RunConfig run = tinyRun(Variant::SharedKv, 2);
    run.train.steps = 40;
    run.train.evalEvery = 5;
    Prepared p = prepare(run);
    std::vector<double> lossesA, lossesB;
    const TrainResult ra =
        trainRun(p.run, *p.data, a.path().toStdString(),
                 [&](const TrainProgress& pr) { lossesA.push_back(pr.trainLoss); });
    // A second dataset object too: nothing may leak from the first run.
    Prepared q = prepare(run);
    const TrainResult rb =
        trainRun(q.run, *q.data, b.path().toStdString(),
                 [&](const TrainProgress& pr) { lossesB.push_back(pr.trainLoss); });
    QCOMPARE(ra.curve.size(), size_t(9));
    QCOMPARE(rb.curve.size(), ra.curve.size());
    for (size_t i = 0; i < ra.curve.size(); ++i) {
        const CurvePoint &x = ra.curve[i], &y = rb.curve[i];
        QCOMPARE(x.step, y.step);
        QVERIFY(x.trainLoss == y.trainLoss || (std::isnan(x.trainLoss) && std::isnan(y.trainLoss)));
        QVERIFY(x.validation.loss == y.validation.loss);
        QVERIFY(x.validation.accuracy == y.validation.accuracy);
        QVERIFY(x.learningRate == y.learningRate);
    }
    QCOMPARE(lossesA.size(), size_t(40));
    QVERIFY(lossesA == lossesB);  // every step, bit for bit
    // The saved weights are byte-identical.
    QVERIFY(readFile(a.path().toStdString() + "/model.safetensors") ==
            readFile(b.path().toStdString() + "/model.safetensors"));

    // Another model seed gives another curve, so the equalities above are not vacuous.
    RunConfig other = run;
    other.train.seed = 2;
    Prepared o = prepare(other);
    const TrainResult rc = trainRun(o.run, *o.data, c.path().toStdString());
    QVERIFY(rc.curve.back().validation.loss != ra.curve.back().validation.loss);
}

void TstTraining::cancelLeavesLoadableRun() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    Prepared p = prepare(tinyRun(Variant::Qkv));
    std::atomic<bool> cancel{false};
    int lastStep = 0;
    const TrainResult r = trainRun(
        p.run, *p.data, tmp.path().toStdString(),
        [&](const TrainProgress& pr) {
            lastStep = pr.step;
            if (pr.step == 5) cancel = true;
        },
        &cancel);
    QCOMPARE(int(r.status), int(TrainStatus::Cancelled));
    QCOMPARE(lastStep, 5);
    QCOMPARE(r.stepsDone, 5);
    QCOMPARE(r.checkpointStep, 0);  // no evaluation between steps 1 and 5
    QVERIFY2(QString::fromStdString(r.message).contains("cancel"), r.message.c_str());

    QCOMPARE(metricsJson(tmp.path()).value("status").toString(), QString("cancelled"));
    const RunFolder folder = readRunFolder(tmp.path().toStdString());
    QCOMPARE(int(folder.result.status), int(TrainStatus::Cancelled));
    QCOMPARE(folder.result.message, r.message);
    const Model m = loadRunModel(folder);
    QVERIFY(allFinite(m));
    // The folder holds the step-0 checkpoint: the freshly initialised model.
    const EvalMetrics e = evaluate(m, *p.data, p.run.train.evalExamples);
    QVERIFY(e.loss == r.curve.front().validation.loss);
}

void TstTraining::divergenceIsReported() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    RunConfig run = tinyRun(Variant::Qkv);
    run.train.lr = 1e6;
    run.train.gradClip = 0;
    run.train.steps = 60;
    run.train.evalEvery = 1;  // a checkpoint after every step, right up to the divergence
    Prepared p = prepare(run);
    const TrainResult r = trainRun(p.run, *p.data, tmp.path().toStdString());
    QCOMPARE(int(r.status), int(TrainStatus::Diverged));
    QVERIFY2(QString::fromStdString(r.message).contains("loss became"), r.message.c_str());
    QVERIFY(r.stepsDone < run.train.steps);

    QCOMPARE(metricsJson(tmp.path()).value("status").toString(), QString("diverged"));
    const RunFolder folder = readRunFolder(tmp.path().toStdString());
    QCOMPARE(int(folder.result.status), int(TrainStatus::Diverged));
    QCOMPARE(folder.result.message, r.message);
    const Model m = loadRunModel(folder);  // still a loadable run

    // "The last good checkpoint stays": what the folder holds must be a usable model.
    const bool good = allFinite(m) && std::isfinite(folder.result.final.loss);
    QVERIFY2(good, qPrintable(QString("checkpoint step %1, validation loss %2, weights finite: %3")
                                  .arg(folder.result.checkpointStep)
                                  .arg(folder.result.final.loss)
                                  .arg(allFinite(m))));
}

void TstTraining::nanValidationIsNotCompleted() {
    // Two steps at lr 1e6: both training losses are finite, but the second update leaves a model
    // whose validation loss is NaN (seen in divergenceIsReported). Such a run did not complete.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    RunConfig run = tinyRun(Variant::Qkv);
    run.train.lr = 1e6;
    run.train.gradClip = 0;
    run.train.steps = 2;
    run.train.evalEvery = 1;
    Prepared p = prepare(run);
    const TrainResult r = trainRun(p.run, *p.data, tmp.path().toStdString());
    QVERIFY(std::isfinite(r.curve.front().validation.loss));
    const bool consistent = r.status != TrainStatus::Completed || std::isfinite(r.final.loss);
    QVERIFY2(consistent, qPrintable(QString("status %1, final loss %2")
                                        .arg(QString::fromStdString(statusId(r.status)))
                                        .arg(r.final.loss)));
}

void TstTraining::learningRateSchedule() {
    TrainConfig c;
    c.steps = 101;
    c.lr = 0.01;
    c.warmupSteps = 10;
    c.minLrFraction = 0.1;
    const double floor = 0.001;
    // Linear warm-up: equal increments, never zero, reaching the peak at its last step.
    QVERIFY(learningRateAt(c, 0) > 0);
    for (int s = 0; s < 10; ++s) QCOMPARE(learningRateAt(c, s), c.lr * (s + 1) / 10.0);
    QCOMPARE(learningRateAt(c, 9), c.lr);
    QCOMPARE(learningRateAt(c, 10), c.lr);
    // Cosine from the peak to the floor over steps 10 … 100.
    for (int s = 10; s <= 100; ++s) {
        const double progress = (s - 10) / 90.0;
        QCOMPARE(learningRateAt(c, s),
                 floor + 0.5 * (c.lr - floor) * (1 + std::cos(M_PI * progress)));
        if (s > 10) QVERIFY(learningRateAt(c, s) < learningRateAt(c, s - 1));
    }
    QCOMPARE(learningRateAt(c, 55), (c.lr + floor) / 2);  // half-way
    QCOMPARE(learningRateAt(c, 100), floor);              // the last step sits on the floor
    QCOMPARE(learningRateAt(c, 500), floor);              // and stays there

    TrainConfig noWarmup = c;
    noWarmup.warmupSteps = 0;
    QCOMPARE(learningRateAt(noWarmup, 0), c.lr);
    QCOMPARE(learningRateAt(noWarmup, 100), floor);
}

void TstTraining::textLanguageModel() {
    QTemporaryDir tmp, out;
    QVERIFY(tmp.isValid() && out.isValid());
    std::string text;
    for (int i = 0; i < 40; ++i) text += "the cat sat on the mat → café\n";
    const std::string file = qkvtest::writeBytes(tmp, "corpus.txt", text);
    RunConfig run = tinyRun(Variant::SharedKv);
    run.task.kind = TaskKind::Text;
    run.task.dataPath = file;
    run.task.seqLen = 16;
    run.task.validationSize = 16;
    run.train.steps = 10;
    run.train.evalEvery = 5;
    Prepared p = prepare(run);
    QCOMPARE(int(p.run.model.arch), int(Architecture::Decoder));
    const TrainResult r = trainRun(p.run, *p.data, out.path().toStdString());
    QCOMPARE(int(r.status), int(TrainStatus::Completed));
    QCOMPARE(r.curve.size(), size_t(3));
    for (const CurvePoint& pt : r.curve) {
        QVERIFY(std::isfinite(pt.validation.perplexity));
        QCOMPARE(pt.validation.perplexity, std::exp(pt.validation.loss));
        QVERIFY(pt.validation.accuracy >= 0 && pt.validation.accuracy <= 1);
    }
    QVERIFY(std::isfinite(r.final.perplexity));
    QCOMPARE(r.final.perplexity, std::exp(r.final.loss));
    QVERIFY(r.final.loss < r.curve.front().validation.loss);
    // The run folder records the alphabet, so the run can be evaluated later.
    QVERIFY(!readRunFolder(out.path().toStdString()).config.task.alphabet.empty());
}

void TstTraining::refusesBadSettings() {
    QTemporaryDir tmp;
    Prepared p = prepare(tinyRun(Variant::Qkv));
    auto expect = [&](RunConfig run, const QString& fragment) {
        try {
            trainRun(run, *p.data, tmp.path().toStdString());
            QFAIL(qPrintable("accepted; expected an error about " + fragment));
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
        }
    };
    RunConfig r = p.run;
    r.train.steps = 0;
    expect(r, "steps");
    r = p.run;
    r.train.lr = -1;
    expect(r, "lr");
    r = p.run;
    r.train.batch = 0;
    expect(r, "batch");
    r = p.run;
    r.model.kvHeads = 3;
    expect(r, "must divide heads");
}

QTEST_GUILESS_MAIN(TstTraining)
#include "tst_training.moc"
