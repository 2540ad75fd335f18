// Models written by another tool open with the outputs that tool computed: tiny GPT-2 (F32 and
// F16 with the "transformer." prefix and buffers), Llama (GQA, untied head, BF16 in two shards)
// and llama2.c checkpoints (legacy and version 1), from tests/fixtures/make_pretrained_fixtures.py,
// whose float64 PyTorch models give the reference logits and greedy continuations. Then every
// kind of bad input, each refused with one line.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include "common/errors.h"
#include "generate/generation.h"
#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "model/model_summary.h"
#include "model/transformer.h"
#include "pretrained/open_model.h"
#include "test_helpers.h"

using namespace qkv;
using qkvtest::pretrainedFixtures;

namespace {

QJsonObject reference(const QString& name) {
    return qkvtest::readJsonObject(pretrainedFixtures() + "/reference.json").value(name).toObject();
}

std::vector<int64_t> ids(const QJsonValue& v) {
    std::vector<int64_t> out;
    for (const QJsonValue& x : v.toArray()) out.push_back(int64_t(x.toDouble()));
    return out;
}

std::string fixturePath(const QJsonObject& ref) {
    return QDir(pretrainedFixtures()).filePath(ref.value("path").toString()).toStdString();
}

torch::Tensor logitsOf(const Model& m, const std::vector<int64_t>& tokens) {
    torch::NoGradGuard noGrad;
    return m.module()->forward(torch::tensor(tokens, torch::kInt64).view({1, -1}))[0];  // (T, V)
}

// Largest |a − b| relative to the largest |reference logit| (logits near 0 would make an
// element-wise relative error meaningless).
double relativeError(const torch::Tensor& ours, const QJsonArray& expected) {
    double diff = 0, scale = 0;
    for (int64_t t = 0; t < ours.size(0); ++t) {
        const QJsonArray row = expected[int(t)].toArray();
        for (int64_t v = 0; v < ours.size(1); ++v) {
            const double e = row[int(v)].toDouble();
            scale = std::max(scale, std::abs(e));
            diff = std::max(diff, std::abs(ours[t][v].item<double>() - e));
        }
    }
    return diff / scale;
}

void modelRows() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("dtype");
    QTest::newRow("gpt2 F32") << "gpt2"
                              << "huggingface"
                              << "F32";
    QTest::newRow("gpt2 F16 prefixed, with buffers") << "gpt2-prefixed-f16"
                                                     << "huggingface"
                                                     << "F16";
    QTest::newRow("llama GQA BF16 sharded") << "llama"
                                            << "huggingface"
                                            << "BF16";
    QTest::newRow("llama2.c legacy") << "llama2c-legacy"
                                     << "llama2c"
                                     << "F32";
    QTest::newRow("llama2.c version 1") << "llama2c-v1"
                                        << "llama2c"
                                        << "F32";
}

}  // namespace

class TestPretrained : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void logitsMatchTheWriter_data() { modelRows(); }
    void logitsMatchTheWriter() {
        QFETCH(QString, name);
        QFETCH(QString, format);
        QFETCH(QString, dtype);
        const QJsonObject ref = reference(name);
        const OpenedModel m = openModel(fixturePath(ref));
        QCOMPARE(QString::fromStdString(formatId(m.format)), format);
        QCOMPARE(QString::fromStdString(m.storedDType), dtype);
        const ModelConfig& c = m.model->config();
        QCOMPARE(c.layers, ref.value("layers").toInt());
        QCOMPARE(c.heads, ref.value("heads").toInt());
        QCOMPARE(c.kvHeadCount(), ref.value("kv_heads").toInt());
        QCOMPARE(c.headDim(), ref.value("head_dim").toInt());
        QCOMPARE(m.model->parameterCount(), int64_t(ref.value("params").toDouble()));
        QCOMPARE(summarize(c).parameters, m.model->parameterCount());  // the closed form agrees
        const double err = relativeError(logitsOf(*m.model, ids(ref.value("tokens"))),
                                         ref.value("logits").toArray());
        QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));
    }

    // Greedy continuations are identical with and without the cache, and the cache holds exactly
    // the bytes of the formula (the Llama models have real GQA: g = H/2).
    void greedyMatchesTheWriter_data() { modelRows(); }
    void greedyMatchesTheWriter() {
        QFETCH(QString, name);
        const QJsonObject ref = reference(name);
        const QJsonObject greedy = ref.value("greedy").toObject();
        const OpenedModel m = openModel(fixturePath(ref));
        const std::vector<int64_t> expected = ids(greedy.value("continuation"));
        for (bool cache : {true, false}) {
            GenerationConfig cfg;
            cfg.maxNewTokens = int(expected.size());
            cfg.useCache = cache;
            const GenerationResult r = generate(*m.model, ids(greedy.value("prompt")), cfg);
            std::vector<int64_t> got;
            for (const GeneratedToken& t : r.tokens) {
                got.push_back(t.token);
                if (cache) QCOMPARE(t.cacheBytesHeld, t.cacheBytesFormula);
            }
            QCOMPARE(got, expected);
        }
    }

    // A converted run folder holds the same model: the same logits, bit for bit.
    void convertedRunIsTheSameModel_data() { modelRows(); }
    void convertedRunIsTheSameModel() {
        QFETCH(QString, name);
        const QJsonObject ref = reference(name);
        const OpenedModel m = openModel(fixturePath(ref));
        QTemporaryDir tmp;
        RunConfig run = m.run.config;
        saveConvertedRun(tmp.filePath("run").toStdString(), run, *m.model);
        const OpenedModel back = openModel(tmp.filePath("run").toStdString());
        QCOMPARE(int(back.format), int(ModelFormat::RunFolder));
        QCOMPARE(back.run.config.origin.format, m.run.config.origin.format);
        const auto tokens = ids(ref.value("tokens"));
        QVERIFY(torch::equal(logitsOf(*back.model, tokens), logitsOf(*m.model, tokens)));
    }

    void badInputIsRefused_data();
    void badInputIsRefused();
};

