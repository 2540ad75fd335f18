// Run folders: save → load is bit-exact for every variant and architecture, and every kind of
// damaged folder is refused with a typed error (never a crash or a LibTorch trace).
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "io/safetensors.h"
#include "model/model.h"
#include "model/transformer.h"
#include "test_helpers.h"

using namespace qkv;

namespace {

RunConfig runFor(Architecture arch, Variant v, int kvHeads = 0, bool posBias = false) {
    RunConfig r;
    r.name = variantId(v) + "-" + architectureId(arch);
    r.model.arch = arch;
    r.model.variant = v;
    r.model.dModel = 16;
    r.model.layers = 2;
    r.model.heads = 4;
    r.model.kvHeads = kvHeads;
    r.model.vocab = 7;
    r.model.context = 9;
    r.model.posBias = posBias;
    r.model.imageSize = 14;
    r.model.patchSize = 7;
    r.task.kind = arch == Architecture::Vit       ? TaskKind::Images
                  : arch == Architecture::Decoder ? TaskKind::Text
                                                  : TaskKind::Copy;
    r.task.vocab = 7;
    r.task.seqLen = 9;
    r.train.seed = 5;
    return r;
}

// A model whose weights differ from what any seed would initialise (norm gains start at 1 and
// the positional bias at 1/p), so a load that silently did nothing cannot pass.
Model perturbedModel(const ModelConfig& c) {
    Model m(c, 1234);
    torch::NoGradGuard noGrad;
    auto gen = at::detail::createCPUGenerator(99);
    for (auto& p : m.module()->parameters()) p.add_(torch::randn(p.sizes(), gen) * 0.05);
    return m;
}

torch::Tensor sampleInput(const ModelConfig& c) {
    auto gen = at::detail::createCPUGenerator(7);
    if (c.arch == Architecture::Vit) return torch::rand({3, c.imageSize, c.imageSize}, gen);
    return torch::randint(0, c.vocab, {3, c.context}, gen, torch::kInt64);
}

bool sameBits(const torch::Tensor& a, const torch::Tensor& b) {
    auto x = a.contiguous(), y = b.contiguous();
    return x.sizes() == y.sizes() && x.scalar_type() == y.scalar_type() &&
           std::memcmp(x.data_ptr(), y.data_ptr(), size_t(x.nbytes())) == 0;
}

bool sameState(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b,
               std::string& why) {
    if (a.size() != b.size()) {
        why = "tensor count differs";
        return false;
    }
    std::map<std::string, const NamedTensor*> byName;
    for (const auto& t : b) byName[t.name] = &t;
    for (const auto& t : a) {
        auto it = byName.find(t.name);
        if (it == byName.end()) {
            why = "missing " + t.name;
            return false;
        }
        const NamedTensor& u = *it->second;
        if (t.shape != u.shape || t.values.size() != u.values.size() ||
            std::memcmp(t.values.data(), u.values.data(), t.values.size() * sizeof(float)) != 0) {
            why = "values of " + t.name + " differ";
            return false;
        }
    }
    return true;
}

std::string pathIn(const QString& dir, const char* file) {
    return QDir(dir).filePath(file).toStdString();
}

QJsonObject readJsonFile(const std::string& path) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(readFile(path))).object();
}

void writeJsonFile(const std::string& path, const QJsonObject& o) {
    writeFileAtomic(path, QJsonDocument(o).toJson().toStdString());
}

}  // namespace

class TstRunFolder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripIsBitExact_data();
    void roundTripIsBitExact();
    void corruptFoldersAreRefused_data();
    void corruptFoldersAreRefused();
    void metricsKeepNaN();
    void largeSeedSurvives();
};

void TstRunFolder::roundTripIsBitExact_data() {
    QTest::addColumn<int>("arch");
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<bool>("posBias");
    for (Architecture a : {Architecture::Decoder, Architecture::Encoder, Architecture::Vit})
        for (Variant v : allVariants()) {
            const std::string name = architectureId(a) + "/" + variantId(v);
            QTest::newRow(name.c_str()) << int(a) << int(v) << 0 << false;
        }
    QTest::newRow("decoder/shared-kv/g2/bias")
        << int(Architecture::Decoder) << int(Variant::SharedKv) << 2 << true;
    QTest::newRow("vit/single/bias") << int(Architecture::Vit) << int(Variant::Single) << 0 << true;
    QTest::newRow("encoder/mlp-q/g1/bias")
        << int(Architecture::Encoder) << int(Variant::MlpQ) << 1 << true;
}

