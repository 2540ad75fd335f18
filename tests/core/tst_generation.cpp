// Generation with a real KV cache: bytes held equal docs/DESIGN.md §2's formula at every step,
// the paper's reductions hold for real caches, and cached output equals recomputing the prefix.
#include <QtTest>

#include <torch/torch.h>

#include "common/errors.h"
#include "generate/generation.h"
#include "model/model_summary.h"

using namespace qkv;

Q_DECLARE_METATYPE(qkv::Variant)

namespace {

ModelConfig decoder(Variant v, int heads, int kvHeads, int d = 32, bool posBias = false) {
    ModelConfig c;
    c.arch = Architecture::Decoder;
    c.variant = v;
    c.dModel = d;
    c.heads = heads;
    c.kvHeads = kvHeads;
    c.layers = 2;
    c.vocab = 11;
    c.context = 24;
    c.posBias = posBias;
    return c;
}

const std::vector<int64_t> kPrompt = {3, 1, 4};

void addVariantRows() {
    QTest::addColumn<Variant>("variant");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<bool>("posBias");
    for (Variant v : allVariants()) {
        const std::vector<int> gs =
            needsFullKvHeads(v) ? std::vector<int>{4} : std::vector<int>{4, 2, 1};
        for (int g : gs)
            QTest::newRow(
                qPrintable(QString::fromStdString(variantId(v)) + " g" + QString::number(g)))
                << v << g << false;
    }
    QTest::newRow("single g4 +bias") << Variant::Single << 4 << true;
    QTest::newRow("shared-kv g2 +bias") << Variant::SharedKv << 2 << true;
}

}  // namespace

