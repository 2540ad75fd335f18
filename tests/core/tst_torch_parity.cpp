// Core and the PyTorch package (python/qkvlab_torch) are one model: the same weights give the
// same logits on both sides, for every variant and architecture, whichever side wrote the run
// folder; and a run trained with torchrun (two processes, gloo) evaluates in core to the
// validation loss the Python side recorded. Python here is Debian's /usr/bin/python3 with
// python3-torch; without it the test fails, it does not skip.
#include <QDir>
#include <QJsonArray>
#include <QProcess>
#include <QtTest>

#include "common/errors.h"
#include "data/dataset.h"
#include "io/run_folder.h"
#include "model/model.h"
#include "model/transformer.h"
#include "test_helpers.h"
#include "train/trainer.h"

using namespace qkv;

namespace {

const std::vector<int64_t> kTokens = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};

QString sourceDir() { return qEnvironmentVariable("QKVLAB_SOURCE_DIR"); }

// Runs Debian's python with the package importable; returns stderr's tail on failure.
QString runPython(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PYTHONPATH", sourceDir() + "/python");
    env.insert("OMP_NUM_THREADS", "1");
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(sourceDir() + "/python");
    p.start(qEnvironmentVariable("QKVLAB_PYTHON", "/usr/bin/python3"), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return "timed out: " + args.join(' ');
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return args.join(' ') + " failed: " + QString::fromUtf8(p.readAllStandardError().right(3000));
    return {};
}

// Core's logits (T, V) for kTokens, flattened.
std::vector<float> coreLogits(const Model& model) {
    torch::NoGradGuard noGrad;
    model.module()->eval();
    const int64_t T = std::min<int64_t>(int64_t(kTokens.size()), model.config().context);
    auto ids = torch::tensor(std::vector<int64_t>(kTokens.begin(), kTokens.begin() + T)).view({1, T});
    auto logits = model.module()->forward(ids).contiguous();
    return std::vector<float>(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
}

std::vector<float> jsonLogits(const QString& file) {
    std::vector<float> out;
    for (const QJsonValue& row : qkvtest::readJsonObject(file)["logits"].toArray())
        for (const QJsonValue& x : row.toArray()) out.push_back(float(x.toDouble()));
    return out;
}

// Relative to the logits' scale, so that a test of large logits is not weaker than one of small.
void compareLogits(const std::vector<float>& core, const std::vector<float>& python) {
    QCOMPARE(core.size(), python.size());
    QVERIFY(!core.empty());
    double scale = 1;
    for (float x : python) scale = std::max(scale, double(std::abs(x)));
    const double diff = qkvtest::maxAbsDiff(core, python);
    QVERIFY2(diff <= 1e-5 * scale, qPrintable(QString("max |core - python| = %1 (scale %2)")
                                                  .arg(diff).arg(scale)));
}

}  // namespace

class TestTorchParity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        const QString error = runPython({"tests/make_parity_runs.py", m_dir.filePath("python")});
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void pythonRunsGiveTheSameLogitsInCore_data() {
        QTest::addColumn<QString>("name");
        const QStringList names = QDir(m_dir.filePath("python")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY2(names.size() >= 40, "make_parity_runs.py wrote too few cases");
        for (const QString& n : names) QTest::newRow(qPrintable(n)) << n;
    }

    void pythonRunsGiveTheSameLogitsInCore() {
        QFETCH(QString, name);
        const QString folder = m_dir.filePath("python/" + name);
        const Model model = loadRunModel(readRunFolder(folder.toStdString()));
        compareLogits(coreLogits(model), jsonLogits(folder + "/logits.json"));
    }

    void coreRunsGiveTheSameLogitsInPython_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("variant");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<QString>("posBias");
        QTest::newRow("qkvlab qkv absolute bias") << "qkvlab" << "qkv" << 0 << "absolute";
        QTest::newRow("qkvlab single relative bias") << "qkvlab" << "single" << 0 << "relative";
        QTest::newRow("qkvlab mlp-q") << "qkvlab" << "mlp-q" << 0 << "";
        QTest::newRow("paper-gpt shared-kv") << "paper-gpt" << "shared-kv" << 0 << "";
        QTest::newRow("gpt2 residual-q") << "gpt2" << "residual-q" << 0 << "";
        QTest::newRow("llama qkv gqa") << "llama" << "qkv" << 2 << "";
        QTest::newRow("llama shared-kv mqa") << "llama" << "shared-kv" << 1 << "";
        QTest::newRow("llama shared-qk") << "llama" << "shared-qk" << 0 << "";
        QTest::newRow("llama identity-q") << "llama" << "identity-q" << 0 << "";
    }

    void coreRunsGiveTheSameLogitsInPython() {
        QFETCH(QString, family);
        QFETCH(QString, variant);
        QFETCH(int, kvHeads);
        QFETCH(QString, posBias);
        RunConfig run;
        run.name = QString("%1-%2").arg(family, variant).toStdString();
        ModelConfig& c = run.model;
        c.arch = Architecture::Decoder;
        c.variant = *parseVariant(variant.toStdString());
        c.dModel = 32, c.layers = 2, c.heads = 4, c.vocab = 13, c.context = 12;
        applyFamily(c, family.toStdString());
        c.kvHeads = kvHeads;
        if (!posBias.isEmpty()) c.posBias = true, c.posBiasMode = parsePosBiasMode(posBias.toStdString());
        run.task.kind = TaskKind::Copy, run.task.vocab = 13, run.task.seqLen = 12;
        Model model(c, 7);
        {  // off the initial values, so that norms, biases and maps all count
            torch::NoGradGuard noGrad;
            torch::manual_seed(11);
            for (auto& p : model.module()->parameters()) p.add_(0.1 * torch::randn(p.sizes()));
        }
        const QString folder = m_dir.filePath("core/" + QString::fromStdString(run.name));
        saveConvertedRun(folder.toStdString(), run, model);
        QStringList ids;
        for (int64_t t : kTokens) ids << QString::number(t);
        const QString out = folder + "/python-logits.json";
        const QString error = runPython({"-m", "qkvlab_torch.logits", folder, "--tokens", ids.join(','),
                                         "--out", out});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        compareLogits(coreLogits(model), jsonLogits(out));
    }

    // torchrun, two processes: core evaluates the folders to the loss the Python side recorded.
    void torchrunRunsEvaluateInCoreToTheirRecordedLoss() {
        const QString exp = m_dir.filePath("experiment.json");
        QFile f(exp);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"name": "bridge", "variants": ["qkv", "shared-kv"],
            "model": {"arch": "decoder", "d_model": 32, "layers": 2, "heads": 4, "kv_heads": 2},
            "task": {"kind": "reverse", "vocab": 10, "seq_len": 12, "seed": 3},
            "train": {"steps": 24, "batch": 8, "lr": 0.003, "warmup_steps": 4,
                      "eval_every": 8, "eval_examples": 64, "seed": 5}})");
        f.close();
        const QString runs = m_dir.filePath("torchrun");
        // Debian's torch 1.13 under Python 3.11 cannot parse its own default for --redirects/--tee.
        const QString error = runPython({"-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
                                         "2", "--redirects", "2", "--tee", "2", "-m",
                                         "qkvlab_torch.train", "--experiment", exp, "--out", runs,
                                         "--threads", "1"});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const char* variant : {"qkv", "shared-kv"}) {
            const RunFolder run = readRunFolder((runs + "/" + variant).toStdString());
            QCOMPARE(run.result.status, TrainStatus::Completed);
            QCOMPARE(run.result.stepsDone, 24);
            QCOMPARE(int(run.result.curve.size()), 4);  // steps 0, 8, 16, 24
            const Model model = loadRunModel(run);
            TaskConfig task = run.config.task;
            const auto data = makeDataset(task);
            const EvalMetrics m = evaluate(model, *data, run.config.train.evalExamples);
            QVERIFY2(std::abs(m.loss - run.result.final.loss) <= 1e-5,
                     qPrintable(QString("%1: core %2, python %3").arg(variant).arg(m.loss)
                                    .arg(run.result.final.loss)));
            QCOMPARE(m.accuracy, run.result.final.accuracy);
        }
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestTorchParity)
#include "tst_torch_parity.moc"
