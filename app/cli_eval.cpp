// qkvlab eval: validation metrics of saved runs, recomputed from their weights.
#include "cli_commands.h"
#include "common/errors.h"
#include "io/run_folder.h"
#include "text_table.h"
#include "train/trainer.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab eval [--examples N] RUN...\n"
    "\n"
    "Loads each run folder (config.json + model.safetensors), rebuilds its task's validation\n"
    "split from the run's seed and data path, and prints loss, accuracy and perplexity.\n";
}

int evalCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const CliOptions o(args, {"examples"}, {"help"});
    if (o.flag("help")) {
        out << kHelp;
        return 0;
    }
    if (o.positional().empty()) throw UsageError("name at least one run folder (see --help)");
    const int examples = o.integer("examples", 100000000, 1, 100000000);
    TextTable table({"run", "variant", "step", "examples", "val loss", "acc", "ppl"});
    for (const std::string& dir : o.positional()) {
        qkv::RunFolder run = qkv::readRunFolder(dir);
        const qkv::Model model = qkv::loadRunModel(run);
        auto data = qkv::makeDataset(run.config.task);
        const qkv::EvalMetrics m = qkv::evaluate(model, *data, examples);
        table.addRow({dir, qkv::variantId(run.config.model.variant),
                      std::to_string(run.result.checkpointStep),
                      std::to_string(std::min(examples, data->validationCount())), fixed(m.loss, 4),
                      percent(m.accuracy, 2), fixed(m.perplexity, 3)});
    }
    table.print(out);
    return 0;
}

}  // namespace qkvapp
