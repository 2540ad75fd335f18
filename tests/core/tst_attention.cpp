// Every attention variant against an independent naive implementation: explicit per-head loops
// in double precision over the module's own weights.
#include <QtTest>

#include <cmath>

#include "attention/attention.h"
#include "attention/fused_attention.h"

using namespace qkv;

namespace {

using Mat = std::vector<std::vector<double>>;  // row-major [rows][cols]

// Modules start uninitialised (a model's seed or a loaded file fills them); a layer on its own
// gets torch::nn::Linear's default, U(-1/sqrt(in), 1/sqrt(in)), drawn from torch's global
// generator so that torch::manual_seed decides it.
Attention makeAttention(const ModelConfig& c) {
    Attention a(c);
    torch::NoGradGuard noGrad;
    for (const auto& m : a->modules(/*include_self=*/false)) {
        auto* linear = m->as<LinearImpl>();
        if (!linear || (a->posBias && linear == a->posBias.get())) continue;
        const double bound = 1.0 / std::sqrt(double(linear->weight.size(1)));
        linear->weight.uniform_(-bound, bound);
        if (linear->bias.defined()) linear->bias.uniform_(-bound, bound);
    }
    return a;
}

Mat toMat(const torch::Tensor& t2d) {
    auto t = t2d.to(torch::kFloat64).contiguous();
    Mat m(size_t(t.size(0)), std::vector<double>(size_t(t.size(1))));
    for (int64_t i = 0; i < t.size(0); ++i)
        for (int64_t j = 0; j < t.size(1); ++j) m[size_t(i)][size_t(j)] = t[i][j].item<double>();
    return m;
}

std::vector<double> toVec(const torch::Tensor& t1d) {
    auto t = t1d.to(torch::kFloat64).contiguous();
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

// y = x Wᵀ + b for a Linear's weight (out, in).
Mat linear(const Mat& x, const Linear& l) {
    const Mat w = toMat(l->weight);
    const std::vector<double> b =
        l->bias.defined() ? toVec(l->bias) : std::vector<double>(size_t(l->weight.size(0)), 0.0);
    Mat y(x.size(), std::vector<double>(w.size(), 0.0));
    for (size_t t = 0; t < x.size(); ++t)
        for (size_t o = 0; o < w.size(); ++o) {
            double s = b[o];
            for (size_t i = 0; i < x[t].size(); ++i) s += x[t][i] * w[o][i];
            y[t][o] = s;
        }
    return y;
}

Mat layerNorm(const Mat& x, const std::vector<double>& gain, const std::vector<double>& bias) {
    Mat y = x;
    for (auto& row : y) {
        double mean = 0, var = 0;
        for (double v : row) mean += v;
        mean /= double(row.size());
        for (double v : row) var += (v - mean) * (v - mean);
        var /= double(row.size());
        for (size_t i = 0; i < row.size(); ++i)
            row[i] = (row[i] - mean) / std::sqrt(var + 1e-5) * gain[i] + bias[i];
    }
    return y;
}

// The mlp-q query map, written out: LN(GELU(RMSNorm(x) W₁) W₂).
Mat queryMlp(const Mat& x, QueryMlpImpl& m) {
    const std::vector<double> g = toVec(m.norm->weight);
    Mat r = x;
    for (auto& row : r) {
        double ms = 0;
        for (double v : row) ms += v * v;
        const double scale = 1.0 / std::sqrt(ms / double(row.size()) + 1e-6);
        for (size_t i = 0; i < row.size(); ++i) row[i] *= scale * g[i];
    }
    Mat h = linear(r, m.fc1);
    for (auto& row : h)
        for (double& v : row) v = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
    return layerNorm(linear(h, m.fc2), toVec(m.ln->weight), toVec(m.ln->bias));
}

// Rotary embeddings written out per position and pair: angle i·θ^(−2k/d_h) for pair k, the
// pairs being (k, k + d_h/2) (rotate-half) or (2k, 2k + 1) (adjacent).
Mat naiveRotate(const Mat& rows, size_t heads, size_t dh, RotaryPairs pairs, double theta) {
    Mat out = rows;
    for (size_t i = 0; i < rows.size(); ++i)
        for (size_t h = 0; h < heads; ++h)
            for (size_t k = 0; k < dh / 2; ++k) {
                const double angle = double(i) * std::pow(theta, -2.0 * double(k) / double(dh));
                const size_t a = h * dh + (pairs == RotaryPairs::Half ? k : 2 * k);
                const size_t b = h * dh + (pairs == RotaryPairs::Half ? k + dh / 2 : 2 * k + 1);
                out[i][a] = rows[i][a] * std::cos(angle) - rows[i][b] * std::sin(angle);
                out[i][b] = rows[i][a] * std::sin(angle) + rows[i][b] * std::cos(angle);
            }
    return out;
}

struct NaiveResult {
    Mat y;                    // (T, d)
    std::vector<Mat> logits;  // per head (T, T), after the bias, before the mask
};

// One sequence x (T, d) through the variant, head by head.
NaiveResult naiveAttention(const Mat& x, AttentionImpl& a, const ModelConfig& c) {
    const size_t T = x.size(), H = size_t(c.heads), g = size_t(c.kvHeadCount());
    const size_t dh = size_t(c.headDim());
    Mat K = linear(x, a.k);
    const Mat V = hasValueProjection(c.variant) ? linear(x, a.v) : K;  // never rotated
    Mat Q;
    switch (c.variant) {
        case Variant::SharedQk:
        case Variant::Single:
            Q = K;
            break;
        case Variant::IdentityQ:
            Q = x;
            break;
        case Variant::ResidualQ: {  // X + X W_Q (the projection's bias included)
            Q = linear(x, a.q);
            for (size_t t = 0; t < T; ++t)
                for (size_t i = 0; i < Q[t].size(); ++i) Q[t][i] += x[t][i];
            break;
        }
        case Variant::MlpQ: {
            Q = queryMlp(x, *a.qmlp);
            for (size_t t = 0; t < T; ++t)
                for (size_t i = 0; i < Q[t].size(); ++i) Q[t][i] = 0.5 * (x[t][i] + Q[t][i]);
            break;
        }
        default:
            Q = linear(x, a.q);
    }
    if (c.positions == PositionKind::Rotary) {
        Q = naiveRotate(Q, H, dh, c.ropePairs, c.ropeTheta);
        K = naiveRotate(K, g, dh, c.ropePairs, c.ropeTheta);
    }
    std::vector<double> w, table;
    double b = 0;
    Mat P;  // flattened table rows: P[i*T + j] has p features
    if (c.posBias) {
        w = toVec(a.posBias->weight.view({-1}));
        b = a.posBias->bias.item<double>();
        P = toMat(positionalTable(c)  // checked against the formulas in positionalTables()
                      .narrow(0, 0, int64_t(T))
                      .narrow(1, 0, int64_t(T))
                      .reshape({int64_t(T * T), -1}));
    }
    NaiveResult out;
    Mat concat(T, std::vector<double>(H * dh, 0.0));
    for (size_t h = 0; h < H; ++h) {
        const size_t kvh = h / (H / g);  // contiguous groups
        Mat S(T, std::vector<double>(T, 0.0));
        for (size_t i = 0; i < T; ++i)
            for (size_t j = 0; j < T; ++j) {
                double s = 0;
                for (size_t e = 0; e < dh; ++e) s += Q[i][h * dh + e] * K[j][kvh * dh + e];
                // Karbevski's published scale for queries from X: 1/(2√d_h).
                s /= std::sqrt(double(dh));
                if (c.variant == Variant::IdentityQ || c.variant == Variant::ResidualQ) s *= 0.5;
                if (c.posBias) {
                    double wp = 0, wsum = 0;
                    for (size_t f = 0; f < w.size(); ++f) {
                        wp += w[f] * P[i * T + j][f];
                        wsum += w[f];
                    }
                    s = wsum * s + wp + b;
                }
                S[i][j] = s;
            }
        out.logits.push_back(S);
        for (size_t i = 0; i < T; ++i) {
            const size_t last = c.causal() ? i : T - 1;
            double mx = -1e300, z = 0;
            for (size_t j = 0; j <= last; ++j) mx = std::max(mx, S[i][j]);
            for (size_t j = 0; j <= last; ++j) z += std::exp(S[i][j] - mx);
            for (size_t j = 0; j <= last; ++j) {
                const double p = std::exp(S[i][j] - mx) / z;
                for (size_t e = 0; e < dh; ++e) concat[i][h * dh + e] += p * V[j][kvh * dh + e];
            }
        }
    }
    out.y = linear(concat, a.o);
    return out;
}

double maxDiff(const Mat& a, const torch::Tensor& b2d) {
    const Mat m = toMat(b2d);
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = 0; j < a[i].size(); ++j) d = std::max(d, std::abs(a[i][j] - m[i][j]));
    return d;
}

// One attention layer of d 32: a decoder layer (causal) or an encoder layer; rope 0 has no
// rotary embeddings, 1 rotates halves, 2 adjacent pairs (then without biases, as Llama).
ModelConfig layerConfig(int variant, int heads, int kvHeads, bool causal, int context,
                        int rope = 0) {
    ModelConfig c;
    if (rope > 0) {
        c.positions = PositionKind::Rotary;
        c.ropePairs = rope == 1 ? RotaryPairs::Half : RotaryPairs::Adjacent;
        c.ropeTheta = rope == 1 ? 10000 : 500;  // a small theta turns even the last pairs
        c.attnBias = rope == 1;
    }
    c.arch = causal ? Architecture::Decoder : Architecture::Encoder;
    c.variant = Variant(variant);
    c.dModel = 32;
    c.heads = heads;
    c.kvHeads = kvHeads;
    c.context = context;
    return c;
}

}  // namespace

