// qkvlab generate: text from any decoder, with the KV cache's bytes token by token.
#include <limits>

#include "cli_commands.h"
#include "cli_models.h"
#include "common/errors.h"
#include "generate/generation.h"
#include "io/atomic_file.h"
#include "model/model_summary.h"
#include "text_table.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab generate MODEL [--prompt TEXT | --prompt-ids 1,2,3] --tokens N [--greedy]\n"
    "                       [--temperature X] [--top-k K] [--seed N] [--no-cache]\n"
    "                       [--tokenizer FILE] [--cache-report FILE.csv]\n"
    "\n"
    "Generates N tokens from a decoder (language model) and prints the text, then one row per\n"
    "token: the cached positions, the bytes the cache tensors hold (summed over layers), the\n"
    "formula L*c*g*d_h*T*4 of the design notes (docs/DESIGN.md), and the time.\n"
    "  --greedy         always the most likely token (the default, deterministic)\n"
    "  --temperature X  sample from softmax(logits / X) instead; --top-k K among the K likeliest\n"
    "  --prompt-ids     the prompt as token ids, for a model without a tokenizer\n"
    "  --tokenizer      a tokenizer file to use instead of the one beside the model\n"
    "  --no-cache       recompute the whole prefix every step (the formula column then shows\n"
    "                   what a cache would hold)\n"
    "Generation stops at the tokenizer's end-of-sequence token or when the context is full. An\n"
    "empty prompt starts from BOS (Llama), <|endoftext|> (GPT-2) or a newline (text runs).\n";
}  // namespace

int generateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const CliOptions o(args,
                       {"prompt", "prompt-ids", "tokens", "temperature", "top-k", "seed",
                        "cache-report", "tokenizer"},
                       {"no-cache", "greedy", "help"});
    if (o.flag("help")) {
        out << kHelp << kModelArgumentHelp;
        return 0;
    }
    if (o.positional().size() != 1) throw UsageError("name exactly one model (see --help)");
    if (!o.has("tokens")) throw UsageError("--tokens N is required");
    if (o.has("prompt") && o.has("prompt-ids"))
        throw UsageError("give --prompt or --prompt-ids, not both");
    if (o.flag("greedy") && (o.has("temperature") || o.has("top-k")))
        throw UsageError(
            "--greedy takes the most likely token; it cannot be combined with "
            "--temperature or --top-k");
    qkv::GenerationConfig cfg;
    cfg.maxNewTokens = o.integer("tokens", 0, 1, 1 << 20);
    cfg.temperature = o.number("temperature", 0.0, -1e300);
    if (cfg.temperature < 0) throw UsageError("--temperature must be 0 (greedy) or more");
    cfg.topK = o.integer("top-k", 0, 0, 1 << 20);
    cfg.seed = uint64_t(o.integer("seed", 1, 0, std::numeric_limits<int>::max()));
    cfg.useCache = !o.flag("no-cache");

    const std::string path = o.positional()[0];
    const qkv::OpenedModel m = openModelArgument(path, o);
    const qkv::ModelConfig& config = m.run.config.model;
    if (config.arch != qkv::Architecture::Decoder)
        throw qkv::ConfigError("generate needs a decoder (language model); '" + path + "' is " +
                               qkv::architectureId(config.arch));
    std::vector<int64_t> prompt;
    if (o.has("prompt-ids")) {
        prompt = parseTokenIds(o.text("prompt-ids"), "--prompt-ids");
    } else if (m.tokenizer) {
        prompt = qkv::promptTokens(*m.tokenizer, o.text("prompt"));
    } else {
        throw UsageError("'" + path + "' has no tokenizer (" + tokenizerText(m) +
                         "): give --prompt-ids or --tokenizer FILE");
    }
    const qkv::GenerationResult r = qkv::generate(*m.model, prompt, cfg, m.tokenizer.get());

    if (m.tokenizer) {
        out << r.promptText << r.completion << "\n\n";
    } else {
        for (const qkv::GeneratedToken& t : r.tokens) out << t.token << ' ';
        out << "\n\n";
    }
    TextTable table({"index", "token", "piece", "cached", "bytes held", "formula bytes", "ms"});
    std::string csv = "index,token,piece,cached_tokens,bytes_held,bytes_formula,ms\n";
    double ms = 0;
    for (const qkv::GeneratedToken& t : r.tokens) {
        table.addRow({std::to_string(t.index), std::to_string(t.token), t.label,
                      std::to_string(t.cachedTokens), std::to_string(t.cacheBytesHeld),
                      std::to_string(t.cacheBytesFormula), fixed(t.milliseconds, 3)});
        std::string piece = t.label;
        for (size_t at = 0; (at = piece.find('"', at)) != std::string::npos; at += 2)
            piece.insert(at, 1, '"');
        csv += std::to_string(t.index) + "," + std::to_string(t.token) + ",\"" + piece + "\"," +
               std::to_string(t.cachedTokens) + "," + std::to_string(t.cacheBytesHeld) + "," +
               std::to_string(t.cacheBytesFormula) + "," + fixed(t.milliseconds, 4) + "\n";
        ms += t.milliseconds;
    }
    table.print(out);
    out << r.tokens.size() << " tokens, " << (cfg.useCache ? "with" : "without") << " KV cache, "
        << (cfg.temperature > 0 ? "sampled" : "greedy") << ", "
        << fixed(r.tokens.empty() ? 0.0 : ms / double(r.tokens.size()), 3) << " ms/token; "
        << "cache per token " << qkv::kvCacheBytes(config, 1) << " B ("
        << qkv::variantId(config.variant) << ", g = " << config.kvHeadCount() << ")\n";
    if (!r.note.empty()) out << "note: " << r.note << '\n';
    if (o.has("cache-report")) qkv::writeFileAtomic(o.text("cache-report"), csv);
    return 0;
}

}  // namespace qkvapp