void TstRunFolder::roundTripIsBitExact() {
    QFETCH(int, arch);
    QFETCH(int, variant);
    QFETCH(int, kvHeads);
    QFETCH(bool, posBias);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string dir = QDir(tmp.path()).filePath("run").toStdString();
    const RunConfig run = runFor(Architecture(arch), Variant(variant), kvHeads, posBias);
    const Model saved = perturbedModel(run.model);

    // The model a no-op load would leave behind is not the saved one.
    std::string why;
    QVERIFY(!sameState(Model(run.model, run.train.seed).state(), saved.state(), why));

    TrainResult result;
    result.checkpointStep = 17;
    saveRunFolder(dir, run, saved, result);
    QVERIFY(isRunFolder(dir));
    // Atomic writes leave no temporary files behind.
    const QStringList files = QDir(QString::fromStdString(dir)).entryList(QDir::Files, QDir::Name);
    QCOMPARE(files, (QStringList{"config.json", "metrics.json", "model.safetensors"}));

    const RunFolder folder = readRunFolder(dir);
    QCOMPARE(folder.config.name, run.name);
    QCOMPARE(int(folder.config.model.arch), arch);
    QCOMPARE(int(folder.config.model.variant), variant);
    QCOMPARE(folder.config.model.kvHeadCount(), run.model.kvHeadCount());
    QCOMPARE(folder.config.model.posBias, posBias);
    QCOMPARE(folder.config.model.dModel, run.model.dModel);
    QCOMPARE(int(folder.config.task.kind), int(run.task.kind));
    QCOMPARE(folder.config.train.seed, run.train.seed);
    QCOMPARE(folder.result.checkpointStep, 17);

    // The weights file names its variant.
    const SafetensorsFile st = readSafetensors(dir + "/model.safetensors");
    QCOMPARE(st.metadata.at("variant"), variantId(Variant(variant)));
    QCOMPARE(st.metadata.at("arch"), architectureId(Architecture(arch)));

    const Model loaded = loadRunModel(folder);
    QVERIFY2(sameState(saved.state(), loaded.state(), why), why.c_str());

    torch::NoGradGuard noGrad;
    const torch::Tensor x = sampleInput(run.model);
    const torch::Tensor a = saved.module()->forward(x), b = loaded.module()->forward(x);
    QVERIFY(a.numel() > 0);
    QVERIFY2(sameBits(a, b), "outputs differ after a save/load round trip");
    // …whereas a freshly initialised model gives other outputs, so the comparison has teeth.
    QVERIFY(!sameBits(a, Model(run.model, run.train.seed).module()->forward(x)));
}

void TstRunFolder::corruptFoldersAreRefused_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("fragment");  // the message names the problem
    QTest::newRow("truncated model.safetensors") << "truncate"
                                                 << "model.safetensors";
    QTest::newRow("model.safetensors of 5 bytes") << "tiny"
                                                  << "too short";
    QTest::newRow("safetensors header length huge") << "header-length"
                                                    << "exceeds";
    QTest::newRow("config.json not JSON") << "config-garbage"
                                          << "not valid JSON";
    QTest::newRow("config.json is an array") << "config-array"
                                             << "JSON object";
    QTest::newRow("config.json unknown field") << "config-unknown"
                                               << "colour";
    QTest::newRow("config.json unknown model field") << "config-unknown-model"
                                                     << "attention_temperature";
    QTest::newRow("config.json wrong format") << "config-format"
                                              << "format";
    QTest::newRow("config.json model not an object") << "config-model-number"
                                                     << "model";
    QTest::newRow("config.json impossible model") << "config-kv3"
                                                  << "must divide heads";
    QTest::newRow("config.json unknown variant") << "config-variant-bogus"
                                                 << "bogus";
    QTest::newRow("metadata variant differs") << "metadata-variant"
                                              << "shared-kv";
    QTest::newRow("config variant differs from weights") << "config-variant"
                                                         << "shared-kv";
    QTest::newRow("tensor with the wrong shape") << "wrong-shape"
                                                 << "blocks.0.attn.k.weight";
    QTest::newRow("missing tensor") << "missing-tensor"
                                    << "blocks.1.attn.v.weight";
    QTest::newRow("extra tensor") << "extra-tensor"
                                  << "blocks.0.attn.extra.weight";
    QTest::newRow("no config.json") << "no-config"
                                    << "not a run folder";
    QTest::newRow("no model.safetensors") << "no-weights"
                                          << "not a run folder";
    QTest::newRow("empty folder") << "empty"
                                  << "not a run folder";
    QTest::newRow("a file, not a folder") << "file"
                                          << "not a folder";
    QTest::newRow("missing path") << "missing"
                                  << "not a folder";
    QTest::newRow("metrics.json not JSON") << "metrics-garbage"
                                           << "metrics.json";
}