class TestAttention : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesNaive_data();
    void matchesNaive();
    void logitsSymmetryFollowsVariant_data();
    void logitsSymmetryFollowsVariant();
    void sharedKvOutputIsSoftmaxTimesK();
    void absentProjectionsAreAbsent();
    void cachedForwardEqualsFullForward();
    void fusedPathMatchesComposedPath_data();
    void fusedPathMatchesComposedPath();
    void positionalTables();
};

// The published absolute table against its formula written out (positional_encodings'
// PositionalEncoding2D); the structure of both tables' biases; and what each does to Q = K.
void TestAttention::positionalTables() {
    const int64_t T = 9, p = 10;
    const auto absolute = absolutePositionalTable(T, p), relative = positionalTable(T, p);
    const int c = 2 * int(std::ceil(p / 4.0));  // 6 channels of i, then of j, cut to 10
    for (int64_t i = 0; i < T; ++i)
        for (int64_t j = 0; j < T; ++j)
            for (int64_t f = 0; f < p; ++f) {
                const int64_t index = f < c ? i : j, k = (f % c) / 2;
                const double angle = double(index) * std::pow(10000.0, -2.0 * double(k) / c);
                const double expected = f % 2 == 0 ? std::sin(angle) : std::cos(angle);
                QVERIFY(std::abs(absolute[i][j][f].item<double>() - expected) < 1e-6);
            }
    torch::manual_seed(4);
    const auto w = torch::randn({p}, torch::kFloat64);
    const auto a = absolute.to(torch::kFloat64).matmul(w), r = relative.to(torch::kFloat64).matmul(w);
    for (int64_t i = 0; i + 1 < T; ++i)
        for (int64_t j = 0; j + 1 < T; ++j) {
            // a(i) + b(j): every double difference vanishes; the relative bias is Toeplitz.
            const double dd = (a[i][j] - a[i][j + 1] - a[i + 1][j] + a[i + 1][j + 1]).item<double>();
            QVERIFY(std::abs(dd) < 1e-9);
            QVERIFY(std::abs((r[i][j] - r[i + 1][j + 1]).item<double>()) < 1e-6);
        }
    // A Q = K model with either bias has asymmetric logits; without one they are symmetric.
    for (int mode : {0, 1, 2}) {
        ModelConfig cfg = layerConfig(int(Variant::SharedQk), 4, 4, false, int(T));
        cfg.posBias = mode > 0;
        cfg.posBiasMode = mode == 1 ? PosBiasMode::Absolute : PosBiasMode::Relative;
        torch::manual_seed(6);
        Attention att = makeAttention(cfg);
        if (cfg.posBias) {
            torch::NoGradGuard g;
            att->posBias->weight.normal_(0.3, 0.5);
        }
        torch::NoGradGuard noGrad;
        AttentionTrace trace;
        att->forward(torch::randn({1, T, 32}), &trace);
        const auto S = trace.logits[0][0];
        const double skew = (S - S.t()).abs().max().item<double>();
        QVERIFY2(mode == 0 ? skew < 1e-5 : skew > 1e-3, qPrintable(QString::number(skew)));
    }
}

