// Parameter counts, weight names, KV-cache sizes and configuration rules, checked against closed
// forms written here from docs/DESIGN.md §2 and the weight list in core/model/transformer.h — not
// against core's own formulas, so a wrong summary and a wrong model cannot agree by accident.
#include <QtTest>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/errors.h"
#include "model/model.h"
#include "model/model_summary.h"
#include "model/transformer.h"

using namespace qkv;

namespace {

// The variant table of docs/DESIGN.md §2, restated so the test does not borrow core's predicates.
struct VariantFacts {
    Variant variant;
    bool hasQ;        // Linear W_Q exists
    bool hasV;        // Linear W_V exists
    bool mlpQ;        // the query MLP exists
    bool fullKv;      // needs g = H
    int cacheFactor;  // c: 1 when V = K
};

const std::vector<VariantFacts>& facts() {
    static const std::vector<VariantFacts> all = {
        {Variant::Qkv, true, true, false, false, 2},
        {Variant::SharedKv, true, false, false, false, 1},
        {Variant::SharedQk, false, true, false, true, 2},
        {Variant::Single, false, false, false, true, 1},
        {Variant::IdentityQ, false, true, false, false, 2},
        {Variant::MlpQ, false, true, true, false, 2},
        {Variant::ResidualQ, true, true, false, false, 2},
    };
    return all;
}

const VariantFacts& factsOf(Variant v) {
    for (const auto& f : facts())
        if (f.variant == v) return f;
    qFatal("variant missing from the test's table");
}

// Parameters of one layer's attention: projections, query MLP, W_O, positional bias.
int64_t attentionParams(const ModelConfig& c) {
    const VariantFacts& f = factsOf(c.variant);
    const int64_t d = c.dModel, dh = d / c.heads, g = c.kvHeads ? c.kvHeads : c.heads;
    const int64_t qd = int64_t(c.heads) * dh, kvd = g * dh;
    int64_t n = 0;
    if (f.hasQ) n += d * qd + qd;
    if (f.mlpQ) {
        const int64_t half = d / 2;
        n += d;         // RMSNorm gain
        n += d * half;  // W₁, without bias as published
        n += half * d;  // W₂
        n += 2 * d;     // LayerNorm gain and bias
    }
    n += d * kvd + kvd;  // W_K, always
    if (f.hasV) n += d * kvd + kvd;
    n += qd * d + d;                       // W_O
    if (c.posBias) n += c.posBiasDim + 1;  // Linear(p → 1)
    return n;
}

// Every parameter of the model, from the nanoGPT layout in transformer.h.
int64_t totalParams(const ModelConfig& c) {
    const int64_t d = c.dModel, V = c.vocab;
    const int64_t mlp = (d * 4 * d + 4 * d) + (4 * d * d + d);
    const int64_t norms = 2 * (2 * d);  // ln1, ln2
    int64_t n = int64_t(c.layers) * (attentionParams(c) + mlp + norms);
    n += 2 * d;  // ln_f
    if (c.arch == Architecture::Vit) {
        const int64_t side = c.imageSize / c.patchSize, patches = side * side;
        const int64_t p2 = int64_t(c.patchSize) * c.patchSize;
        n += p2 * d + d;         // patch_emb
        n += d;                  // cls_token
        n += (patches + 1) * d;  // pos_emb over the class token and the patches
        n += d * V + V;          // class head
    } else {
        n += V * d;                   // tok_emb, shared with the output head
        n += int64_t(c.context) * d;  // pos_emb
        n += V;                       // head_bias
    }
    return n;
}

// The documented checkpoint names for a configuration.
std::set<std::string> expectedNames(const ModelConfig& c) {
    const VariantFacts& f = factsOf(c.variant);
    std::set<std::string> n;
    auto linear = [&n](const std::string& prefix) {
        n.insert(prefix + ".weight");
        n.insert(prefix + ".bias");
    };
    if (c.arch == Architecture::Vit) {
        linear("patch_emb");
        n.insert("cls_token");
        linear("head");
    } else {
        n.insert("tok_emb.weight");
        n.insert("head_bias");
    }
    n.insert("pos_emb");
    for (int i = 0; i < c.layers; ++i) {
        const std::string b = "blocks." + std::to_string(i);
        linear(b + ".ln1");
        linear(b + ".ln2");
        linear(b + ".mlp.fc");
        linear(b + ".mlp.proj");
        if (f.hasQ) linear(b + ".attn.q");
        linear(b + ".attn.k");
        if (f.hasV) linear(b + ".attn.v");
        linear(b + ".attn.o");
        if (f.mlpQ) {
            n.insert(b + ".attn.qmlp.norm.weight");
            n.insert(b + ".attn.qmlp.fc1.weight");
            n.insert(b + ".attn.qmlp.fc2.weight");
            linear(b + ".attn.qmlp.ln");
        }
        if (c.posBias) linear(b + ".attn.pos_bias");
    }
    linear("ln_f");
    return n;
}

ModelConfig smallConfig(Architecture arch, Variant v, int kvHeads, bool posBias) {
    ModelConfig c;
    c.arch = arch;
    c.variant = v;
    c.dModel = 32;
    c.layers = 2;
    c.heads = 4;
    c.kvHeads = kvHeads;
    c.vocab = 10;
    c.context = 12;
    c.posBias = posBias;
    c.imageSize = 14;
    c.patchSize = 7;
    return c;
}

// Runs `f`, expecting ConfigError whose message contains `fragment`.
template <typename F>
void expectConfigError(F f, const QString& fragment) {
    try {
        f();
        QFAIL(qPrintable("no ConfigError; expected one mentioning '" + fragment + "'"));
    } catch (const ConfigError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
    }
}

}  // namespace

