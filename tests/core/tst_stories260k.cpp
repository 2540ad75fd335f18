// The real model in ../shared/models: stories260K, trained by others (karpathy/tinyllamas) and
// stored in llama2.c's legacy format with real GQA (8 query heads, 4 KV heads). Opened through
// the llama2.c path, it must continue the BOS token as its authors document, with or without a
// KV cache, and its cache must hold exactly the bytes of the formula.
#include <QtTest>

#include "generate/generation.h"
#include "model/model_summary.h"
#include "pretrained/open_model.h"
#include "test_helpers.h"

using namespace qkv;

class TestStories260K : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        m_model =
            openModel((qkvtest::sharedModels() + "/stories260K/stories260K.bin").toStdString());
    }

    void opensAsLlamaWithGqa() {
        const ModelConfig& c = m_model.model->config();
        QCOMPARE(int(m_model.format), int(ModelFormat::Llama2c));
        QCOMPARE(c.family, std::string("llama"));
        QCOMPARE(int(c.ropePairs), int(RotaryPairs::Adjacent));
        QCOMPARE(c.heads, 8);
        QCOMPARE(c.kvHeadCount(), 4);
        QCOMPARE(c.headDim(), 8);
        QVERIFY(c.tiedHead);  // positive vocab size in the header
        QVERIFY(m_model.tokenizer);
        QCOMPARE(m_model.tokenizer->vocabSize(), 512);
        QCOMPARE(m_model.model->parameterCount(), summarize(c).parameters);
    }

    // run.c with temperature 0, from BOS, as the model's description documents.
    void continuesBosAsDocumented() {
        GenerationConfig cfg;
        cfg.maxNewTokens = 40;
        const GenerationResult r =
            generate(*m_model.model, {*m_model.tokenizer->bos()}, cfg, m_model.tokenizer.get());
        const std::string expected =
            "Once upon a time, there was a little girl named Lily. She loved to play outside in "
            "the park.";
        QVERIFY2(r.completion.rfind(expected, 0) == 0, r.completion.c_str());
    }

    // Rotary positions continue correctly in the cache: 80 tokens, cached and recomputed, agree.
    void cachedGenerationEqualsRecomputation() {
        GenerationConfig cfg;
        cfg.maxNewTokens = 80;
        const std::vector<int64_t> prompt = promptTokens(*m_model.tokenizer, "The cat sat");
        const GenerationResult cached = generate(*m_model.model, prompt, cfg);
        cfg.useCache = false;
        const GenerationResult plain = generate(*m_model.model, prompt, cfg);
        QCOMPARE(cached.tokens.size(), plain.tokens.size());
        for (size_t i = 0; i < cached.tokens.size(); ++i)
            QCOMPARE(cached.tokens[i].token, plain.tokens[i].token);
    }

    // L · c · g · d_h · T · 4 = 5 · 2 · 4 · 8 · T · 4 bytes, token by token.
    void cacheBytesEqualTheFormula() {
        GenerationConfig cfg;
        cfg.maxNewTokens = 30;
        const GenerationResult r = generate(*m_model.model, {1, 403}, cfg);
        for (const GeneratedToken& t : r.tokens) {
            QCOMPARE(t.cacheBytesHeld, t.cacheBytesFormula);
            QCOMPARE(t.cacheBytesHeld, int64_t(1280) * t.cachedTokens);
        }
    }

private:
    OpenedModel m_model;
};

QTEST_GUILESS_MAIN(TestStories260K)
#include "tst_stories260k.moc"