void TestAttention::matchesNaive_data() {
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<int>("length");
    QTest::addColumn<bool>("bias");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<int>("rope");
    for (Variant v : allVariants()) {
        const bool fullOnly = needsFullKvHeads(v);
        struct Shape {
            int H, g, T;
        };
        std::vector<Shape> shapes = {{4, 4, 7}, {2, 2, 5}, {8, 8, 3}};
        if (!fullOnly) shapes.insert(shapes.end(), {{4, 2, 7}, {4, 1, 6}, {8, 2, 9}});
        for (const Shape& s : shapes)
            for (bool bias : {false, true})
                for (bool causal : {false, true}) {
                    const std::string name = variantId(v) + " H" + std::to_string(s.H) + " g" +
                                             std::to_string(s.g) + " T" + std::to_string(s.T) +
                                             (bias ? " bias" : "") + (causal ? " causal" : "");
                    QTest::newRow(name.c_str()) << int(v) << s.H << s.g << s.T << bias << causal << 0;
                }
        // Rotary embeddings in both pairings, with GQA where the variant allows it.
        for (int rope : {1, 2})
            for (bool causal : {false, true}) {
                const int g = fullOnly ? 4 : 2;
                const std::string name = variantId(v) + " H4 g" + std::to_string(g) + " T9 rope-" +
                                         rotaryPairsId(rope == 1 ? RotaryPairs::Half
                                                                 : RotaryPairs::Adjacent) +
                                         (causal ? " causal" : "");
                QTest::newRow(name.c_str()) << int(v) << 4 << g << 9 << (rope == 2) << causal
                                           << rope;
            }
    }
}