class TstModelSummary : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void countsAndNames_data();
    void countsAndNames();
    void paperSettingClosedForm();
    void kvCacheFormula_data();
    void kvCacheFormula();
    void paperReductions_data();
    void paperReductions();
    void liveCacheMatchesFormula_data();
    void liveCacheMatchesFormula();
    void validateRefuses_data();
    void validateRefuses();
};

void TstModelSummary::countsAndNames_data() {
    QTest::addColumn<int>("arch");
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<bool>("posBias");
    const std::vector<std::pair<Architecture, const char*>> archs = {
        {Architecture::Decoder, "decoder"},
        {Architecture::Encoder, "encoder"},
        {Architecture::Vit, "vit"}};
    for (const auto& [arch, archName] : archs)
        for (const VariantFacts& f : facts())
            for (int g : {4, 2, 1}) {
                if (f.fullKv && g != 4) continue;
                for (bool bias : {false, true}) {
                    const std::string name = std::string(archName) + "/" + variantId(f.variant) +
                                             "/g" + std::to_string(g) + (bias ? "/bias" : "");
                    QTest::newRow(name.c_str()) << int(arch) << int(f.variant) << g << bias;
                }
            }
}

void TstModelSummary::countsAndNames() {
    QFETCH(int, arch);
    QFETCH(int, variant);
    QFETCH(int, kvHeads);
    QFETCH(bool, posBias);
    const ModelConfig c = smallConfig(Architecture(arch), Variant(variant), kvHeads, posBias);
    const Model model(c, 1);

    // (a) closed form = summary = allocated model.
    const int64_t expected = totalParams(c);
    const ModelSummary s = summarize(c);
    QCOMPARE(s.parameters, expected);
    QCOMPARE(model.parameterCount(), expected);

    // (b) attention parameters are exactly the tensors under ".attn.".
    int64_t attn = 0, all = 0;
    for (const NamedTensor& t : model.state()) {
        int64_t numel = 1;
        for (int64_t dim : t.shape) numel *= dim;
        QCOMPARE(int64_t(t.values.size()), numel);
        all += numel;
        if (t.name.find(".attn.") != std::string::npos) attn += numel;
    }
    QCOMPARE(all, expected);
    QCOMPARE(s.attentionParameters, attn);
    QCOMPARE(s.attentionParameters, int64_t(c.layers) * attentionParams(c));

    // (c) the names are the documented ones, no more and no fewer.
    const std::vector<std::string> names = model.parameterNames();
    const std::set<std::string> actual(names.begin(), names.end());
    QCOMPARE(actual.size(), names.size());  // no duplicates
    const std::set<std::string> want = expectedNames(c);
    for (const std::string& n : want) QVERIFY2(actual.count(n), ("missing " + n).c_str());
    for (const std::string& n : actual) QVERIFY2(want.count(n), ("unexpected " + n).c_str());
    const VariantFacts& f = factsOf(c.variant);
    QCOMPARE(model.hasParameter("blocks.0.attn.q.weight"), f.hasQ);
    QCOMPARE(model.hasParameter("blocks.1.attn.v.weight"), f.hasV);
    QCOMPARE(model.hasParameter("blocks.0.attn.qmlp.fc1.weight"), f.mlpQ);
    QCOMPARE(model.hasParameter("blocks.1.attn.pos_bias.weight"), posBias);
    QVERIFY(model.hasParameter("blocks.0.attn.k.weight"));

    // K (and V) have g heads: the rows of W_K are g · d_h.
    for (const NamedTensor& t : model.state())
        if (t.name == "blocks.0.attn.k.weight") {
            QCOMPARE(t.shape,
                     (std::vector<int64_t>{int64_t(kvHeads) * (c.dModel / c.heads), c.dModel}));
        }
}

