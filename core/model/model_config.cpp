#include "model/model_config.h"

#include "common/errors.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace qkv {

std::string architectureId(Architecture a) {
    switch (a) {
        case Architecture::Decoder: return "decoder";
        case Architecture::Encoder: return "encoder";
        case Architecture::Vit: return "vit";
    }
    return "encoder";
}

Architecture parseArchitecture(const std::string& id) {
    if (id == "decoder") return Architecture::Decoder;
    if (id == "encoder") return Architecture::Encoder;
    if (id == "vit") return Architecture::Vit;
    throw ConfigError("unknown architecture '" + id + "' (expected decoder, encoder or vit)");
}

namespace {
template <class E>
struct Names {
    std::vector<std::pair<E, const char*>> all;
    std::string id(E e) const {
        for (const auto& [v, name] : all)
            if (v == e) return name;
        return all.front().second;
    }
    E parse(const std::string& text, const char* what) const {
        std::string list;
        for (const auto& [v, name] : all) {
            if (text == name) return v;
            list += (list.empty() ? "" : ", ") + std::string(name);
        }
        throw ConfigError("unknown " + std::string(what) + " '" + text + "' (expected " + list + ")");
    }
};
const Names<NormKind> kNorms{{{NormKind::LayerNorm, "layernorm"}, {NormKind::RmsNorm, "rmsnorm"}}};
const Names<PositionKind> kPositions{{{PositionKind::Learned, "learned"},
                                      {PositionKind::Rotary, "rotary"},
                                      {PositionKind::None, "none"}}};
const Names<RotaryPairs> kPairs{{{RotaryPairs::Half, "half"}, {RotaryPairs::Adjacent, "adjacent"}}};
const Names<PosBiasMode> kPosBias{{{PosBiasMode::Absolute, "absolute"}, {PosBiasMode::Relative, "relative"}}};
const Names<MlpKind> kMlps{
    {{MlpKind::Gelu, "gelu"}, {MlpKind::GeluTanh, "gelu-tanh"}, {MlpKind::SwiGlu, "swiglu"}}};
}  // namespace

std::string normId(NormKind k) { return kNorms.id(k); }
std::string positionsId(PositionKind k) { return kPositions.id(k); }
std::string rotaryPairsId(RotaryPairs p) { return kPairs.id(p); }
std::string mlpId(MlpKind k) { return kMlps.id(k); }
std::string posBiasModeId(PosBiasMode m) { return kPosBias.id(m); }
PosBiasMode parsePosBiasMode(const std::string& id) { return kPosBias.parse(id, "positional bias mode"); }

double ModelConfig::logitScale() const {
    const double base = 1.0 / std::sqrt(double(headDim()));
    return queryIsInput(variant) ? identityQueryScale * base : base;
}
NormKind parseNorm(const std::string& id) { return kNorms.parse(id, "norm"); }
PositionKind parsePositions(const std::string& id) { return kPositions.parse(id, "positions"); }
RotaryPairs parseRotaryPairs(const std::string& id) { return kPairs.parse(id, "rotary pairing"); }
MlpKind parseMlp(const std::string& id) { return kMlps.parse(id, "MLP"); }

const std::vector<std::string>& modelFamilies() {
    static const std::vector<std::string> all = {"qkvlab", "llama", "gpt2", "paper-gpt"};
    return all;
}

void applyFamily(ModelConfig& c, const std::string& family) {
    const ModelConfig defaults;
    c.family = family;
    c.headDimOverride = 0;
    c.norm = defaults.norm, c.normEps = defaults.normEps;
    c.positions = defaults.positions;
    c.ropeTheta = defaults.ropeTheta, c.ropePairs = defaults.ropePairs;
    c.ropeLinearScale = 1;
    c.mlp = defaults.mlp, c.mlpHidden = 0;
    c.attnBias = c.mlpBias = c.tiedHead = c.headBias = true;
    c.dropout = 0;
    c.residualScaledInit = true;
    if (family == "qkvlab") return;
    if (family == "paper-gpt") {
        c.headBias = false;
        c.dropout = 0.1;
        c.residualScaledInit = false;
        return;
    }
    if (family == "gpt2") {
        c.mlp = MlpKind::GeluTanh;
        c.headBias = false;
        return;
    }
    if (family == "llama") {
        c.norm = NormKind::RmsNorm;
        c.positions = PositionKind::Rotary;
        c.mlp = MlpKind::SwiGlu;
        // Llama's width rule (llama2.c's model.py): two thirds of 4d, up to a multiple of 32.
        c.mlpHidden = int(std::min<int64_t>((2 * 4 * int64_t(c.dModel) / 3 + 31) / 32 * 32,
                                            INT32_MAX));
        c.attnBias = c.mlpBias = c.headBias = false;
        c.tiedHead = false;
        return;
    }
    std::string list;
    for (const std::string& f : modelFamilies()) list += (list.empty() ? "" : ", ") + f;
    throw ConfigError("unknown model family '" + family + "' (expected " + list + ")");
}

