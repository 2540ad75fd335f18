// The controller trains through its worker thread, cancels cleanly, reports failures, and
// opens run folders.
#include <QtTest>

#include <cmath>

#include <QTemporaryDir>

#include "experiment_controller.h"
#include "snapshot_builder.h"
#include "analysis_worker.h"
#include "io/run_folder.h"
#include "model/model_summary.h"
#include "data/dataset.h"
#include "test_helpers.h"
#include "train/trainer.h"

using namespace qkvapp;

namespace {
qkv::Experiment tinyExperiment(int steps) {
    qkv::Experiment e;
    e.name = "tiny";
    e.variants = {qkv::Variant::Qkv, qkv::Variant::SharedKv};
    e.base.task.kind = qkv::TaskKind::Copy;
    e.base.task.seqLen = 8;
    e.base.task.validationSize = 32;
    e.base.model.dModel = 16;
    e.base.model.heads = 2;
    e.base.model.layers = 1;
    e.base.train.steps = steps;
    e.base.train.batch = 8;
    e.base.train.evalEvery = 10;
    e.base.train.evalExamples = 32;
    e.base.train.warmupSteps = 2;
    return e;
}

QStringList runFolders(const ExperimentController& c) {
    QStringList out;
    for (const auto& e : c.workspace().experiments())
        for (const auto& r : e.runs) out << r.id;
    return out;
}
}  // namespace

class TestExperimentController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void trainsToCompletion();
    void cancelLeavesLoadableRuns();
    void failureIsReportedAndWorkspaceKeepsWorking();
    void opensRunFolders();
    void opensPretrainedModels();
    void seedsAreOneComparisonRow();
    void refusesImpossibleSettingsBeforeTraining();
    void runsOfTwoExperimentsAreToldApart();
    void planSummaryEqualsWhatTrainingBuilds_data();
    void planSummaryEqualsWhatTrainingBuilds();
};

void TestExperimentController::trainsToCompletion() {
    QTemporaryDir dir;
    ExperimentController c(dir.path());
    QSignalSpy finished(&c, &ExperimentController::trainingFinished);
    QSignalSpy curves(&c, &ExperimentController::curvesChanged);
    c.planExperiment(tinyExperiment(30));
    QVERIFY(c.train());
    QVERIFY(c.isTraining());
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY(!c.isTraining());
    // Publications are merged on a timer: the final curves arrive shortly after the end.
    auto lastSeries = [&] {
        return curves.isEmpty() ? QVector<qkvviews::CurveSeries>()
                                : curves.last().at(0).value<QVector<qkvviews::CurveSeries>>();
    };
    QTRY_VERIFY(lastSeries().size() == 2 && lastSeries()[0].steps.last() == 30.0);
    QCOMPARE(lastSeries()[1].steps.size(), 4);  // steps 0, 10, 20, 30
    for (const QString& id : runFolders(c)) {
        QVERIFY2(qkv::isRunFolder(id.toStdString()), qPrintable(id));
        const qkv::RunFolder f = qkv::readRunFolder(id.toStdString());
        QCOMPARE(f.result.stepsDone, 30);
        QCOMPARE(f.result.status, qkv::TrainStatus::Completed);
    }
}

void TestExperimentController::cancelLeavesLoadableRuns() {
    QTemporaryDir dir;
    ExperimentController c(dir.path());
    QSignalSpy finished(&c, &ExperimentController::trainingFinished);
    QSignalSpy workspace(&c, &ExperimentController::workspaceChanged);
    c.planExperiment(tinyExperiment(100000));
    QVERIFY(c.train());
    // Wait until the runs have started, then cancel mid-run.
    QTRY_VERIFY_WITH_TIMEOUT(!runFolders(c).isEmpty() && runFolders(c)[0].startsWith('/'), 20000);
    QTest::qWait(300);
    c.cancel();
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    for (const QString& id : runFolders(c)) {
        const qkv::RunFolder f = qkv::readRunFolder(id.toStdString());
        QCOMPARE(f.result.status, qkv::TrainStatus::Cancelled);
        QVERIFY(f.result.stepsDone < 100000);
        const qkv::Model m = qkv::loadRunModel(f);  // weights of the last checkpoint load
        QCOMPARE(m.config().variant, f.config.model.variant);
    }
}