void TestAttention::matchesNaive() {
    QFETCH(int, variant);
    QFETCH(int, heads);
    QFETCH(int, kvHeads);
    QFETCH(int, length);
    QFETCH(bool, bias);
    QFETCH(bool, causal);
    QFETCH(int, rope);
    ModelConfig c = layerConfig(variant, heads, kvHeads, causal, 12, rope);
    c.posBias = bias;
    torch::manual_seed(uint64_t(variant * 100 + heads * 10 + kvHeads));
    Attention a = makeAttention(c);
    if (bias) {  // a non-trivial bias, so that the test cannot pass with the bias ignored
        torch::NoGradGuard ng;
        a->posBias->weight.normal_(0.3, 0.5);
        a->posBias->bias.fill_(0.25);
    }
    torch::NoGradGuard noGrad;
    auto x = torch::randn({2, length, c.dModel});
    AttentionTrace trace;
    auto y = a->forward(x, &trace);  // (B, T, d)
    auto yPlain = a->forward(x);     // without a trace: the fused path when there is no bias
    for (int64_t bi = 0; bi < 2; ++bi) {
        const NaiveResult ref = naiveAttention(toMat(x[bi]), *a, c);
        QVERIFY2(maxDiff(ref.y, y[bi]) < 1e-5, qPrintable(QString::number(maxDiff(ref.y, y[bi]))));
        QVERIFY2(maxDiff(ref.y, yPlain[bi]) < 1e-5,
                 qPrintable(QString::number(maxDiff(ref.y, yPlain[bi]))));
        for (int h = 0; h < heads; ++h)
            QVERIFY(maxDiff(ref.logits[size_t(h)], trace.logits[bi][h]) < 1e-5);
    }
    QCOMPARE(trace.k.size(1), int64_t(kvHeads));  // K and V keep their g heads
}

