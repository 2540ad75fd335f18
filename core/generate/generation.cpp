#include "generate/generation.h"

#include <chrono>

#include "common/errors.h"
#include "data/text_corpus.h"
#include "model/model_summary.h"
#include "model/layers.h"
#include "model/transformer.h"

namespace qkv {

namespace {

// The next token from one row of logits (V).
int64_t pick(const torch::Tensor& logits, const GenerationConfig& cfg, at::Generator& gen) {
    if (cfg.temperature <= 0) return logits.argmax().item<int64_t>();
    auto scaled = logits.to(torch::kFloat64) / cfg.temperature;
    if (cfg.topK > 0 && cfg.topK < scaled.size(0)) {
        const double kth = std::get<0>(scaled.topk(cfg.topK)).min().item<double>();
        scaled = scaled.masked_fill(scaled < kth, -std::numeric_limits<double>::infinity());
    }
    auto probs = torch::softmax(scaled, 0);
    return torch::multinomial(probs, 1, /*replacement=*/false, gen).item<int64_t>();
}


int64_t heldBytes(const std::vector<LayerKvCache>& caches) {
    int64_t total = 0;
    for (const auto& c : caches) total += c.bytes();
    return total;
}

}  // namespace

GenerationResult generate(const Model& model, const std::vector<int64_t>& prompt,
                          const GenerationConfig& cfg, const Tokenizer* tokenizer,
                          const GenerationProgress& progress, const std::atomic<bool>* cancel) {
    const ModelConfig& c = model.config();
    if (c.arch != Architecture::Decoder)
        throw ConfigError("generation needs a decoder (language-model) run; this one is " +
                          architectureId(c.arch));
    if (prompt.empty()) throw ConfigError("the prompt is empty");
    if (int64_t(prompt.size()) > c.context)
        throw ConfigError("prompt of " + std::to_string(prompt.size()) +
                          " tokens is longer than the model's context (" +
                          std::to_string(c.context) + ")");
    for (int64_t t : prompt)
        if (t < 0 || t >= c.vocab)
            throw ConfigError("prompt token " + std::to_string(t) + " is outside the vocabulary");

    torch::NoGradGuard noGrad;
    const RowsByGemv gemv;  // each decoding step multiplies one row by every weight
    auto gen = at::detail::createCPUGenerator(cfg.seed);
    auto module = model.module();
    const auto start = std::chrono::steady_clock::now();

    GenerationResult out;
    out.prompt = prompt;
    if (tokenizer) out.promptText = tokenizer->decode(prompt);
    std::vector<int64_t> generated;
    const std::optional<int64_t> end = tokenizer && cfg.stopAtEnd ? tokenizer->eos() : std::nullopt;
    std::vector<int64_t> sequence = prompt;
    std::vector<LayerKvCache> caches;
    torch::Tensor pending = torch::tensor(prompt, torch::kInt64).view({1, -1});  // (1, P)

    for (int n = 0; n < cfg.maxNewTokens; ++n) {
        if (cancel && cancel->load()) {
            out.cancelled = true;
            break;
        }
        // Producing a token needs every earlier one as input: P + n positions.
        if (int64_t(sequence.size()) > c.context) {
            out.contextFull = true;
            out.note = "stopped after " + std::to_string(n) + " tokens: the context of " +
                       std::to_string(c.context) + " positions is full";
            break;
        }
        const auto t0 = std::chrono::steady_clock::now();
        torch::Tensor logits;  // (1, T, V)
        if (cfg.useCache) {
            logits = module->forward(pending, nullptr, &caches);
        } else {
            logits = module->forward(torch::tensor(sequence, torch::kInt64).view({1, -1}));
        }
        const torch::Tensor last = logits[0][logits.size(1) - 1];  // (V)
        GeneratedToken g;
        g.token = pick(last, cfg, gen);
        g.milliseconds =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        g.index = int(sequence.size());
        g.piece = tokenizer ? tokenizer->decodeNext(sequence.back(), g.token)
                            : "#" + std::to_string(g.token);
        g.label = tokenizer ? tokenizer->label(g.token) : "#" + std::to_string(g.token);
        g.cachedTokens = cfg.useCache ? (caches.empty() ? 0 : caches[0].length()) : 0;
        g.cacheBytesHeld = cfg.useCache ? heldBytes(caches) : 0;
        g.cacheBytesFormula =
            kvCacheBytes(c, cfg.useCache ? g.cachedTokens : int64_t(sequence.size()));
        if (cfg.keepLogits) {
            auto l = last.to(torch::kFloat32).contiguous();
            g.logits.assign(l.data_ptr<float>(), l.data_ptr<float>() + l.numel());
        }
        sequence.push_back(g.token);
        pending = torch::full({1, 1}, g.token, torch::kInt64);
        generated.push_back(g.token);
        out.tokens.push_back(std::move(g));
        if (progress) progress(n + 1, cfg.maxNewTokens, out.tokens.back());
        if (end && out.tokens.back().token == *end) {
            out.endOfSequence = true;
            out.note = "stopped at the end-of-sequence token";
            break;
        }
    }
    if (tokenizer) out.completion = tokenizer->decode(generated);
    out.totalMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return out;
}

std::vector<int64_t> promptTokens(const Tokenizer& tokenizer, const std::string& promptUtf8) {
    if (promptUtf8.empty()) {
        if (auto bos = tokenizer.bos()) return {*bos};
        try {
            const std::vector<int64_t> newline = tokenizer.encode("\n");
            if (newline.size() == 1) return newline;
        } catch (const DataError&) {
        }
        return {0};
    }
    std::vector<int64_t> ids;
    if (tokenizer.promptStartsWithBos()) ids.push_back(*tokenizer.bos());
    const std::vector<int64_t> text = tokenizer.encode(promptUtf8);
    ids.insert(ids.end(), text.begin(), text.end());
    return ids;
}

GenerationResult generateText(const Model& model, const Tokenizer& tokenizer,
                              const std::string& promptUtf8, const GenerationConfig& config,
                              const GenerationProgress& progress, const std::atomic<bool>* cancel) {
    return generate(model, promptTokens(tokenizer, promptUtf8), config, &tokenizer, progress,
                    cancel);
}

}  // namespace qkv
