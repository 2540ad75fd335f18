// qkvlab export-torch: the folder it writes trains the experiment with torchrun (two processes,
// gloo, Debian's python3-torch) from any working directory, into run folders core opens, with
// the variants, seeds and steps asked for; and its errors are one line with exit code 2.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <sstream>

#include "bridge/torch_export.h"
#include "cli.h"
#include "io/run_folder.h"
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
    r.out = out.str(), r.err = err.str();
    return r;
}
}  // namespace

class TestExportTorch : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { Q_INIT_RESOURCE(qkvlab); }

    void theFolderTrainsWithTorchrun() {
        QTemporaryDir dir;
        const std::string out = dir.filePath("bridge with space").toStdString();
        const CliRun r = run({"export-torch", "--preset", "demo", "--variants", "qkv,single", "--seeds", "1,2",
                              "--steps", "6", "--eval-every", "3", "--d-model", "16", "--batch", "5",
                              "--nproc", "2", "--out", out});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY(r.out.find("sh '" + out + "/run.sh'") != std::string::npos);
        QVERIFY(r.out.find("torchrun --standalone --nproc_per_node 2") != std::string::npos);
        const QString folder = QString::fromStdString(out);
        QVERIFY(QFileInfo(folder + "/run.sh").isExecutable());
        QVERIFY(QFileInfo::exists(folder + "/qkvlab_torch/model.py"));
        QVERIFY(QFileInfo::exists(folder + "/qkvlab_torch/train.py"));
        // The experiment round-trips through the preset format.
        const qkv::Experiment e = qkv::loadExperiment((folder + "/experiment.json").toStdString());
        QCOMPARE(int(e.variants.size()), 2);
        QCOMPARE(e.seeds, (std::vector<uint64_t>{1, 2}));
        QCOMPARE(e.base.train.steps, 6);

        // Run from another working directory, with the interpreter that has torch; the extra
        // argument goes through to the trainer.
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("PYTHON", qEnvironmentVariable("QKVLAB_PYTHON", "/usr/bin/python3"));
        env.insert("OMP_NUM_THREADS", "1");
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(QDir::tempPath());
        p.start("/bin/sh", {folder + "/run.sh", "--threads", "1"});
        QVERIFY(p.waitForFinished(300000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().right(3000).constData());
        for (const char* name : {"qkv-seed1", "qkv-seed2", "single-seed1", "single-seed2"}) {
            const qkv::RunFolder f = qkv::readRunFolder((folder + "/runs/" + name).toStdString());
            QCOMPARE(f.result.status, qkv::TrainStatus::Completed);
            QCOMPARE(f.result.stepsDone, 6);
            QCOMPARE(int(f.result.curve.size()), 3);  // steps 0, 3, 6
            QCOMPARE(f.config.model.dModel, 16);
            QVERIFY(std::isfinite(f.result.final.loss));
        }
        // A second run resumes: everything is done, nothing is trained again.
        p.start("/bin/sh", {folder + "/run.sh", "--threads", "1"});
        QVERIFY(p.waitForFinished(300000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains("already trained"));
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("words");
        QTest::newRow("no --out") << QStringList{"--preset", "demo"} << "give --out DIR";
        QTest::newRow("unknown preset") << QStringList{"--preset", "nope", "--out", "x"} << "no preset file";
        QTest::newRow("bad nproc") << QStringList{"--nproc", "0", "--out", "x"} << "--nproc must be between 1";
        QTest::newRow("impossible variant") << QStringList{"--variants", "single", "--kv-heads", "2", "--out", "x"}
                                            << "kv-heads";
        QTest::newRow("stray argument") << QStringList{"demo", "--out", "x"} << "unexpected argument";
    }

    void badInput() {
        QFETCH(QStringList, args);
        QFETCH(QString, words);
        QTemporaryDir dir;
        QDir::setCurrent(dir.path());
        std::vector<std::string> a{"export-torch"};
        for (const QString& s : args) a.push_back(s.toStdString());
        const CliRun r = run(a);
        QCOMPARE(r.code, 2);
        QVERIFY2(QString::fromStdString(r.err).contains(words), r.err.c_str());
        QCOMPARE(QString::fromStdString(r.err).count('\n'), 1);
        QVERIFY(!QFileInfo::exists(dir.filePath("x/run.sh")));
    }

    void aFileInTheWayIsRefused() {
        QTemporaryDir dir;
        QFile f(dir.filePath("taken"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const CliRun r = run({"export-torch", "--out", dir.filePath("taken").toStdString()});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.find("is not a folder") != std::string::npos, r.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestExportTorch)
#include "tst_export_torch.moc"