void TestAttention::logitsSymmetryFollowsVariant_data() {
    QTest::addColumn<int>("variant");
    QTest::addColumn<bool>("bias");
    QTest::addColumn<bool>("symmetric");
    for (Variant v : allVariants())
        for (bool bias : {false, true}) {
            const std::string name = variantId(v) + (bias ? " +bias" : "");
            QTest::newRow(name.c_str()) << int(v) << bias << (queryIsKey(v) && !bias);
        }
}

void TestAttention::logitsSymmetryFollowsVariant() {
    QFETCH(int, variant);
    QFETCH(bool, bias);
    QFETCH(bool, symmetric);
    ModelConfig c;
    c.variant = Variant(variant);
    c.dModel = 32;
    c.heads = 4;
    c.context = 10;
    c.posBias = bias;
    torch::manual_seed(7);
    Attention a = makeAttention(c);
    torch::NoGradGuard noGrad;
    AttentionTrace trace;
    a->forward(torch::randn({1, 10, 32}), &trace);
    const auto S = trace.logits[0];  // (H, T, T)
    const double asym = (S - S.transpose(-2, -1)).abs().max().item<double>();
    if (symmetric)
        QCOMPARE(asym, 0.0);  // exactly: Q and K are the same tensor
    else
        QVERIFY2(asym > 1e-3, qPrintable(QString::number(asym)));
}

void TestAttention::sharedKvOutputIsSoftmaxTimesK() {
    ModelConfig c;
    c.variant = Variant::SharedKv;
    c.dModel = 24;
    c.heads = 3;
    c.context = 8;
    torch::manual_seed(3);
    Attention a = makeAttention(c);
    torch::NoGradGuard noGrad;
    auto x = torch::randn({2, 8, 24});
    AttentionTrace trace;
    auto y = a->forward(x, &trace);
    auto q = a->q(x).view({2, 8, 3, 8}).transpose(1, 2);
    auto k = a->k(x).view({2, 8, 3, 8}).transpose(1, 2);
    auto expected = torch::softmax(torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(8.0), -1)
                        .matmul(k)
                        .transpose(1, 2)
                        .reshape({2, 8, 24});
    QVERIFY((a->o(expected) - y).abs().max().item<double>() < 1e-5);
    QVERIFY(trace.v.is_same(trace.k));
}

void TestAttention::absentProjectionsAreAbsent() {
    for (Variant v : allVariants()) {
        ModelConfig c;
        c.variant = v;
        Attention a = makeAttention(c);
        const auto names = a->named_parameters().keys();
        auto has = [&](const std::string& n) {
            return std::find(names.begin(), names.end(), n) != names.end();
        };
        QCOMPARE(has("q.weight"), hasQueryProjection(v));
        QCOMPARE(has("v.weight"), hasValueProjection(v));
        QVERIFY(has("k.weight") && has("o.weight"));
        QCOMPARE(has("qmlp.fc1.weight"), v == Variant::MlpQ);
        QVERIFY(!has("pos_bias.weight"));
    }
}

