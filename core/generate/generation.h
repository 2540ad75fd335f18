#pragma once
// Autoregressive generation for decoder runs, with a real KV cache: per layer the cache holds
// g heads of K (and of V unless V = K), never expanded to H heads. Every generated token reports
// the bytes the cache tensors actually hold next to docs/DESIGN.md §2's formula.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/model.h"
#include "tokenize/tokenizer.h"

namespace qkv {

struct GenerationConfig {
    int maxNewTokens = 64;
    double temperature = 0;   // 0: greedy (argmax); > 0: sample from softmax(logits / T)
    int topK = 0;             // > 0: sample only among the k most likely tokens
    uint64_t seed = 1;        // the sampler's own generator; torch's global one is not touched
    bool useCache = true;     // false: recompute the whole prefix every step (for comparison)
    bool keepLogits = false;  // copy each step's next-token logits into the result (tests)
    bool stopAtEnd = true;    // stop after the tokenizer's end-of-sequence token
};

struct GeneratedToken {
    int index = 0;  // position in the sequence (the prompt is 0..P−1)
    int64_t token = 0;
    std::string piece;              // the text it adds (bytes, maybe part of a UTF-8
                                    // character), or "#id" without a tokenizer
    std::string label;              // one printable line: Tokenizer::label, or "#id"
    int64_t cachedTokens = 0;       // positions in the cache after the step that produced it
    int64_t cacheBytesHeld = 0;     // Σ over layers of the cache tensors' bytes (0 without cache)
    int64_t cacheBytesFormula = 0;  // kvCacheBytes(config, cachedTokens); without a cache, for
                                    // the positions a cache would hold (the model's input)
    double milliseconds = 0;        // forward + sampling for this token
    std::vector<float> logits;      // next-token logits, when GenerationConfig::keepLogits
};

struct GenerationResult {
    std::vector<int64_t> prompt;
    std::vector<GeneratedToken> tokens;
    std::string promptText, completion;  // UTF-8 (empty without an alphabet)
    bool cancelled = false;
    bool contextFull = false;  // stopped early: the model cannot see more positions
    bool endOfSequence = false;  // stopped at the tokenizer's end-of-sequence token
    std::string note;          // why it stopped early, one line
    double totalMilliseconds = 0;
};

// (tokens done, tokens requested, the latest token); called on the calling thread.
using GenerationProgress = std::function<void(int done, int total, const GeneratedToken&)>;

// Generates after `prompt` (token ids, at least one, within the context). `tokenizer` (may be
// null) turns ids into text. Throws ConfigError for a non-decoder model or a bad prompt.
GenerationResult generate(const Model& model, const std::vector<int64_t>& prompt,
                          const GenerationConfig& config, const Tokenizer* tokenizer = nullptr,
                          const GenerationProgress& progress = {},
                          const std::atomic<bool>* cancel = nullptr);

// The ids of a text prompt: encoded by the tokenizer (DataError names a character it cannot
// spell), after BOS for the tokenizers whose prompts start with it. An empty prompt is BOS, or
// "\n" for a character vocabulary that has it, else token 0.
std::vector<int64_t> promptTokens(const Tokenizer& tokenizer, const std::string& promptUtf8);

// promptTokens, then generate.
GenerationResult generateText(const Model& model, const Tokenizer& tokenizer,
                              const std::string& promptUtf8, const GenerationConfig& config,
                              const GenerationProgress& progress = {},
                              const std::atomic<bool>* cancel = nullptr);

}  // namespace qkv