void TestExperimentController::failureIsReportedAndWorkspaceKeepsWorking() {
    QTemporaryDir dir;
    ExperimentController c(dir.path());
    QSignalSpy errors(&c, &ExperimentController::errorOccurred);
    qkv::Experiment e = tinyExperiment(10);
    e.base.task.kind = qkv::TaskKind::Text;
    e.base.task.dataPath = dir.filePath("missing.txt").toStdString();
    c.planExperiment(e);
    QVERIFY(c.train());
    QVERIFY(errors.wait(20000));
    QVERIFY(errors.at(0).at(0).toString().contains("missing.txt"));
    QVERIFY(!c.isTraining());
    // The workspace still trains the next experiment.
    QSignalSpy finished(&c, &ExperimentController::trainingFinished);
    c.planExperiment(tinyExperiment(10));
    QVERIFY(c.train());
    QVERIFY(finished.wait(60000));
}

void TestExperimentController::opensRunFolders() {
    QTemporaryDir dir;
    QStringList trained;
    {
        ExperimentController c(dir.path());
        QSignalSpy finished(&c, &ExperimentController::trainingFinished);
        c.planExperiment(tinyExperiment(10));
        QVERIFY(c.train());
        QVERIFY(finished.wait(60000));
        trained = runFolders(c);
    }
    ExperimentController c(dir.path());
    QSignalSpy errors(&c, &ExperimentController::errorOccurred);
    const QString experimentFolder = QFileInfo(trained[0]).absolutePath();
    QVERIFY(c.openFolder(experimentFolder));
    QCOMPARE(runFolders(c).size(), 2);
    QVERIFY(!c.openFolder(dir.path() + "/nothing-here"));
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.at(0).at(0).toString().contains("neither a model nor a folder of runs"));
    // A corrupt run is reported, the others still open.
    QFile::resize(trained[1] + "/model.safetensors", 0);
    QFile::remove(trained[1] + "/config.json");
    QFile bad(trained[1] + "/config.json");
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{ not json");
    bad.close();
    ExperimentController again(dir.path());
    QSignalSpy againErrors(&again, &ExperimentController::errorOccurred);
    QVERIFY(again.openFolder(experimentFolder));
    QCOMPARE(runFolders(again).size(), 1);
    QCOMPARE(againErrors.count(), 1);
}

void TestExperimentController::refusesImpossibleSettingsBeforeTraining() {
    QTemporaryDir dir;
    ExperimentController c(dir.path());
    QSignalSpy errors(&c, &ExperimentController::errorOccurred);
    qkv::Experiment e = tinyExperiment(10);
    e.variants = {qkv::Variant::SharedQk};
    e.base.model.kvHeads = 1;
    c.planExperiment(e);
    QVERIFY(!c.train());
    QVERIFY(!c.isTraining());
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.at(0).at(0).toString().contains("kv-heads"));
}

