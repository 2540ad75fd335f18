// qkvlab eval: validation metrics of saved runs, or the perplexity of any language model on a text.
#include "cli_commands.h"
#include "cli_models.h"
#include "common/errors.h"
#include "evaluate/text_perplexity.h"
#include "io/atomic_file.h"
#include "text_table.h"
#include "tokenize/utf8.h"
#include "train/trainer.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab eval [--examples N] MODEL...\n"
    "       qkvlab eval --text FILE [--max-tokens N] [--window T] [--tokenizer FILE] MODEL...\n"
    "\n"
    "Without --text: loads each run folder, rebuilds its task's validation split from the run's\n"
    "seed and data path, and prints loss, accuracy and perplexity over N examples (default: the\n"
    "number the run was evaluated on while training, so the figures compare).\n"
    "With --text: the perplexity of each language model on a UTF-8 file, through the model's own\n"
    "tokenizer: the tokens are cut into windows of the model's context (or T), and every token\n"
    "after a window's first is predicted. --max-tokens caps how much is read (default 65536).\n";

qkv::TextPerplexity perplexityOn(const qkv::OpenedModel& m, const std::string& text,
                                 const CliOptions& o) {
    if (!m.tokenizer)
        throw qkv::ConfigError("'" + m.run.path + "' has no tokenizer (" + tokenizerText(m) +
                               "): give --tokenizer FILE");
    std::vector<int64_t> ids;
    if (m.tokenizer->promptStartsWithBos()) ids.push_back(*m.tokenizer->bos());
    const std::vector<int64_t> body = m.tokenizer->encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    return qkv::textPerplexity(*m.model, ids, o.integer("window", 0, 2, 1 << 20),
                               o.integer("max-tokens", 65536, 2, 1 << 30));
}
}  // namespace

int evalCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const CliOptions o(args, {"examples", "text", "max-tokens", "window", "tokenizer"}, {"help"});
    if (o.flag("help")) {
        out << kHelp << kModelArgumentHelp;
        return 0;
    }
    if (o.positional().empty()) throw UsageError("name at least one model (see --help)");
    if (o.has("text")) {
        if (o.has("examples"))
            throw UsageError(
                "--examples counts validation examples; with "
                "--text use --max-tokens");
        const std::string text = qkv::readFile(o.text("text"));
        if (!qkv::isValidUtf8(text))
            throw qkv::DataError(o.text("text") + " is not UTF-8 text (binary data?)");
        TextTable table({"model", "variant", "tokens", "predicted", "windows", "loss", "ppl"});
        for (const std::string& path : o.positional()) {
            const qkv::OpenedModel m = openModelArgument(path, o);
            const qkv::TextPerplexity p = perplexityOn(m, text, o);
            table.addRow({m.run.config.name.empty() ? path : m.run.config.name,
                          qkv::variantId(m.run.config.model.variant), std::to_string(p.tokens),
                          std::to_string(p.predicted), std::to_string(p.windows), fixed(p.loss, 4),
                          fixed(p.perplexity, 3)});
        }
        table.print(out);
        return 0;
    }
    if (o.has("max-tokens") || o.has("window") || o.has("tokenizer"))
        throw UsageError("--max-tokens, --window and --tokenizer go with --text FILE");
    TextTable table({"run", "variant", "step", "examples", "val loss", "acc", "ppl"});
    for (const std::string& path : o.positional()) {
        const qkv::OpenedModel m = openModelArgument(path, o);
        if (!m.run.config.origin.empty() || m.format != qkv::ModelFormat::RunFolder)
            throw UsageError("'" + path +
                             "' was not trained here, so it has no validation "
                             "split: give --text FILE to measure its perplexity");
        const int examples = o.integer("examples", m.run.config.train.evalExamples, 1, 100000000);
        qkv::TaskConfig task = m.run.config.task;
        auto data = qkv::makeDataset(task);
        const qkv::EvalMetrics metrics = qkv::evaluate(*m.model, *data, examples);
        table.addRow({path, qkv::variantId(m.run.config.model.variant),
                      std::to_string(m.run.result.checkpointStep),
                      std::to_string(std::min(examples, data->validationCount())),
                      fixed(metrics.loss, 4), percent(metrics.accuracy, 2),
                      fixed(metrics.perplexity, 3)});
    }
    table.print(out);
    return 0;
}

}  // namespace qkvapp
