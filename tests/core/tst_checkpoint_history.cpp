// The checkpoint history of a run folder: one file per evaluation, each the model of its step
// bit for bit, thinned to at most kMaxCheckpointHistory files (first and latest kept), damaged
// files refused with IoError, and older folders without checkpoints/ have no history.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

#include "common/errors.h"
#include "data/dataset.h"
#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "io/safetensors.h"
#include "test_helpers.h"
#include "train/trainer.h"
#include "train/training_session.h"

using namespace qkv;

namespace {

// A tiny QKV run, trained into dir/qkv.
std::string train(const QTemporaryDir& dir, int steps, int evalEvery) {
    return qkvtest::trainTinyRun(dir, Variant::Qkv, steps, evalEvery);
}

bool sameState(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].name != b[i].name || a[i].shape != b[i].shape ||
            a[i].values.size() != b[i].values.size() ||
            std::memcmp(a[i].values.data(), b[i].values.data(),
                        a[i].values.size() * sizeof(float)) != 0)
            return false;
    }
    return true;
}

QString historyPath(const std::string& run, int step) {
    return QString::fromStdString(run) +
           QString("/checkpoints/step-%1.safetensors").arg(step, 8, 10, QChar('0'));
}

}  // namespace

class TstCheckpointHistory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void oneFilePerEvaluation();
    void checkpointIsTheModelOfItsStep();
    void trainingThinsToTheBound();
    void thinningKeepsFirstAndLatest();
    void damagedOrMissingFilesAreRefused();
    void foldersWithoutHistory();
};

void TstCheckpointHistory::oneFilePerEvaluation() {
    QTemporaryDir dir;
    const std::string run = train(dir, 7, 2);
    QCOMPARE(checkpointSteps(run), (std::vector<int>{0, 2, 4, 6, 7}));  // the last step too
    const RunFolder folder = readRunFolder(run);
    QCOMPARE(int(folder.result.curve.size()), 5);
    for (size_t i = 0; i < folder.result.curve.size(); ++i)
        QCOMPARE(folder.result.curve[i].step, checkpointSteps(run)[i]);
    // Same format and metadata as model.safetensors, with the file's own step.
    const SafetensorsFile f = readSafetensors(historyPath(run, 4).toStdString());
    QCOMPARE(f.metadata.at("step"), std::string("4"));
    QCOMPARE(f.metadata.at("variant"), std::string("qkv"));
    QCOMPARE(f.metadata.at("format"), std::string("qkvlab"));
}

void TstCheckpointHistory::checkpointIsTheModelOfItsStep() {
    QTemporaryDir dir;
    RunConfig r = qkvtest::tinyRunConfig(Variant::Qkv, 6, 2);
    auto data = makeDataset(r.task);
    data->configureModel(r.model);
    const std::string run = dir.filePath("run").toStdString();
    TrainingSession session(r, *data, run);
    // Step 2's model as the run folder holds it right after that evaluation...
    while (session.result().checkpointStep < 2 && !session.finished()) session.advance();
    const std::vector<NamedTensor> atStep2 = loadRunModel(readRunFolder(run)).state();
    while (!session.finished()) session.advance();
    const RunFolder folder = readRunFolder(run);
    // ...is still the history's step 2 once training went on; and training did change it.
    QVERIFY(sameState(loadCheckpointModel(folder, 2).state(), atStep2));
    const std::vector<NamedTensor> last = loadRunModel(folder).state();
    QVERIFY(!sameState(last, atStep2));
    QVERIFY(sameState(loadCheckpointModel(folder, 6).state(), last));
    QVERIFY(!sameState(loadCheckpointModel(folder, 0).state(), atStep2));
}