// A llama2.c checkpoint and a Hugging Face folder join the "Loaded models" experiment under
// their own names, with their source; opening one again selects it; the Analysis worker
// analyses them through their tokenizer.
void TestExperimentController::opensPretrainedModels() {
    QTemporaryDir dir;
    ExperimentController c(dir.path());
    QSignalSpy errors(&c, &ExperimentController::errorOccurred);
    const QString stories = qkvtest::sharedModels() + "/stories260K/stories260K.bin";
    QVERIFY(c.openFolder(stories));
    QVERIFY(c.openFolder(stories));  // again: selected, not duplicated
    QVERIFY(c.openFolder(qkvtest::pretrainedFixtures() + "/gpt2"));
    QCOMPARE(errors.count(), 0);
    const auto& experiments = c.workspace().experiments();
    QCOMPARE(int(experiments.size()), 1);
    QCOMPARE(experiments[0].name, QString(ExperimentController::kLoadedExperiment));
    QCOMPARE(int(experiments[0].runs.size()), 2);
    const RunEntry& run = experiments[0].runs[0];
    QCOMPARE(run.displayName(), QString("stories260K"));
    QVERIFY(run.loaded());
    QVERIFY2(run.source.contains("llama2.c checkpoint") && run.source.contains("512 tokens"),
             qPrintable(run.source));
    QVERIFY(experiments[0].runs[1].source.contains("no tokenizer"));

    AnalysisRequest request;
    request.runs.push_back({run.id, run.displayName(), run.color});
    request.text = "Once upon a time";
    QStringList problems;
    const qkvviews::AnalysisSet set = analyzeRuns(request, &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    QCOMPARE(set.variants.size(), 1);
    const auto& labels = set.variants[0].analysis.input.labels;
    QCOMPARE(labels.front(), std::string("<s>"));  // BOS, then the pieces
    QCOMPARE(labels[1], std::string("\xE2\x90\xA3Once"));
    QCOMPARE(int(set.variants[0].analysis.layers.size()), 5);
    QVERIFY(set.variants[0].history.isEmpty());  // no checkpoints outside a run folder
}

// Several seeds: planned as one run per variant and seed, trained, then one comparison row per
// variant with the mean, the sample std and every seed's loss.
void TestExperimentController::seedsAreOneComparisonRow() {
    QTemporaryDir dir;
    ExperimentController c(dir.path());
    qkv::Experiment e = tinyExperiment(6);
    e.seeds = {1, 2};
    c.planExperiment(e);
    QCOMPARE(int(c.workspace().experiments().back().runs.size()), 2 * int(e.variants.size()));
    QSignalSpy finished(&c, &ExperimentController::trainingFinished);
    QSignalSpy rows(&c, &ExperimentController::comparisonChanged);
    QVERIFY(c.train());
    QVERIFY(finished.wait(60000));
    QTRY_VERIFY(!rows.isEmpty());
    const auto table = rows.last().at(0).value<QVector<qkvviews::ComparisonRow>>();
    QCOMPARE(table.size(), int(e.variants.size()));
    const qkvviews::ComparisonRow& row = table.front();
    QCOMPARE(row.seeds, 2);
    const QStringList losses = row.seedLosses.split("; ");
    QCOMPARE(losses.size(), 2);
    const double a = losses[0].toDouble(), b = losses[1].toDouble();
    QVERIFY(std::abs(row.loss - (a + b) / 2) < 1e-4);
    QVERIFY(std::abs(row.lossStd - std::abs(a - b) / std::sqrt(2.0)) < 1e-4);
}




// The plan on show must be what training builds: Presets > char-lm once showed an encoder of
// 798,730 parameters for a decoder of 824.3K (the corpus decides the vocabulary).
void TestExperimentController::planSummaryEqualsWhatTrainingBuilds_data() {
    QTest::addColumn<int>("task");
    QTest::newRow("copy") << int(qkv::TaskKind::Copy);
    QTest::newRow("follow") << int(qkv::TaskKind::Follow);
    QTest::newRow("text") << int(qkv::TaskKind::Text);
}

void TestExperimentController::planSummaryEqualsWhatTrainingBuilds() {
    QFETCH(int, task);
    QTemporaryDir dir;
    qkv::Experiment e = tinyExperiment(2);
    e.base.task.kind = qkv::TaskKind(task);
    e.base.task.vocab = 12;
    if (e.base.task.kind == qkv::TaskKind::Text)
        e.base.task.dataPath = qkvtest::writeBytes(dir, "corpus.txt", std::string(400, 'a') + "the quick brown fox\n");
    ExperimentController c(dir.filePath("workspace"));
    QSignalSpy resolved(&c, &ExperimentController::planResolved);
    c.planExperiment(e);
    QVERIFY(resolved.wait(30000));
    const RunEntry planned = c.workspace().experiments().back().runs[0];
    QSignalSpy finished(&c, &ExperimentController::trainingFinished);
    QVERIFY(c.train());
    QVERIFY(finished.wait(60000));
    const QString folder = c.workspace().experiments().back().folder + "/qkv";
    const qkv::RunFolder trained = qkv::readRunFolder(folder.toStdString());
    QCOMPARE(int(planned.config.model.arch), int(trained.config.model.arch));
    QCOMPARE(planned.config.model.vocab, trained.config.model.vocab);
    QCOMPARE(planned.config.model.context, trained.config.model.context);
    QCOMPARE(qkv::summarize(planned.config.model).parameters, qkv::summarize(trained.config.model).parameters);
}

// Two experiments with a QKV run each: every list names them apart and draws them in two shades.
void TestExperimentController::runsOfTwoExperimentsAreToldApart() {
    QTemporaryDir a, b;
    const QString first = QString::fromStdString(qkvtest::trainTinyRun(a, qkv::Variant::Qkv));
    const QString second = QString::fromStdString(qkvtest::trainTinyRun(b, qkv::Variant::Qkv));
    ExperimentController c(a.filePath("workspace"));
    QVERIFY(c.openFolder(first));
    const auto alone = analyzableRuns(c.workspace());
    QCOMPARE(alone.size(), 1);
    QCOMPARE(alone[0].label, QString("QKV"));  // one experiment: the variant says it all
    QVERIFY(c.openFolder(second));
    const auto both = analyzableRuns(c.workspace());
    QCOMPARE(both.size(), 2);
    QVERIFY2(both[0].label != both[1].label, qPrintable(both[0].label));
    QVERIFY(both[0].label.endsWith(" / QKV") && both[1].label.endsWith(" / QKV"));
    QVERIFY(both[0].color != both[1].color);
    const auto curves = curveSeries(c.workspace());
    QCOMPARE(curves.size(), 2);
    QVERIFY(curves[0].label != curves[1].label);
    QVERIFY(curves[0].color != curves[1].color);
    QCOMPARE(curves[0].experimentIndex, 0);  // no marker on the first experiment's evaluations
    QCOMPARE(curves[1].experimentIndex, 1);  // the second's carry one

    // Folders of the same name in two places, beside a plan of that name: three names.
    QTemporaryDir root;
    QDir().mkpath(root.filePath("x/demo"));
    QDir().mkpath(root.filePath("y/demo"));
    qkvtest::copyFolder(first, root.filePath("x/demo/qkv"));
    qkvtest::copyFolder(second, root.filePath("y/demo/qkv"));
    ExperimentController d(root.filePath("workspace"));
    qkv::Experiment plan = tinyExperiment(2);
    plan.name = "demo";
    d.planExperiment(plan);
    QVERIFY(d.openFolder(root.filePath("x/demo")));
    QVERIFY(d.openFolder(root.filePath("y/demo")));
    QStringList names;
    for (const auto& e : d.workspace().experiments()) names << e.name;
    QCOMPARE(names, (QStringList{"demo", "x/demo", "y/demo"}));
    // The plan draws nothing, so the first trained QKV keeps the variant's own colour.
    const auto runs = analyzableRuns(d.workspace());
    QCOMPARE(runs.size(), 2);
    QCOMPARE(runs[0].color, Workspace::variantColor(qkv::Variant::Qkv));
    QVERIFY(runs[0].group.isEmpty() && runs[1].group.isEmpty());  // one seed each

    // Two seeds of QKV in one experiment: named apart, analysed as one variant over seeds.
    QTemporaryDir s;
    for (int seed : {1, 2}) {
        qkv::RunConfig r = qkvtest::tinyRunConfig(qkv::Variant::Qkv);
        r.train.seed = seed;
        auto data = qkv::makeDataset(r.task);
        data->configureModel(r.model);
        qkv::trainRun(r, *data, s.filePath(QString("seeds/qkv-%1").arg(seed)).toStdString());
    }
    ExperimentController e(s.filePath("workspace"));
    QVERIFY(e.openFolder(s.filePath("seeds")));
    const auto seeds = analyzableRuns(e.workspace());
    QCOMPARE(seeds.size(), 2);
    QCOMPARE(seeds[0].label, QString("QKV · seed 1"));
    QCOMPARE(seeds[1].label, QString("QKV · seed 2"));
    QCOMPARE(seeds[0].group, QString("QKV"));
    QCOMPARE(seeds[1].group, QString("QKV"));
    const auto tree = workspaceItems(e.workspace());  // the workspace tree names them apart too
    QCOMPARE(tree.back().runs.size(), 2);
    QCOMPARE(tree.back().runs[1].label, QString("QKV · seed 2"));
}

QTEST_MAIN(TestExperimentController)
#include "tst_experiment_controller.moc"
