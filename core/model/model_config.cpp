#include "model/model_config.h"

#include "common/errors.h"

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

int ModelConfig::patchCount() const {
    if (patchSize <= 0) return 0;
    const int side = imageSize / patchSize;
    return side * side;
}

void validate(const ModelConfig& c) {
    auto fail = [](const std::string& m) { throw ConfigError(m); };
    if (c.dModel <= 0 || c.dModel > 65536) fail("d-model must be between 1 and 65536");
    if (c.layers <= 0 || c.layers > 256) fail("layers must be between 1 and 256");
    if (c.heads <= 0) fail("heads must be at least 1");
    if (c.dModel % c.heads != 0)
        fail("d-model (" + std::to_string(c.dModel) + ") must be divisible by heads (" +
             std::to_string(c.heads) + ")");
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
        if (c.patchSize <= 0 || c.imageSize <= 0 || c.imageSize % c.patchSize != 0)
            fail("image size (" + std::to_string(c.imageSize) + ") must be a multiple of patch size (" +
                 std::to_string(c.patchSize) + ")");
    } else if (c.context < 1 || c.context > 1 << 20) {
        fail("context (seq-len) must be between 1 and 1048576");
    }
    if (c.variant == Variant::MlpQ && c.dModel < 2) fail("mlp-q needs d-model of at least 2");
}

}  // namespace qkv