class TestGeneration : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cacheBytesEqualFormula_data() { addVariantRows(); }
    void cacheBytesEqualFormula() {
        QFETCH(Variant, variant);
        QFETCH(int, kvHeads);
        QFETCH(bool, posBias);
        const Model model(decoder(variant, 4, kvHeads, 32, posBias), 7);
        GenerationConfig cfg;
        cfg.maxNewTokens = 12;
        const GenerationResult r = generate(model, kPrompt, cfg);
        QCOMPARE(int(r.tokens.size()), 12);
        const int c = valueIsKey(variant) ? 1 : 2;
        for (const GeneratedToken& t : r.tokens) {
            QCOMPARE(t.cachedTokens, int64_t(t.index));  // the prompt and every token fed back
            QCOMPARE(t.cacheBytesHeld, t.cacheBytesFormula);
            // The formula written out once more: L · c · g · d_h · T · 4 bytes.
            QCOMPARE(t.cacheBytesHeld, int64_t(2 * c * kvHeads * 8) * t.cachedTokens * 4);
        }
    }

    void sharedKvHoldsHalfOfQkv_data() {
        QTest::addColumn<int>("kvHeads");
        QTest::newRow("g4") << 4;
        QTest::newRow("g2") << 2;
        QTest::newRow("g1") << 1;
    }
    void sharedKvHoldsHalfOfQkv() {
        QFETCH(int, kvHeads);
        GenerationConfig cfg;
        cfg.maxNewTokens = 8;
        const GenerationResult qkvRun =
            generate(Model(decoder(Variant::Qkv, 4, kvHeads), 1), kPrompt, cfg);
        const GenerationResult kvRun =
            generate(Model(decoder(Variant::SharedKv, 4, kvHeads), 1), kPrompt, cfg);
        QCOMPARE(qkvRun.tokens.size(), kvRun.tokens.size());
        for (size_t i = 0; i < kvRun.tokens.size(); ++i) {
            QVERIFY(kvRun.tokens[i].cacheBytesHeld > 0);
            QCOMPARE(2 * kvRun.tokens[i].cacheBytesHeld, qkvRun.tokens[i].cacheBytesHeld);
        }
    }

    void paperReductions_data() {
        QTest::addColumn<Variant>("variant");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<double>("reduction");
        QTest::newRow("Q-K=V") << Variant::SharedKv << 16 << 0.5;
        QTest::newRow("Q-GQA-4") << Variant::SharedKv << 4 << 0.875;
        QTest::newRow("Q-MQA") << Variant::SharedKv << 1 << 0.96875;
        QTest::newRow("Q=K-V") << Variant::SharedQk << 16 << 0.0;
        QTest::newRow("GQA-4") << Variant::Qkv << 4 << 0.75;
    }
    void paperReductions() {
        QFETCH(Variant, variant);
        QFETCH(int, kvHeads);
        QFETCH(double, reduction);
        const ModelConfig c = decoder(variant, 16, kvHeads, 64);
        QCOMPARE(kvCacheReductionVsQkv(c), reduction);
        // And with real caches, against qkv with g = H, at every step.
        GenerationConfig cfg;
        cfg.maxNewTokens = 5;
        const GenerationResult base =
            generate(Model(decoder(Variant::Qkv, 16, 16, 64), 2), kPrompt, cfg);
        const GenerationResult r = generate(Model(c, 2), kPrompt, cfg);
        for (size_t i = 0; i < r.tokens.size(); ++i)
            QCOMPARE(
                1.0 - double(r.tokens[i].cacheBytesHeld) / double(base.tokens[i].cacheBytesHeld),
                reduction);
    }

    void cachedEqualsUncached_data() { addVariantRows(); }
    void cachedEqualsUncached() {
        QFETCH(Variant, variant);
        QFETCH(int, kvHeads);
        QFETCH(bool, posBias);
        const Model model(decoder(variant, 4, kvHeads, 32, posBias), 3);
        GenerationConfig cfg;
        cfg.maxNewTokens = 15;
        cfg.keepLogits = true;
        const GenerationResult cached = generate(model, kPrompt, cfg);
        cfg.useCache = false;
        const GenerationResult full = generate(model, kPrompt, cfg);
        QCOMPARE(cached.tokens.size(), full.tokens.size());
        for (size_t i = 0; i < cached.tokens.size(); ++i) {
            QCOMPARE(cached.tokens[i].token, full.tokens[i].token);
            QCOMPARE(full.tokens[i].cacheBytesHeld, int64_t(0));
            const auto& a = cached.tokens[i].logits;
            const auto& b = full.tokens[i].logits;
            QCOMPARE(a.size(), size_t(11));
            double diff = 0;
            for (size_t j = 0; j < a.size(); ++j)
                diff = std::max(diff, double(std::abs(a[j] - b[j])));
            QVERIFY2(diff < 1e-5, qPrintable(QString("step %1: %2").arg(i).arg(diff)));
        }
        // Sampling too: the same seed and the same logits give the same tokens.
        cfg.temperature = 1.5;
        cfg.topK = 5;
        const GenerationResult sampledFull = generate(model, kPrompt, cfg);
        cfg.useCache = true;
        const GenerationResult sampledCached = generate(model, kPrompt, cfg);
        for (size_t i = 0; i < sampledFull.tokens.size(); ++i)
            QCOMPARE(sampledCached.tokens[i].token, sampledFull.tokens[i].token);
    }

    void samplingIsSeededAndLeavesTheGlobalGeneratorAlone() {
        const Model model(decoder(Variant::Qkv, 4, 4), 5);
        GenerationConfig cfg;
        cfg.maxNewTokens = 20;
        cfg.temperature = 2.0;
        torch::manual_seed(123);
        const GenerationResult a = generate(model, kPrompt, cfg);
        const double afterGenerate = torch::rand({1}).item<double>();
        torch::manual_seed(123);
        const double untouched = torch::rand({1}).item<double>();
        QCOMPARE(afterGenerate, untouched);
        const GenerationResult b = generate(model, kPrompt, cfg);
        cfg.seed = 99;
        const GenerationResult c = generate(model, kPrompt, cfg);
        bool differs = false;
        for (size_t i = 0; i < a.tokens.size(); ++i) {
            QCOMPARE(a.tokens[i].token, b.tokens[i].token);
            differs = differs || a.tokens[i].token != c.tokens[i].token;
        }
        QVERIFY(differs);
    }

    void topKOneIsGreedy() {
        const Model model(decoder(Variant::SharedKv, 4, 2), 6);
        GenerationConfig cfg;
        cfg.maxNewTokens = 10;
        const GenerationResult greedy = generate(model, kPrompt, cfg);
        cfg.temperature = 3.0;
        cfg.topK = 1;
        const GenerationResult top1 = generate(model, kPrompt, cfg);
        for (size_t i = 0; i < greedy.tokens.size(); ++i)
            QCOMPARE(top1.tokens[i].token, greedy.tokens[i].token);
    }

    void stopsWhenTheContextIsFull() {
        ModelConfig c = decoder(Variant::Qkv, 4, 4);
        c.context = 8;
        GenerationConfig cfg;
        cfg.maxNewTokens = 20;
        const GenerationResult r = generate(Model(c, 1), kPrompt, cfg);
        QCOMPARE(int(r.tokens.size()), 6);  // positions 3..8: the last one is never fed back
        QVERIFY(r.contextFull);
        QVERIFY(r.note.find("context") != std::string::npos);
        QCOMPARE(r.tokens.back().cachedTokens, int64_t(8));
    }

    void textPiecesAndCancel() {
        ModelConfig c = decoder(Variant::Single, 4, 4);
        c.vocab = 4;
        const Model model(c, 1);
        GenerationConfig cfg;
        cfg.maxNewTokens = 5;
        const auto chars = makeCharacterTokenizer("\nabc");
        const GenerationResult r = generateText(model, *chars, "ab", cfg);
        QCOMPARE(r.promptText, std::string("ab"));
        QCOMPARE(int(r.tokens.size()), 5);
        std::string joined;
        for (const auto& t : r.tokens) joined += t.piece;
        QCOMPARE(r.completion, joined);
        QVERIFY_THROWS_EXCEPTION(DataError, generateText(model, *chars, "abz", cfg));
        std::atomic<bool> cancel{true};
        QVERIFY(generate(model, {1}, cfg, nullptr, {}, &cancel).cancelled);
    }

    void rejectsWhatItCannotGenerate() {
        ModelConfig enc = decoder(Variant::Qkv, 4, 4);
        enc.arch = Architecture::Encoder;
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(Model(enc, 1), kPrompt, {}));
        const Model model(decoder(Variant::Qkv, 4, 4), 1);
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(model, std::vector<int64_t>(25, 1), {}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(model, {}, {}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(model, {11}, {}));
    }
};

QTEST_GUILESS_MAIN(TestGeneration)
#include "tst_generation.moc"
