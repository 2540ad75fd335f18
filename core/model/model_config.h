#pragma once
// Shape of a model: everything needed to build it, count it, or size its cache.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "attention/variant.h"

namespace qkv {

enum class Architecture {
    Decoder,  // causal LM, tied embedding, learned positions (GPT-2 layout)
    Encoder,  // bidirectional, per-position outputs over the vocabulary
    Vit,      // image classifier: patch embedding + class token
};

std::string architectureId(Architecture a);
Architecture parseArchitecture(const std::string& id);  // throws ConfigError

// The parts of a block that differ between model families.
enum class NormKind { LayerNorm, RmsNorm };
enum class PositionKind {
    Learned,  // a learned table added to the token embeddings (GPT-2)
    Rotary,   // q and k rotated by position inside attention (Llama)
    None,
};
// Which dimensions of a head rotary embeddings rotate together.
enum class RotaryPairs {
    Half,      // (i, i + d_h/2): Hugging Face's "rotate_half"
    Adjacent,  // (2i, 2i + 1): Meta's original code and llama2.c
};
enum class MlpKind {
    Gelu,      // W2 GELU(W1 x), exact erf GELU
    GeluTanh,  // the same with GELU's tanh approximation (GPT-2's "gelu_new")
    SwiGlu,    // W_down (SiLU(W_gate x) * W_up x) (Llama)
};

// Which table the asymmetric positional bias mixes into the logits (docs/DESIGN.md §2).
enum class PosBiasMode {
    Absolute,  // the published 2-D encoding of the absolute indices (i, j)
    Relative,  // QKV Lab's extension: sin/cos of the signed offset i − j
};
std::string posBiasModeId(PosBiasMode m);  // "absolute", "relative"
PosBiasMode parsePosBiasMode(const std::string& id);

std::string normId(NormKind k);           // "layernorm", "rmsnorm"
std::string positionsId(PositionKind k);  // "learned", "rotary", "none"
std::string rotaryPairsId(RotaryPairs p); // "half", "adjacent"
std::string mlpId(MlpKind k);             // "gelu", "gelu-tanh", "swiglu"
// Parsers throw ConfigError listing the accepted names.
NormKind parseNorm(const std::string& id);
PositionKind parsePositions(const std::string& id);
RotaryPairs parseRotaryPairs(const std::string& id);
MlpKind parseMlp(const std::string& id);

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
    PosBiasMode posBiasMode = PosBiasMode::Absolute;  // runs written before the modes: Relative
    int posBiasDim = 10;  // p, features of the positional table
    int imageSize = 28;   // Vit only: square input side, in pixels
    int patchSize = 7;    // Vit only: square patch side

    // The block layout. The defaults are QKV Lab's own model (GPT-2's layout with exact GELU and
    // a head bias); applyFamily() sets the others. Runs written before these fields existed
    // are the defaults.
    std::string family = "qkvlab";  // a name for people: "qkvlab", "gpt2", "llama"
    int headDimOverride = 0;        // d_h when it is not d / H (a Llama config's head_dim)
    NormKind norm = NormKind::LayerNorm;
    double normEps = 1e-5;
    PositionKind positions = PositionKind::Learned;
    double ropeTheta = 10000;
    RotaryPairs ropePairs = RotaryPairs::Half;
    double ropeLinearScale = 1;  // positions divided by this ("linear" rope_scaling)
    MlpKind mlp = MlpKind::Gelu;
    int mlpHidden = 0;     // MLP width; 0 means 4·d
    bool attnBias = true;  // W_Q, W_K, W_V and W_O have biases
    bool mlpBias = true;
    bool tiedHead = true;  // the output head is the token embedding (Decoder, Encoder)
    bool headBias = true;  // the output head has a bias
    double dropout = 0;    // on the residual branches while training (paper-gpt: 0.1)
    bool residualScaledInit = true;  // W_O, MLP output init N(0, 0.02/√(2L)) (GPT-2) or N(0, 0.02)

    // The published definitions of the query variants (Karbevski's code); runs written before
    // them keep what they were trained with (1 and true).
    double identityQueryScale = 0.5;  // identity-q and residual-q logits: scale/√d_h
    bool queryMlpBias = false;        // biases in mlp-q's f

    int headDim() const {
        return headDimOverride > 0 ? headDimOverride : heads > 0 ? dModel / heads : 0;
    }
    // Saturates rather than overflows for a d-model validate() refuses (files read as they are).
    int mlpWidth() const {
        return mlpHidden > 0 ? mlpHidden : int(std::min<int64_t>(4 * int64_t(dModel), INT32_MAX));
    }
    // The factor of Q Kᵀ in the logits: 1/√d_h, times identityQueryScale when Q starts from X.
    double logitScale() const;
    int kvHeadCount() const { return kvHeads > 0 ? kvHeads : heads; }
    bool causal() const { return arch == Architecture::Decoder; }
    int patchCount() const;  // Vit: (imageSize / patchSize)²
    int sequenceLength() const { return arch == Architecture::Vit ? patchCount() + 1 : context; }
};

// Throws ConfigError naming the violated rule (g must divide H, ...).
void validate(const ModelConfig& c);

// Sets the block layout of a family: "qkvlab" (the defaults), "llama" (RMSNorm, rotary
// embeddings, SwiGLU of width 2/3 * 4d rounded up to 32, no biases, an untied head without
// bias), "gpt2" (tanh GELU, no head bias) or "paper-gpt" (the LM of "Do Transformers Need Three
// Projections?": GPT-2's layout with exact GELU, no head bias, dropout 0.1 on the residual
// branches, N(0, 0.02) init without residual scaling). Throws ConfigError for another name.
void applyFamily(ModelConfig& c, const std::string& family);
const std::vector<std::string>& modelFamilies();  // the names applyFamily takes

}  // namespace qkv
