// Saves survive SIGKILL. A child process (this executable, with --child KIND DIR) saves the same
// file again and again, alternating between two complete versions; the parent kills it at many
// points spread over the write and then checks that every file is one of the two versions,
// complete and loadable, and that the temporary files a killed writer leaves behind are never
// taken for good ones. Kinds: a run folder's weights (model.safetensors), its metrics.json, the
// checkpoint history (with its thinning, which deletes files) and a figure export's files. The
// child says where it is ("begin N" / "end N"), so the test knows its kills landed mid-write.
#include <QtTest>

#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <csignal>
#include <cstring>
#include <iostream>

#include "figure_manifest.h"
#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "io/run_metrics_json.h"
#include "model/model.h"
#include "test_helpers.h"

using namespace qkv;

namespace {

constexpr int kKillsPerKind = 24;

RunConfig bigRun() {  // about 10 M parameters: a write of ~40 MB, long enough to land kills in
    RunConfig r;
    r.name = "qkv";
    r.model.arch = Architecture::Decoder;
    r.model.dModel = 384, r.model.layers = 6, r.model.heads = 6, r.model.vocab = 64, r.model.context = 32;
    r.task.kind = TaskKind::Copy, r.task.vocab = 64, r.task.seqLen = 32;
    r.train.steps = 1000000;
    return r;
}

TrainResult resultWithPoints(int points) {
    TrainResult t;
    for (int i = 0; i < points; ++i) {
        CurvePoint p;
        p.step = i;
        p.trainLoss = 1.0 + i;
        p.validation.loss = 2.0 + i;
        p.validation.accuracy = 0.5;
        t.curve.push_back(p);
        t.trainLog.push_back({i, 3.0 + i});
    }
    t.stepsDone = points;
    return t;
}

QByteArray exportVersion(int version) {  // 16 MB a file, its version in every byte
    return QByteArray(16 << 20, char('A' + version));
}

// The child: saves forever, printing "ready" after the first complete save.
int child(const QString& kind, const QString& dir) {
    const RunConfig run = bigRun();
    const Model a(run.model, 1), b(run.model, 2);
    const std::string d = dir.toStdString();
    for (long i = 0;; ++i) {
        const int version = int(i % 2);
        std::cout << "begin " << i << std::endl;  // the parent sees where the kill landed
        if (kind == "weights") {
            saveRunFolder(d, run, version ? b : a, resultWithPoints(3));
        } else if (kind == "metrics") {
            saveRunMetrics(d, resultWithPoints(version ? 20000 : 3));
        } else if (kind == "checkpoints") {
            saveCheckpointHistory(d, run, version ? b : a, int(i));
        } else if (kind == "export") {
            QString error;
            for (const char* name : {"figure.png", "figure.pdf", "figure.csv"})
                if (!qkvapp::writeFileAtomic(dir + "/" + name, exportVersion(version), &error)) {
                    std::cerr << error.toStdString() << '\n';
                    return 1;
                }
        } else {
            return 2;
        }
        std::cout << "end " << i << std::endl;
    }
}

// A killed writer leaves nothing another reader could take for a file: QSaveFile writes into an
// unnamed file (O_TMPFILE) or "<name>.XXXXXX", and only a complete one is renamed into place.
bool hasStrayFiles(const QString& dir) {
    static const QRegularExpression expected(
        "^(config\\.json|metrics\\.json|model\\.safetensors|figure\\.(png|pdf|csv)|step-\\d{8}\\.safetensors)"
        "(\\.[A-Za-z0-9]{6})?$");  // with the suffix: a temporary file, which no reader opens
    for (QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories); it.hasNext();) {
        it.next();
        if (!expected.match(it.fileName()).hasMatch()) {
            qWarning("stray file %s", qPrintable(it.filePath()));
            return true;
        }
    }
    return false;
}

bool isOneOf(const std::vector<NamedTensor>& state, const Model& a, const Model& b) {
    auto same = [&](const Model& m) {
        const auto expected = m.state();
        if (expected.size() != state.size()) return false;
        for (size_t i = 0; i < state.size(); ++i)
            if (state[i].values != expected[i].values) return false;
        return true;
    };
    return same(a) || same(b);
}

}  // namespace

class TestCrashSafeSaves : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void survivesSigkill_data() {
        QTest::addColumn<QString>("kind");
        for (const char* k : {"weights", "metrics", "checkpoints", "export"}) QTest::newRow(k) << k;
    }

    void survivesSigkill() {
        QFETCH(QString, kind);
        QTemporaryDir dir;
        const RunConfig run = bigRun();
        const Model a(run.model, 1), b(run.model, 2);
        int killedMidWrite = 0;
        for (int k = 0; k < kKillsPerKind; ++k) {
            QProcess p;
            p.start(QCoreApplication::applicationFilePath(), {"--child", kind, dir.path()});
            QVERIFY(p.waitForStarted());
            // After two complete saves both versions exist on disk.
            QByteArray log;
            while (!log.contains("end 1\n")) {
                QVERIFY2(p.waitForReadyRead(60000), qPrintable(p.readAllStandardError()));
                log += p.readAllStandardOutput();
            }
            QTest::qSleep(3 + 7 * k);  // 3 … 164 ms into the loop: early, mid and late in writes
            ::kill(pid_t(p.processId()), SIGKILL);
            QVERIFY(p.waitForFinished());
            QCOMPARE(p.exitStatus(), QProcess::CrashExit);
            log += p.readAllStandardOutput();
            const bool midWrite = log.trimmed().split('\n').last().startsWith("begin");
            if (kind == "export") {
                for (const char* name : {"figure.png", "figure.pdf", "figure.csv"}) {
                    const QByteArray bytes = QByteArray::fromStdString(readFile(dir.filePath(name).toStdString()));
                    QVERIFY2(bytes == exportVersion(0) || bytes == exportVersion(1), name);
                }
                killedMidWrite += midWrite;
                continue;
            }
            if (kind == "weights") {
                const RunFolder f = readRunFolder(dir.path().toStdString());
                QVERIFY(isOneOf(loadRunModel(f).state(), a, b));
            } else if (kind == "metrics") {
                const size_t points = parseRunMetrics(readFile(dir.filePath("metrics.json").toStdString()),
                                                      "metrics.json").curve.size();
                QVERIFY2(points == 3 || points == 20000, qPrintable(QString::number(points)));
            } else {  // every history file listed loads, whatever the thinning was doing
                RunFolder f;
                f.path = dir.path().toStdString();
                f.config = run;
                const std::vector<int> steps = checkpointSteps(f.path);
                QVERIFY(!steps.empty());
                for (int step : steps) QVERIFY(isOneOf(loadCheckpointModel(f, step).state(), a, b));
            }
            killedMidWrite += midWrite;
        }
        qInfo("%s: %d kills, %d of them mid-write", qPrintable(kind), kKillsPerKind, killedMidWrite);
        QVERIFY(!hasStrayFiles(dir.path()));
        QVERIFY2(killedMidWrite > 0, "no kill landed inside a write: the test proves nothing");
    }

};

int main(int argc, char** argv) {
    if (argc == 4 && std::strcmp(argv[1], "--child") == 0) {
        QCoreApplication app(argc, argv);
        return child(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    }
    QCoreApplication app(argc, argv);
    TestCrashSafeSaves test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_crash_safe_saves.moc"