void TstRunFolder::corruptFoldersAreRefused() {
    QFETCH(QString, damage);
    QFETCH(QString, fragment);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString qdir = QDir(tmp.path()).filePath("run");
    std::string dir = qdir.toStdString();
    RunConfig run = runFor(Architecture::Decoder, Variant::Qkv);
    const Model model = perturbedModel(run.model);
    saveRunFolder(dir, run, model, TrainResult{});
    // The undamaged folder loads, so any failure below is caused by the damage.
    loadRunModel(readRunFolder(dir));

    const std::string weights = pathIn(qdir, "model.safetensors");
    const std::string config = pathIn(qdir, "config.json");
    SafetensorsFile st = readSafetensors(weights);
    auto rewriteTensors = [&](const std::function<void(std::vector<NamedTensor>&)>& edit) {
        edit(st.tensors);
        writeFileAtomic(weights, encodeSafetensors(st));
    };
    auto editConfig = [&](const std::function<void(QJsonObject&)>& edit) {
        QJsonObject o = readJsonFile(config);
        edit(o);
        writeJsonFile(config, o);
    };
    auto editModel = [&](const char* key, const QJsonValue& value) {
        editConfig([&](QJsonObject& o) {
            QJsonObject m = o.value("model").toObject();
            m.insert(key, value);
            o.insert("model", m);
        });
    };

    if (damage == "truncate") {
        const std::string bytes = readFile(weights);
        writeFileAtomic(weights, bytes.substr(0, bytes.size() - 100));
    } else if (damage == "tiny") {
        writeFileAtomic(weights, readFile(weights).substr(0, 5));
    } else if (damage == "header-length") {
        std::string bytes = readFile(weights);
        for (int i = 0; i < 8; ++i) bytes[size_t(i)] = char(0x7f);
        writeFileAtomic(weights, bytes);
    } else if (damage == "config-garbage") {
        writeFileAtomic(config, "{\"format\": \"qkvlab-run/1\", \"model\": ");
    } else if (damage == "config-array") {
        writeFileAtomic(config, "[1, 2, 3]");
    } else if (damage == "config-unknown") {
        editConfig([](QJsonObject& o) { o.insert("colour", "blue"); });
    } else if (damage == "config-unknown-model") {
        editModel("attention_temperature", 0.1);
    } else if (damage == "config-format") {
        editConfig([](QJsonObject& o) { o.insert("format", "qkvlab-run/99"); });
    } else if (damage == "config-model-number") {
        editConfig([](QJsonObject& o) { o.insert("model", 5); });
    } else if (damage == "config-kv3") {
        editModel("kv_heads", 3);
    } else if (damage == "config-variant-bogus") {
        editModel("variant", "bogus");
    } else if (damage == "metadata-variant") {
        st.metadata["variant"] = "shared-kv";
        writeFileAtomic(weights, encodeSafetensors(st));
    } else if (damage == "config-variant") {
        editModel("variant", "shared-kv");
    } else if (damage == "wrong-shape") {
        // Same number of values, other shape: only a per-tensor shape check catches it.
        rewriteTensors([](std::vector<NamedTensor>& ts) {
            for (auto& t : ts)
                if (t.name == "blocks.0.attn.k.weight") t.shape = {t.shape[1], t.shape[0] / 2, 2};
        });
    } else if (damage == "missing-tensor") {
        rewriteTensors([](std::vector<NamedTensor>& ts) {
            ts.erase(std::remove_if(
                         ts.begin(), ts.end(),
                         [](const NamedTensor& t) { return t.name == "blocks.1.attn.v.weight"; }),
                     ts.end());
        });
    } else if (damage == "extra-tensor") {
        rewriteTensors([](std::vector<NamedTensor>& ts) {
            ts.push_back(NamedTensor{"blocks.0.attn.extra.weight", {2, 2}, {1, 2, 3, 4}});
        });
    } else if (damage == "no-config") {
        QVERIFY(QFile::remove(QString::fromStdString(config)));
    } else if (damage == "no-weights") {
        QVERIFY(QFile::remove(QString::fromStdString(weights)));
    } else if (damage == "empty") {
        QVERIFY(QDir(qdir).removeRecursively());
        QVERIFY(QDir().mkpath(qdir));
    } else if (damage == "file") {
        dir = config;
    } else if (damage == "missing") {
        dir = QDir(tmp.path()).filePath("nowhere").toStdString();
    } else if (damage == "metrics-garbage") {
        writeFileAtomic(pathIn(qdir, "metrics.json"), "{\"curve\": [");
    } else {
        QFAIL("unknown damage");
    }

    try {
        const RunFolder folder = readRunFolder(dir);
        const Model loaded = loadRunModel(folder);
        QFAIL("the damaged folder loaded");
    } catch (const Error& e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(!message.isEmpty(), "empty message");
        QVERIFY2(!message.contains('\n'), qPrintable("message spans lines: " + message));
        QVERIFY2(message.contains(fragment), qPrintable(message));
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("not a qkv::Error: ") + e.what()));
    }
}

