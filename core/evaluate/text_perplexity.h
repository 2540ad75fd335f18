#pragma once
// A language model's perplexity on any text, through its own tokenizer: the token stream is cut
// into windows of the model's context (or fewer tokens), and every token after a window's first
// is predicted from the ones before it in that window.

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "model/model.h"

namespace qkv {

struct TextPerplexity {
    double loss = 0;        // mean negative log-likelihood per predicted token, nats
    double perplexity = 0;  // exp(loss)
    int64_t predicted = 0;  // tokens predicted (each window's first is context only)
    int64_t tokens = 0;     // tokens read (at most maxTokens)
    int windows = 0;
};

// Throws ConfigError for a non-decoder model or fewer than two tokens. `window` 0 means the
// model's context; `maxTokens` caps how much of a long text is read. (windows done, total).
TextPerplexity textPerplexity(const Model& model, const std::vector<int64_t>& tokens,
                              int window = 0, int64_t maxTokens = 1 << 20,
                              const std::function<void(int, int)>& progress = {},
                              const std::atomic<bool>* cancel = nullptr);

}  // namespace qkv
