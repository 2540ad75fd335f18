#include "evaluate/text_perplexity.h"

#include <cmath>

#include "common/errors.h"
#include "model/transformer.h"

namespace qkv {

TextPerplexity textPerplexity(const Model& model, const std::vector<int64_t>& allTokens, int window,
                              int64_t maxTokens, const std::function<void(int, int)>& progress,
                              const std::atomic<bool>* cancel) {
    const ModelConfig& c = model.config();
    if (c.arch != Architecture::Decoder)
        throw ConfigError("perplexity needs a decoder (language model); this one is " +
                          architectureId(c.arch));
    const int64_t T = window > 0 ? std::min<int64_t>(window, c.context) : c.context;
    if (T < 2) throw ConfigError("a window needs at least two tokens");
    const int64_t n = std::min<int64_t>(int64_t(allTokens.size()), maxTokens);
    if (n < 2) throw ConfigError("the text has fewer than two tokens");
    for (int64_t i = 0; i < n; ++i)
        if (allTokens[size_t(i)] < 0 || allTokens[size_t(i)] >= c.vocab)
            throw ConfigError("token " + std::to_string(allTokens[size_t(i)]) +
                              " is outside the model's vocabulary");

    torch::NoGradGuard noGrad;
    auto module = model.module();
    const int windows = int((n + T - 1) / T);
    double nll = 0;
    TextPerplexity out;
    out.tokens = n;
    for (int w = 0; w < windows; ++w) {
        if (cancel && cancel->load()) throw CancelledError("evaluation cancelled");
        const int64_t begin = int64_t(w) * T, length = std::min(T, n - begin);
        if (length < 2) break;  // a lone last token has nothing before it in its window
        auto ids = torch::tensor(std::vector<int64_t>(allTokens.begin() + begin,
                                                      allTokens.begin() + begin + length),
                                 torch::kInt64)
                       .view({1, length});
        auto logits = module->forward(ids.narrow(1, 0, length - 1));  // (1, T−1, V)
        auto loss = torch::nn::functional::cross_entropy(
            logits.view({length - 1, -1}), ids.narrow(1, 1, length - 1).reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
        nll += loss.item<double>();
        out.predicted += length - 1;
        ++out.windows;
        if (progress) progress(w + 1, windows);
    }
    out.loss = nll / double(out.predicted);
    out.perplexity = std::exp(out.loss);
    return out;
}

}  // namespace qkv