// Token by token with a cache must give the full forward's outputs, rotary positions included;
// with V = K and rotary embeddings the cache still holds one tensor (the unrotated keys).
void TestAttention::cachedForwardEqualsFullForward() {
    for (int rope : {0, 1, 2})
        for (Variant v : allVariants()) {
            ModelConfig c = layerConfig(int(v), 4, needsFullKvHeads(v) ? 4 : 2, true, 9, rope);
            c.posBias = rope == 0;
            torch::manual_seed(11);
            Attention a = makeAttention(c);
            torch::NoGradGuard noGrad;
            auto x = torch::randn({1, 9, 32});
            auto full = a->forward(x);
            LayerKvCache cache;
            std::vector<torch::Tensor> steps;
            steps.push_back(a->forward(x.narrow(1, 0, 4), nullptr, &cache));  // a prompt
            for (int t = 4; t < 9; ++t)
                steps.push_back(a->forward(x.narrow(1, t, 1), nullptr, &cache));
            const double diff = (torch::cat(steps, 1) - full).abs().max().item<double>();
            QVERIFY2(diff < 1e-5, qPrintable(QString::fromStdString(variantId(v)) + " rope " +
                                             QString::number(rope) + ": " + QString::number(diff)));
            const int64_t perToken = (valueIsKey(v) ? 1 : 2) * c.kvHeadCount() * c.headDim() * 4;
            QCOMPARE(cache.bytes(), 9 * perToken);
        }
}

void TestAttention::fusedPathMatchesComposedPath_data() {
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<bool>("causal");
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("rope");
    for (Variant v : allVariants()) {
        // Rotary embeddings rotate q and k rows before the fused core (both pairings).
        for (int rope : {1, 2}) {
            const int g = needsFullKvHeads(v) ? 4 : 2;
            const std::string name = variantId(v) + " H4 g" + std::to_string(g) + " T40 causal rope" +
                                     std::to_string(rope);
            QTest::newRow(name.c_str()) << int(v) << 4 << g << true << 40 << rope;
        }
        std::vector<std::pair<int, int>> shapes = {{4, 4}, {1, 1}};
        if (!needsFullKvHeads(v)) shapes.insert(shapes.end(), {{4, 2}, {4, 1}});
        for (const auto& [H, g] : shapes)
            for (bool causal : {false, true})
                // 70: causal products run in blocks of 32 query rows, the last one partial.
                for (int T : {11, 70}) {
                    const std::string name = variantId(v) + " H" + std::to_string(H) + " g" +
                                             std::to_string(g) + " T" + std::to_string(T) +
                                             (causal ? " causal" : "");
                    QTest::newRow(name.c_str()) << int(v) << H << g << causal << T << 0;
                }
    }
}

// Training runs the fused core, analysis the composed path (it records a trace): both must give
// the same outputs and the same gradients for the input and every parameter, or a model would
// be trained on one function and analysed as another.
void TestAttention::fusedPathMatchesComposedPath() {
    if (!fusedAttentionAvailable()) QSKIP("no sgemm_ loaded: the composed path is the only one");
    QFETCH(int, variant);
    QFETCH(int, heads);
    QFETCH(int, kvHeads);
    QFETCH(bool, causal);
    QFETCH(int, length);
    QFETCH(int, rope);
    const ModelConfig c = layerConfig(variant, heads, kvHeads, causal, length, rope);
    torch::manual_seed(uint64_t(17 + variant * 10 + heads + kvHeads));
    Attention a = makeAttention(c);
    const auto x0 = torch::randn({3, length, 32});
    const auto upstream = torch::randn({3, length, 32});
    auto run = [&](bool traced) {
        for (auto& p : a->parameters()) p.mutable_grad() = torch::Tensor();
        auto x = x0.clone().requires_grad_(true);
        AttentionTrace trace;
        auto y = a->forward(x, traced ? &trace : nullptr);
        (y * upstream).sum().backward();
        std::vector<torch::Tensor> out = {y.detach(), x.grad()};
        for (auto& p : a->parameters()) out.push_back(p.grad().clone());
        return out;
    };
    const auto fused = run(false), composed = run(true);
    QCOMPARE(fused.size(), composed.size());
    for (size_t i = 0; i < fused.size(); ++i) {
        const double scale = 1.0 + composed[i].abs().max().item<double>();
        const double diff = (fused[i] - composed[i]).abs().max().item<double>() / scale;
        QVERIFY2(diff < 2e-6, qPrintable(QString("tensor %1: %2").arg(i).arg(diff)));
    }
    QVERIFY(fused[1].abs().max().item<double>() > 0);  // the input gradient is not trivially 0
}

QTEST_GUILESS_MAIN(TestAttention)
#include "tst_attention.moc"