void TstCheckpointHistory::trainingThinsToTheBound() {
    QTemporaryDir dir;
    const std::string run = train(dir, 40, 1);  // 41 evaluations
    const std::vector<int> steps = checkpointSteps(run);
    QVERIFY(int(steps.size()) <= kMaxCheckpointHistory);
    // At 34 files (steps 0…33) every other intermediate one went: 0, 2, …, 32, 33; then
    // 34…40 were added.
    std::vector<int> expected;
    for (int s = 0; s <= 32; s += 2) expected.push_back(s);
    for (int s = 33; s <= 40; ++s) expected.push_back(s);
    QCOMPARE(steps, expected);
    QCOMPARE(QDir(QString::fromStdString(run) + "/checkpoints").entryList(QDir::Files).size(),
             int(expected.size()));
    // The latest history file is the run's model.
    const RunFolder folder = readRunFolder(run);
    QVERIFY(sameState(loadCheckpointModel(folder, 40).state(), loadRunModel(folder).state()));
}

void TstCheckpointHistory::thinningKeepsFirstAndLatest() {
    QTemporaryDir dir;
    const std::string run = dir.path().toStdString();
    QVERIFY(QDir().mkpath(dir.filePath("checkpoints")));
    for (int step = 0; step < 10; ++step)
        writeFileAtomic(historyPath(run, step * 10).toStdString(), "x");
    writeFileAtomic(dir.filePath("checkpoints/notes.txt").toStdString(), "not a checkpoint");
    thinCheckpointHistory(run, 5);
    // 10 → 0,20,40,60,80,90 (still 6 > 5) → 0,40,80,90.
    QCOMPARE(checkpointSteps(run), (std::vector<int>{0, 40, 80, 90}));
    QVERIFY(QFile::exists(dir.filePath("checkpoints/notes.txt")));  // only history files go
    thinCheckpointHistory(run, 33);
    QCOMPARE(checkpointSteps(run).size(), size_t(4));  // under the bound: nothing deleted
}

void TstCheckpointHistory::damagedOrMissingFilesAreRefused() {
    QTemporaryDir dir;
    const std::string run = train(dir, 4, 2);
    const RunFolder folder = readRunFolder(run);
    QVERIFY(!loadCheckpointModel(folder, 2).state().empty());
    const std::string good = readFile(historyPath(run, 2).toStdString());
    // Truncated, then not safetensors at all.
    writeFileAtomic(historyPath(run, 2).toStdString(), good.substr(0, good.size() / 2));
    QVERIFY_THROWS_EXCEPTION(IoError, loadCheckpointModel(folder, 2));
    writeFileAtomic(historyPath(run, 2).toStdString(), "garbage, not safetensors");
    QVERIFY_THROWS_EXCEPTION(IoError, loadCheckpointModel(folder, 2));
    QVERIFY_THROWS_EXCEPTION(IoError, loadCheckpointModel(folder, 3));  // never saved
    QVERIFY(!loadCheckpointModel(folder, 4).state().empty());           // the others still load
}

void TstCheckpointHistory::foldersWithoutHistory() {
    QTemporaryDir dir;
    const std::string run = train(dir, 2, 2);
    // A folder from before the history existed: no checkpoints/, no steps, still a run.
    QVERIFY(QDir(QString::fromStdString(run) + "/checkpoints").removeRecursively());
    QVERIFY(checkpointSteps(run).empty());
    const RunFolder folder = readRunFolder(run);
    QVERIFY_THROWS_EXCEPTION(IoError, loadCheckpointModel(folder, 0));
    QVERIFY(!loadRunModel(folder).state().empty());
    // Training into a folder with an older history starts a fresh one.
    QVERIFY(QDir().mkpath(QString::fromStdString(run) + "/checkpoints"));
    writeFileAtomic(historyPath(run, 99).toStdString(), "stale");
    train(dir, 2, 2);
    QCOMPARE(checkpointSteps(run), (std::vector<int>{0, 2}));
}

QTEST_GUILESS_MAIN(TstCheckpointHistory)
#include "tst_checkpoint_history.moc"