void TstModelSummary::paperSettingClosedForm() {
    // The paper's 300M setting, summarised without allocating: computed by hand,
    //   attention 4·(d² + d) = 4 198 400, MLP 8d² + 5d = 8 393 728, norms 4d = 4 096 per layer;
    //   × 20 layers = 251 924 480; + ln_f 2 048 + tok_emb 51 511 296 + pos_emb 2 097 152
    //   + head_bias 50 304 = 305 585 280.
    ModelConfig c;
    c.arch = Architecture::Decoder;
    c.variant = Variant::Qkv;
    c.dModel = 1024;
    c.layers = 20;
    c.heads = 16;
    c.vocab = 50304;
    c.context = 2048;
    const ModelSummary s = summarize(c);
    QCOMPARE(s.parameters, int64_t(305585280));
    QCOMPARE(s.attentionParameters, int64_t(83968000));
    QCOMPARE(s.parameters, totalParams(c));
    // L · 2 · g · d_h · 4 bytes = 20 · 2 · 16 · 64 · 4.
    QCOMPARE(s.kvCacheBytesPerToken, int64_t(163840));
    QCOMPARE(s.kvCacheFactor, 2);

    // The paper's own layout (paper-gpt) has no head bias: its QKV model has exactly
    // 305 585 280 − 50 304 = 305 534 976 parameters, the figure the paper's code prints.
    applyFamily(c, "paper-gpt");
    QCOMPARE(summarize(c).parameters, int64_t(305534976));
    // Every variant of a small paper-gpt model: the model built holds what the closed form counts
    // (QKV Lab's layout less the head bias).
    for (Variant v : allVariants()) {
        ModelConfig small;
        small.arch = Architecture::Decoder;
        small.variant = v;
        small.dModel = 32;
        small.layers = 2;
        small.heads = 4;
        small.vocab = 50;
        small.context = 16;
        applyFamily(small, "paper-gpt");
        const Model model(small, 1);
        QCOMPARE(model.parameterCount(), summarize(small).parameters);
        QCOMPARE(model.parameterCount(), totalParams(small) - small.vocab);
        QVERIFY(!model.hasParameter("head_bias"));
    }
}

void TstModelSummary::kvCacheFormula_data() {
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("kvHeads");
    for (const VariantFacts& f : facts())
        for (int g : {8, 4, 2, 1}) {
            if (f.fullKv && g != 8) continue;
            const std::string name = variantId(f.variant) + "/g" + std::to_string(g);
            QTest::newRow(name.c_str()) << int(f.variant) << g;
        }
}

void TstModelSummary::kvCacheFormula() {
    QFETCH(int, variant);
    QFETCH(int, kvHeads);
    ModelConfig c = smallConfig(Architecture::Decoder, Variant(variant), kvHeads, false);
    c.heads = 8;
    c.dModel = 64;
    c.layers = 3;
    QVERIFY(int(c.heads) % kvHeads == 0);
    const int64_t L = c.layers, dh = c.dModel / c.heads, g = kvHeads;
    const int64_t cf = factsOf(c.variant).cacheFactor;
    for (int64_t T : {1, 7, 1000})
        for (int64_t B : {1, 3})
            for (int bytes : {2, 4}) {
                const int64_t want = L * cf * g * dh * T * B * bytes;
                QCOMPARE(kvCacheBytes(c, T, B, bytes), want);
            }
    const ModelSummary s = summarize(c);
    QCOMPARE(s.kvCacheFactor, int(cf));
    QCOMPARE(s.kvCacheBytesPerToken, L * cf * g * dh * 4);
    // The reduction against qkv with g = H: 1 − c·g / (2H).
    QCOMPARE(kvCacheReductionVsQkv(c), 1.0 - double(cf * g) / double(2 * c.heads));

    if (c.variant == Variant::SharedKv) {
        // V = K: exactly half of qkv at the same g.
        ModelConfig q = c;
        q.variant = Variant::Qkv;
        QCOMPARE(2 * kvCacheBytes(c, 123, 2), kvCacheBytes(q, 123, 2));
    }
}

