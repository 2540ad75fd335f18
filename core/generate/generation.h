#pragma once
// Autoregressive generation for decoder runs, with a real KV cache: per layer the cache holds
// g heads of K (and of V unless V = K), never expanded to H heads. Every generated token reports
// the bytes the cache tensors actually hold next to DESIGN.md §1's formula.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/model.h"

namespace qkv {

struct GenerationConfig {
    int maxNewTokens = 64;
    double temperature = 0;   // 0: greedy (argmax); > 0: sample from softmax(logits / T)
    int topK = 0;             // > 0: sample only among the k most likely tokens
    uint64_t seed = 1;        // the sampler's own generator; torch's global one is not touched
    bool useCache = true;     // false: recompute the whole prefix every step (for comparison)
    bool keepLogits = false;  // copy each step's next-token logits into the result (tests)
};

struct GeneratedToken {
    int index = 0;  // position in the sequence (the prompt is 0..P−1)
    int64_t token = 0;
    std::string piece;              // its text (UTF-8), or "#id" without an alphabet
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
    std::string note;          // why it stopped early, one line
    double totalMilliseconds = 0;
};

// (tokens done, tokens requested, the latest token); called on the calling thread.
using GenerationProgress = std::function<void(int done, int total, const GeneratedToken&)>;

// Generates after `prompt` (token ids, at least one, within the context). `alphabet` (may be
// empty) turns ids into text pieces. Throws ConfigError for a non-decoder model or a bad prompt.
GenerationResult generate(const Model& model, const std::vector<int64_t>& prompt,
                          const GenerationConfig& config, const std::u32string& alphabet = {},
                          const GenerationProgress& progress = {},
                          const std::atomic<bool>* cancel = nullptr);

// For a text run: tokenizes `promptUtf8` with the run's alphabet (DataError names an unknown
// character). An empty prompt starts from "\n" when the alphabet has it, else from token 0.
GenerationResult generateText(const Model& model, const std::string& alphabetUtf8,
                              const std::string& promptUtf8, const GenerationConfig& config,
                              const GenerationProgress& progress = {},
                              const std::atomic<bool>* cancel = nullptr);

}  // namespace qkv
