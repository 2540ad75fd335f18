#pragma once
// Shape of a model: everything needed to build it, count it, or size its cache.

#include <cstdint>
#include <string>

#include "attention/variant.h"

namespace qkv {

enum class Architecture {
    Decoder,  // causal LM, tied embedding, learned positions (GPT-2 layout)
    Encoder,  // bidirectional, per-position outputs over the vocabulary
    Vit,      // image classifier: patch embedding + class token
};

std::string architectureId(Architecture a);
Architecture parseArchitecture(const std::string& id);  // throws ConfigError

struct ModelConfig {
    Architecture arch = Architecture::Encoder;
    Variant variant = Variant::Qkv;
    int dModel = 64;      // d, residual width
    int layers = 2;       // L
    int heads = 4;        // H query heads; d_h = d / H
    int kvHeads = 0;      // g key/value heads; 0 means g = H
    int vocab = 10;       // token vocabulary (Decoder/Encoder) or classes (Vit)
    int context = 32;     // T_max: positions the model can see
    bool posBias = false; // asymmetric 2-D positional bias on the logits
    int posBiasDim = 10;  // p, features of the positional table
    int imageSize = 28;   // Vit only: square input side, in pixels
    int patchSize = 7;    // Vit only: square patch side

    int headDim() const { return heads > 0 ? dModel / heads : 0; }
    int kvHeadCount() const { return kvHeads > 0 ? kvHeads : heads; }
    bool causal() const { return arch == Architecture::Decoder; }
    int patchCount() const;  // Vit: (imageSize / patchSize)²
    int sequenceLength() const { return arch == Architecture::Vit ? patchCount() + 1 : context; }
};

// Throws ConfigError naming the violated rule (g must divide H, ...).
void validate(const ModelConfig& c);

}  // namespace qkv