void TstModelSummary::paperReductions_data() {
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<double>("reduction");
    // docs/DESIGN.md §2, H = 16.
    QTest::newRow("qkv") << int(Variant::Qkv) << 16 << 0.0;
    QTest::newRow("shared-kv") << int(Variant::SharedKv) << 16 << 0.5;
    QTest::newRow("shared-kv+GQA-4") << int(Variant::SharedKv) << 4 << 0.875;
    QTest::newRow("shared-kv+MQA") << int(Variant::SharedKv) << 1 << 0.96875;
    QTest::newRow("shared-qk") << int(Variant::SharedQk) << 16 << 0.0;
    QTest::newRow("single") << int(Variant::Single) << 16 << 0.5;
    QTest::newRow("qkv+GQA-4") << int(Variant::Qkv) << 4 << 0.75;
}

void TstModelSummary::paperReductions() {
    QFETCH(int, variant);
    QFETCH(int, kvHeads);
    QFETCH(double, reduction);
    ModelConfig c;
    c.arch = Architecture::Decoder;
    c.variant = Variant(variant);
    c.dModel = 1024;
    c.layers = 20;
    c.heads = 16;
    c.kvHeads = kvHeads;
    c.vocab = 50304;
    c.context = 2048;
    validate(c);
    // Every value here is a dyadic fraction, so the comparison is exact.
    QVERIFY2(kvCacheReductionVsQkv(c) == reduction,
             qPrintable(QString::number(kvCacheReductionVsQkv(c), 'g', 17)));
}

void TstModelSummary::liveCacheMatchesFormula_data() {
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("kvHeads");
    for (const VariantFacts& f : facts())
        for (int g : {4, 2, 1}) {
            if (f.fullKv && g != 4) continue;
            const std::string name = variantId(f.variant) + "/g" + std::to_string(g);
            QTest::newRow(name.c_str()) << int(f.variant) << g;
        }
}

void TstModelSummary::liveCacheMatchesFormula() {
    // docs/DESIGN.md §4: the bytes the cache tensors really hold must equal the formula, token by token.
    QFETCH(int, variant);
    QFETCH(int, kvHeads);
    const ModelConfig c = smallConfig(Architecture::Decoder, Variant(variant), kvHeads, false);
    const Model model(c, 3);
    torch::NoGradGuard noGrad;
    const int64_t B = 2;
    std::vector<LayerKvCache> caches;
    auto prompt = torch::randint(0, c.vocab, {B, 5}, torch::kInt64);
    model.module()->forward(prompt, nullptr, &caches);
    auto cached = [&caches] {
        int64_t n = 0;
        for (const auto& k : caches) n += k.bytes();
        return n;
    };
    QCOMPARE(int64_t(caches.size()), int64_t(c.layers));
    QCOMPARE(cached(), kvCacheBytes(c, 5, B));
    for (int64_t t = 6; t <= 8; ++t) {
        model.module()->forward(torch::randint(0, c.vocab, {B, 1}, torch::kInt64), nullptr,
                                &caches);
        QCOMPARE(cached(), kvCacheBytes(c, t, B));
    }
}

void TstModelSummary::validateRefuses_data() {
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("dModel");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("g does not divide H")
        << int(Variant::Qkv) << 32 << 4 << 3 << "must divide heads";
    QTest::newRow("g > H") << int(Variant::SharedKv) << 32 << 4 << 8 << "must divide heads";
    QTest::newRow("shared-qk g=2")
        << int(Variant::SharedQk) << 32 << 4 << 2 << "needs kv-heads = heads";
    QTest::newRow("single g=1") << int(Variant::Single) << 32 << 4 << 1 << "needs kv-heads = heads";
    QTest::newRow("d not divisible by H")
        << int(Variant::Qkv) << 30 << 4 << 0 << "must be divisible by heads";
    QTest::newRow("identity-q d not divisible by H")
        << int(Variant::IdentityQ) << 30 << 4 << 0 << "must be divisible by heads";
    QTest::newRow("zero heads") << int(Variant::Qkv) << 32 << 0 << 0 << "heads";
}

void TstModelSummary::validateRefuses() {
    QFETCH(int, variant);
    QFETCH(int, dModel);
    QFETCH(int, heads);
    QFETCH(int, kvHeads);
    QFETCH(QString, fragment);
    ModelConfig c = smallConfig(Architecture::Decoder, Variant(variant), kvHeads, false);
    c.dModel = dModel;
    c.heads = heads;
    expectConfigError([&] { validate(c); }, fragment);
    // Building the model applies the same rule instead of failing deep inside LibTorch.
    expectConfigError([&] { Model m(c, 1); }, fragment);

    // The same configuration with the rule satisfied is accepted, so the refusal above is about
    // this rule and nothing else.
    ModelConfig ok = c;
    ok.dModel = 32;
    ok.heads = 4;
    ok.kvHeads = 0;
    validate(ok);
}

QTEST_GUILESS_MAIN(TstModelSummary)
#include "tst_model_summary.moc"
