#pragma once
// Running a model on one input and copying out, per layer and head, what attention computed:
// Q, K, V, the logits S (after the positional bias, before the mask) and the attention A.
// The eager path of the attention module, no fused kernel; plain Eigen results.

#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

#include "data/task_config.h"
#include "model/model.h"
#include "tokenize/tokenizer.h"

namespace qkv {

// What to feed the model. The run's task decides how it is read.
struct AnalysisInput {
    enum class Kind {
        Sample,  // example `index` of the task's validation split (sequence, text window, image)
        Text,    // a UTF-8 prompt, tokenized with a text run's alphabet
        Tokens,  // explicit token ids (sequence and text runs)
    };
    Kind kind = Kind::Sample;
    int index = 0;
    std::string text;
    std::vector<int64_t> tokens;

    static AnalysisInput sample(int index);
    static AnalysisInput fromText(std::string utf8);
    static AnalysisInput fromTokens(std::vector<int64_t> ids);
};

// The input as the model sees it, with a display label per sequence position.
struct PreparedInput {
    std::vector<int64_t> tokens;      // Decoder/Encoder: T token ids
    std::vector<float> pixels;        // Vit: imageSize² values in [0, 1], row-major
    std::vector<std::string> labels;  // T labels: "'a'" (text), "pos 3: 7" (sequence),
                                      // "cls" / "patch r,c" (ViT)
    std::string description;          // one line, e.g. "validation sample 4 of copy"
    int length() const { return int(labels.size()); }
};

// Resolves an input against a run's model and task. Text goes through `tokenizer` (a text run
// without one uses its alphabet); a model from elsewhere (a text task without an alphabet)
// reads kDefaultAnalysisText as its "sample". Throws DataError for a character the tokenizer
// cannot spell (naming it), ConfigError for an input longer than the context, an index out of
// range or an input kind the task cannot take (text on an image run, text without a tokenizer).
PreparedInput prepareInput(const ModelConfig& model, const TaskConfig& task,
                           const AnalysisInput& input, const Tokenizer* tokenizer = nullptr);

// What a pretrained language model reads when no input is given: plain English prose.
extern const char* const kDefaultAnalysisText;

struct LayerCapture {
    std::vector<Eigen::MatrixXf> q;       // H × (T, d_h)
    std::vector<Eigen::MatrixXf> k, v;    // g × (T, d_h); v is a copy of k when V = K
    std::vector<Eigen::MatrixXf> logits;  // H × (T, T): S after the positional bias, pre-mask
    std::vector<Eigen::MatrixXf> attn;    // H × (T, T): row-softmax of the masked logits
    // 1: the maps are exact. s > 1: a long input's maps were kept as means over s × s blocks
    // (⌈T/s⌉ per side), to draw; every measurement was taken on the exact maps.
    int mapStride = 1;
};

// Replaces a layer's maps by block means, at most `maxSide` blocks per side (no change when
// T ≤ maxSide).
void poolMaps(LayerCapture& layer, int maxSide);

struct Capture {
    ModelConfig config;
    PreparedInput input;
    std::vector<LayerCapture> layers;
};

// One forward pass (batch 1, no grad). Throws ConfigError when the input does not fit the model.
Capture captureAttention(const Model& model, const PreparedInput& input);


}  // namespace qkv
