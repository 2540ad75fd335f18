// qkvlab generate: text from a decoder run, with the KV cache's bytes token by token.
#include <limits>

#include "cli_commands.h"
#include "common/errors.h"
#include "generate/generation.h"
#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "model/model_summary.h"
#include "text_table.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab generate RUN [--prompt TEXT] --tokens N [--no-cache] [--temperature X]\n"
    "                       [--top-k K] [--seed N] [--cache-report FILE.csv]\n"
    "\n"
    "Generates N tokens from a decoder (text) run and prints the text, then one row per token:\n"
    "the cached positions, the bytes the cache tensors hold (summed over layers), the formula\n"
    "L*c*g*d_h*T*4 of DESIGN.md section 1, and the time. --no-cache recomputes the whole prefix\n"
    "every step (the formula column then shows what a cache would hold). Greedy unless\n"
    "--temperature X > 0; --top-k K samples among the K most likely tokens. Generation stops\n"
    "when the model's context is full. An empty prompt starts from a newline.\n";

std::string visible(const std::string& piece) {
    if (piece == "\n") return "\\n";
    if (piece == "\t") return "\\t";
    if (piece == " ") return "' '";
    return piece;
}
}  // namespace

int generateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const CliOptions o(args, {"prompt", "tokens", "temperature", "top-k", "seed", "cache-report"},
                       {"no-cache", "help"});
    if (o.flag("help")) {
        out << kHelp;
        return 0;
    }
    if (o.positional().size() != 1) throw UsageError("name exactly one run folder (see --help)");
    if (!o.has("tokens")) throw UsageError("--tokens N is required");
    const std::string dir = o.positional()[0];
    if (!qkv::isRunFolder(dir))
        throw qkv::IoError("'" + dir +
                           "' is not a run folder (needs config.json and model.safetensors)");
    const qkv::RunFolder run = qkv::readRunFolder(dir);
    if (run.config.model.arch != qkv::Architecture::Decoder)
        throw qkv::ConfigError("generate needs a decoder (text) run; '" + dir + "' is " +
                               qkv::architectureId(run.config.model.arch));
    qkv::GenerationConfig cfg;
    cfg.maxNewTokens = o.integer("tokens", 0, 1, 1 << 20);
    cfg.temperature = o.number("temperature", 0.0, -std::numeric_limits<double>::min());
    cfg.topK = o.integer("top-k", 0, 0, 1 << 20);
    cfg.seed = uint64_t(o.integer("seed", 1, 0, std::numeric_limits<int>::max()));
    cfg.useCache = !o.flag("no-cache");
    const qkv::Model model = qkv::loadRunModel(run);
    const qkv::GenerationResult r =
        qkv::generateText(model, run.config.task.alphabet, o.text("prompt"), cfg);

    out << r.promptText << r.completion << "\n\n";
    TextTable table({"index", "token", "cached", "bytes held", "formula bytes", "ms"});
    std::string csv = "index,token,piece,cached_tokens,bytes_held,bytes_formula,ms\n";
    double ms = 0;
    for (const qkv::GeneratedToken& t : r.tokens) {
        table.addRow({std::to_string(t.index), visible(t.piece), std::to_string(t.cachedTokens),
                      std::to_string(t.cacheBytesHeld), std::to_string(t.cacheBytesFormula),
                      fixed(t.milliseconds, 3)});
        const std::string piece = t.piece == "\"" ? "\"\"" : t.piece == "\n" ? "\\n" : t.piece;
        csv += std::to_string(t.index) + "," + std::to_string(t.token) + ",\"" + piece + "\"," +
               std::to_string(t.cachedTokens) + "," + std::to_string(t.cacheBytesHeld) + "," +
               std::to_string(t.cacheBytesFormula) + "," + fixed(t.milliseconds, 4) + "\n";
        ms += t.milliseconds;
    }
    table.print(out);
    out << r.tokens.size() << " tokens, " << (cfg.useCache ? "with" : "without") << " KV cache, "
        << fixed(r.tokens.empty() ? 0.0 : ms / double(r.tokens.size()), 3) << " ms/token; "
        << "cache per token " << qkv::kvCacheBytes(run.config.model, 1) << " B ("
        << qkv::variantId(run.config.model.variant) << ", g = " << run.config.model.kvHeadCount()
        << ")\n";
    if (!r.note.empty()) out << "note: " << r.note << '\n';
    if (o.has("cache-report")) qkv::writeFileAtomic(o.text("cache-report"), csv);
    return 0;
}

}  // namespace qkvapp