void TstRunFolder::metricsKeepNaN() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string dir = tmp.path().toStdString();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    TrainResult r;
    r.status = TrainStatus::Cancelled;
    r.message = "cancelled at step 3";
    r.stepsDone = 3;
    r.checkpointStep = 2;
    r.seconds = 0.125;
    CurvePoint p0;
    p0.step = 0;
    p0.trainLoss = nan;
    p0.validation = {2.302585092994046, 0.1, nan};
    p0.learningRate = 1e-3;
    CurvePoint p1;
    p1.step = 2;
    p1.trainLoss = 1.0 / 3.0;
    p1.validation = {1.25, 0.5, std::exp(1.25)};
    p1.learningRate = 2.5e-4;
    p1.elapsedSeconds = 0.0625;
    r.curve = {p0, p1};
    r.final = p0.validation;
    saveRunMetrics(dir, r);

    // readRunFolder needs a whole run; metrics.json is read along with it.
    const RunConfig run = runFor(Architecture::Encoder, Variant::Qkv);
    saveRunFolder(dir, run, Model(run.model, 1), r);
    const TrainResult back = readRunFolder(dir).result;
    QCOMPARE(int(back.status), int(TrainStatus::Cancelled));
    QCOMPARE(back.message, r.message);
    QCOMPARE(back.stepsDone, 3);
    QCOMPARE(back.checkpointStep, 2);
    QCOMPARE(back.curve.size(), size_t(2));
    QVERIFY(std::isnan(back.curve[0].trainLoss));
    QVERIFY(std::isnan(back.curve[0].validation.perplexity));
    QVERIFY(std::isnan(back.final.perplexity));
    // Finite numbers survive exactly (JSON keeps the shortest round-trip form).
    QVERIFY(back.curve[0].validation.loss == p0.validation.loss);
    QVERIFY(back.curve[1].trainLoss == p1.trainLoss);
    QVERIFY(back.curve[1].validation.perplexity == p1.validation.perplexity);
    QVERIFY(back.curve[1].learningRate == p1.learningRate);
    QCOMPARE(back.curve[1].step, 2);
    QVERIFY(back.final.loss == p0.validation.loss);
    QVERIFY(back.final.accuracy == 0.1);
}

void TstRunFolder::largeSeedSurvives() {
    // TrainConfig::seed is a uint64_t: a folder saved with any seed must load again with it.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string dir = tmp.path().toStdString();
    RunConfig run = runFor(Architecture::Encoder, Variant::Qkv);
    run.train.seed = (uint64_t(1) << 60) + 1;
    run.task.seed = 3;
    saveRunFolder(dir, run, Model(run.model, 1), TrainResult{});
    bool loaded = false;
    std::string why = "seed changed";
    try {
        const RunFolder f = readRunFolder(dir);
        loaded = f.config.train.seed == run.train.seed;
    } catch (const Error& e) {
        why = e.what();
    }
    QVERIFY2(loaded, why.c_str());
}

QTEST_GUILESS_MAIN(TstRunFolder)
#include "tst_run_folder.moc"
