#include "model/model_summary.h"

namespace qkv {

namespace {
int64_t linearParams(int64_t in, int64_t out, bool bias = true) { return in * out + (bias ? out : 0); }
int64_t layerNormParams(int64_t d) { return 2 * d; }
int64_t normParams(const ModelConfig& c) {
    return c.norm == NormKind::LayerNorm ? 2 * int64_t(c.dModel) : c.dModel;
}

struct MlpCounts {
    int64_t params = 0, macs = 0;
};
MlpCounts mlpCounts(const ModelConfig& c) {
    const int64_t d = c.dModel, w = c.mlpWidth();
    const int matrices = c.mlp == MlpKind::SwiGlu ? 3 : 2;
    MlpCounts m;
    m.macs = matrices * d * w;
    m.params = m.macs + (c.mlpBias ? (matrices - 1) * w + d : 0);
    return m;
}

// Multiply-adds of the projections that act on one token, one layer.
struct AttentionCounts {
    int64_t params = 0;
    int64_t macs = 0;
};

AttentionCounts attentionCounts(const ModelConfig& c) {
    const int64_t d = c.dModel, hd = int64_t(c.heads) * c.headDim();
    const int64_t kvd = int64_t(c.kvHeadCount()) * c.headDim();
    AttentionCounts a;
    auto add = [&a](int64_t in, int64_t out, bool bias) {
        a.params += linearParams(in, out, bias);
        a.macs += in * out;
    };
    if (hasQueryProjection(c.variant)) add(d, hd, c.attnBias);
    if (c.variant == Variant::MlpQ) {
        add(d, d / 2, c.queryMlpBias);
        add(d / 2, d, c.queryMlpBias);
        a.params += d + layerNormParams(d);  // RMSNorm weight, LayerNorm
    }
    add(d, kvd, c.attnBias);  // W_K always exists
    if (hasValueProjection(c.variant)) add(d, kvd, c.attnBias);
    add(hd, d, c.attnBias);   // W_O
    if (c.posBias) a.params += c.posBiasDim + 1;  // Linear(p → 1)
    return a;
}
}  // namespace

int64_t trainingMemoryBytes(const ModelConfig& c, int batch) {
    const int64_t B = batch, T = c.sequenceLength(), d = c.dModel, w = c.mlpWidth();
    const int64_t perLayer = B * T * (10 * d + 2 * w) + 2 * B * int64_t(c.heads) * T * T;
    const int64_t activations = int64_t(c.layers) * perLayer + B * T * int64_t(c.vocab);
    return 4 * (4 * summarize(c).parameters + activations);
}

int64_t kvCacheBytes(const ModelConfig& c, int64_t tokens, int64_t batch, int bytesPerElement) {
    const int64_t factor = valueIsKey(c.variant) ? 1 : 2;
    return int64_t(c.layers) * factor * c.kvHeadCount() * c.headDim() * tokens * batch *
           bytesPerElement;
}

double kvCacheReductionVsQkv(const ModelConfig& c) {
    ModelConfig base = c;
    base.variant = Variant::Qkv;
    base.kvHeads = 0;
    const double full = double(kvCacheBytes(base, 1));
    return full > 0 ? 1.0 - double(kvCacheBytes(c, 1)) / full : 0.0;
}

ModelSummary summarize(const ModelConfig& c) {
    const int64_t d = c.dModel, L = c.layers, T = c.sequenceLength();
    const AttentionCounts attn = attentionCounts(c);
    const MlpCounts mlp = mlpCounts(c);
    const int64_t blockParams = attn.params + mlp.params + 2 * normParams(c);
    const int64_t positions = c.positions == PositionKind::Learned ? T * d : 0;

    ModelSummary s;
    s.attentionParameters = L * attn.params;
    s.parameters = L * blockParams + normParams(c);
    int64_t headMacs = 0;
    if (c.arch == Architecture::Vit) {
        const int64_t patchDim = int64_t(c.patchSize) * c.patchSize;
        s.parameters += linearParams(patchDim, d) + d /*class token*/ + positions +
                        linearParams(d, c.vocab);
        headMacs = patchDim * d;  // the class head runs once per image, not per token
    } else {
        // A tied head reuses the embedding and may keep a bias of its own.
        const int64_t head = c.tiedHead ? (c.headBias ? c.vocab : 0)
                                        : linearParams(d, c.vocab, c.headBias);
        s.parameters += int64_t(c.vocab) * d + positions + head;
        headMacs = d * c.vocab;
    }
    // QKᵀ and AV over a full context: 2 · H · d_h · T multiply-adds per token per layer.
    const int64_t attnMixMacs = 2 * int64_t(c.heads) * c.headDim() * T;
    const int64_t macs = L * (attn.macs + mlp.macs + attnMixMacs) + headMacs;
    s.flopsPerToken = 2 * macs;
    s.kvCacheFactor = valueIsKey(c.variant) ? 1 : 2;
    s.kvCacheBytesPerToken = kvCacheBytes(c, 1);
    return s;
}

std::vector<ParameterShape> attentionParameterShapes(const ModelConfig& c, int layer) {
    const int64_t d = c.dModel, hd = int64_t(c.heads) * c.headDim();
    const int64_t kvd = int64_t(c.kvHeadCount()) * c.headDim();
    const std::string prefix = "blocks." + std::to_string(layer) + ".attn.";
    std::vector<ParameterShape> shapes;
    auto linear = [&](const std::string& name, int64_t in, int64_t out, bool bias) {
        shapes.push_back({prefix + name + ".weight", {out, in}});
        if (bias) shapes.push_back({prefix + name + ".bias", {out}});
    };
    if (hasQueryProjection(c.variant)) linear("q", d, hd, c.attnBias);
    if (c.variant == Variant::MlpQ) {
        shapes.push_back({prefix + "qmlp.norm.weight", {d}});
        linear("qmlp.fc1", d, d / 2, c.queryMlpBias);
        linear("qmlp.fc2", d / 2, d, c.queryMlpBias);
        shapes.push_back({prefix + "qmlp.ln.weight", {d}});
        shapes.push_back({prefix + "qmlp.ln.bias", {d}});
    }
    linear("k", d, kvd, c.attnBias);
    if (hasValueProjection(c.variant)) linear("v", d, kvd, c.attnBias);
    linear("o", hd, d, c.attnBias);
    if (c.posBias) linear("pos_bias", c.posBiasDim, 1, true);
    return shapes;
}

}  // namespace qkv