int ModelConfig::patchCount() const {
    if (patchSize <= 0) return 0;
    const int side = imageSize / patchSize;
    return side * side;
}

void validate(const ModelConfig& c) {
    auto fail = [](const std::string& m) { throw ConfigError(m); };
    if (c.dModel <= 0 || c.dModel > 65536) fail("d-model must be between 1 and 65536");
    if (c.layers <= 0 || c.layers > 256) fail("layers must be between 1 and 256");
    if (c.heads <= 0 || c.heads > 65536) fail("heads must be between 1 and 65536");
    if (c.headDimOverride < 0 || c.headDimOverride > 65536)
        fail("head dimension must be between 1 and 65536");
    if (c.headDimOverride == 0 && c.dModel % c.heads != 0)
        fail("d-model (" + std::to_string(c.dModel) + ") must be divisible by heads (" +
             std::to_string(c.heads) + ")");
    if (c.positions == PositionKind::Rotary && c.headDim() % 2 != 0)
        fail("rotary embeddings need an even head dimension, got " + std::to_string(c.headDim()));
    if (c.positions == PositionKind::Rotary && !(c.ropeTheta > 1 && c.ropeLinearScale > 0))
        fail("rotary embeddings need a theta above 1 and a positive scale");
    if (!(c.normEps > 0 && c.normEps < 1)) fail("the norm epsilon must be between 0 and 1");
    if (c.mlpHidden < 0 || c.mlpHidden > 1 << 20) fail("the MLP width must be between 1 and 1048576");
    if (c.arch == Architecture::Vit && c.positions != PositionKind::Learned)
        fail("a ViT needs learned positions");
    const int g = c.kvHeadCount();
    if (g <= 0 || g > c.heads || c.heads % g != 0)
        fail("kv-heads (" + std::to_string(g) + ") must divide heads (" + std::to_string(c.heads) +
             ")");
    if (needsFullKvHeads(c.variant) && g != c.heads)
        fail(variantId(c.variant) + " uses Q = K, so it needs kv-heads = heads (" +
             std::to_string(c.heads) + "), got " + std::to_string(g));
    if (c.vocab < 2 || c.vocab > 1000000) fail("vocab must be between 2 and 1000000");
    if (c.posBias && (c.posBiasDim < 2 || c.posBiasDim % 2 != 0))
        fail("the positional bias needs an even table width of at least 2");
    if (c.arch == Architecture::Vit) {
        if (c.imageSize <= 0 || c.imageSize > 4096)
            fail("image size must be between 1 and 4096");
        if (c.patchSize <= 0 || c.imageSize % c.patchSize != 0)
            fail("image size (" + std::to_string(c.imageSize) + ") must be a multiple of patch size (" +
                 std::to_string(c.patchSize) + ")");
    } else if (c.context < 1 || c.context > 1 << 20) {
        fail("context (seq-len) must be between 1 and 1048576");
    }
    if (c.variant == Variant::MlpQ && c.dModel < 2) fail("mlp-q needs d-model of at least 2");
    if (!(c.dropout >= 0 && c.dropout < 1)) fail("dropout must be in [0, 1)");
    if (!(c.identityQueryScale > 0)) fail("the identity-query scale must be positive");
    if (queryIsInput(c.variant) && int64_t(c.heads) * c.headDim() != c.dModel)
        fail(variantId(c.variant) + " starts its queries from X, so heads x head dimension must equal d-model (" +
             std::to_string(c.heads) + " x " + std::to_string(c.headDim()) + " != " +
             std::to_string(c.dModel) + ")");
}

}  // namespace qkv
