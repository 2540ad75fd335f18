#include "model/model_summary.h"

namespace qkv {

namespace {
int64_t linearParams(int64_t in, int64_t out) { return in * out + out; }
int64_t layerNormParams(int64_t d) { return 2 * d; }

// Multiply-adds of the projections that act on one token, one layer.
struct AttentionCounts {
    int64_t params = 0;
    int64_t macs = 0;
};

AttentionCounts attentionCounts(const ModelConfig& c) {
    const int64_t d = c.dModel, hd = int64_t(c.heads) * c.headDim();
    const int64_t kvd = int64_t(c.kvHeadCount()) * c.headDim();
    AttentionCounts a;
    auto add = [&a](int64_t in, int64_t out) {
        a.params += linearParams(in, out);
        a.macs += in * out;
    };
    if (hasQueryProjection(c.variant)) add(d, hd);
    if (c.variant == Variant::MlpQ) {
        add(d, d / 2);
        add(d / 2, d);
        a.params += d + layerNormParams(d);  // RMSNorm weight, LayerNorm
    }
    add(d, kvd);                                  // W_K always exists
    if (hasValueProjection(c.variant)) add(d, kvd);
    add(hd, d);                                   // W_O
    if (c.posBias) a.params += c.posBiasDim + 1;  // Linear(p → 1)
    return a;
}
}  // namespace

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
    const int64_t mlpParams = linearParams(d, 4 * d) + linearParams(4 * d, d);
    const int64_t blockParams = attn.params + mlpParams + 2 * layerNormParams(d);

    ModelSummary s;
    s.attentionParameters = L * attn.params;
    s.parameters = L * blockParams + layerNormParams(d);
    int64_t headMacs = 0;
    if (c.arch == Architecture::Vit) {
        const int64_t patchDim = int64_t(c.patchSize) * c.patchSize;
        s.parameters += linearParams(patchDim, d) + d /*class token*/ + T * d /*positions*/ +
                        linearParams(d, c.vocab);
        headMacs = patchDim * d;  // the class head runs once per image, not per token
    } else {
        // Output head tied to the embedding; it keeps its own bias.
        s.parameters += int64_t(c.vocab) * d + T * d + c.vocab;
        headMacs = d * c.vocab;
    }
    // QKᵀ and AV over a full context: 2 · H · d_h · T multiply-adds per token per layer.
    const int64_t attnMixMacs = 2 * int64_t(c.heads) * c.headDim() * T;
    const int64_t macs = L * (attn.macs + 8 * d * d + attnMixMacs) + headMacs;
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
    auto linear = [&](const std::string& name, int64_t in, int64_t out) {
        shapes.push_back({prefix + name + ".weight", {out, in}});
        shapes.push_back({prefix + name + ".bias", {out}});
    };
    if (hasQueryProjection(c.variant)) linear("q", d, hd);
    if (c.variant == Variant::MlpQ) {
        shapes.push_back({prefix + "qmlp.norm.weight", {d}});
        linear("qmlp.fc1", d, d / 2);
        linear("qmlp.fc2", d / 2, d);
        shapes.push_back({prefix + "qmlp.ln.weight", {d}});
        shapes.push_back({prefix + "qmlp.ln.bias", {d}});
    }
    linear("k", d, kvd);
    if (hasValueProjection(c.variant)) linear("v", d, kvd);
    linear("o", hd, d);
    if (c.posBias) linear("pos_bias", c.posBiasDim, 1);
    return shapes;
}

}  // namespace qkv