void TestPretrained::badInputIsRefused_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("unsupported model_type") << "model-type"
                                            << "\"bert\" is not supported (supported: gpt2, llama)";
    QTest::newRow("missing shard") << "missing-shard"
                                   << "shard 'model-00002-of-00002.safetensors' is missing";
    QTest::newRow("tensor shape disagrees with config") << "shape"
                                                        << "wte.weight";
    QTest::newRow("truncated .bin") << "truncated"
                                    << "but its header describes";
    QTest::newRow("llama2.c version 2") << "v2"
                                        << "version 2";
    QTest::newRow("rope_scaling it cannot honour") << "rope-scaling"
                                                   << "\"dynamic\" is not implemented";
    QTest::newRow("too large for this machine") << "memory"
                                                << "available";
    QTest::newRow("tokenizer size disagrees") << "tokenizer-size"
                                              << "407 tokens but the model's vocabulary has 96";
    QTest::newRow("no weights") << "no-weights"
                                << "no model.safetensors";
    QTest::newRow("only pickled weights") << "pickle"
                                          << "pytorch_model.bin";
    QTest::newRow("config.json not JSON") << "config-garbage"
                                          << "config.json";
    QTest::newRow("a file that is no model")
        << "not-a-model"
        << "is not a run folder, a Hugging Face folder or a llama2.c";
    QTest::newRow("unexpected tensor") << "extra-tensor"
                                       << "unexpected tensor 'h.0.attn.extra'";
}

void TestPretrained::badInputIsRefused() {
    QFETCH(QString, damage);
    QFETCH(QString, fragment);
    QTemporaryDir tmp;
    const QString fixtures = pretrainedFixtures();
    const QString gpt2 = tmp.filePath("gpt2"), llama = tmp.filePath("llama");
    qkvtest::copyFolder(fixtures + "/gpt2", gpt2);
    qkvtest::copyFolder(fixtures + "/llama", llama);
    auto editConfig = [](const QString& dir, const std::function<void(QJsonObject&)>& edit) {
        QJsonObject o = qkvtest::readJsonObject(dir + "/config.json");
        edit(o);
        writeFileAtomic((dir + "/config.json").toStdString(),
                        QJsonDocument(o).toJson().toStdString());
    };
    std::string path = gpt2.toStdString();
    OpenOptions options;
    if (damage == "model-type") {
        editConfig(gpt2, [](QJsonObject& o) { o["model_type"] = "bert"; });
    } else if (damage == "missing-shard") {
        QVERIFY(QFile::remove(llama + "/model-00002-of-00002.safetensors"));
        path = llama.toStdString();
    } else if (damage == "shape") {
        editConfig(gpt2, [](QJsonObject& o) { o["vocab_size"] = 97; });
    } else if (damage == "truncated") {
        path = (fixtures + "/llama2c-truncated.bin").toStdString();
    } else if (damage == "v2") {
        path = (fixtures + "/llama2c-v2.bin").toStdString();
    } else if (damage == "rope-scaling") {
        editConfig(llama, [](QJsonObject& o) {
            o["rope_scaling"] = QJsonObject{{"type", "dynamic"}, {"factor", 2.0}};
        });
        path = llama.toStdString();
    } else if (damage == "memory") {
        qputenv("QKVLAB_MEMORY_LIMIT", "64K");  // the model's 120 KB of weights do not fit
    } else if (damage == "tokenizer-size") {
        options.tokenizerPath = (fixtures + "/gpt2-tokenizer/tokenizer.json").toStdString();
    } else if (damage == "no-weights") {
        QVERIFY(QFile::remove(gpt2 + "/model.safetensors"));
    } else if (damage == "pickle") {
        QVERIFY(QFile::rename(gpt2 + "/model.safetensors", gpt2 + "/pytorch_model.bin"));
    } else if (damage == "config-garbage") {
        writeFileAtomic((gpt2 + "/config.json").toStdString(), "{\"model_type\": \"gpt2\", ");
    } else if (damage == "not-a-model") {
        path = (gpt2 + "/model.safetensors").toStdString();
    } else if (damage == "extra-tensor") {
        SafetensorsFile st = readSafetensors((gpt2 + "/model.safetensors").toStdString());
        st.tensors.push_back({"h.0.attn.extra", {2}, {1, 2}});
        writeSafetensors((gpt2 + "/model.safetensors").toStdString(), st);
    } else {
        QFAIL("unknown damage");
    }
    QString message;
    try {
        openModel(path, options);
    } catch (const Error& e) {
        message = QString::fromUtf8(e.what());
    }
    qunsetenv("QKVLAB_MEMORY_LIMIT");
    QVERIFY2(!message.isEmpty(), "the damaged model opened");
    QVERIFY2(!message.contains('\n'), qPrintable(message));
    QVERIFY2(message.contains(fragment), qPrintable(message));
}

QTEST_GUILESS_MAIN(TestPretrained)
#include "tst_pretrained.moc"
