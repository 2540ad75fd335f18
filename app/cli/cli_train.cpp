// qkvlab train: one run folder per variant, a progress line per evaluation, a final table.
#include <QDir>
#include <QFileInfo>

#include <cmath>
#include <map>

#include "cli_commands.h"
#include "common/errors.h"
#include "model/model_summary.h"
#include "text_table.h"
#include "train/seed_stats.h"
#include "train/trainer.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab train [--preset NAME|FILE] [--task TASK] [--data PATH] [--variants LIST]\n"
    "                    [--kv-heads G] [--pos-bias [absolute|relative]] [--d-model N]\n"
    "                    [--layers N] [--heads N] [--paper 300m|1.2b] [--seeds 1,2,3]\n"
    "                    [--seq-len N] [--vocab N] [--batch N] [--steps N] [--lr X] [--seed N]\n"
    "                    [--eval-every N] [--warmup N] [--arch qkvlab|llama|gpt2] --out DIR\n"
    "                    [--overwrite]\n"
    "\n"
    "Trains each variant on identical data in identical order; writes DIR/<variant>/ with\n"
    "config.json, model.safetensors and metrics.json. With --seeds, one run per variant and\n"
    "seed, DIR/<variant>-seed<N>/ (the seed sets the initialisation and the batch order; the\n"
    "variants of one seed see the same batches), and a summary with mean ± std over seeds.\n"
    "  TASK  copy reverse sort swap sub follow (synthetic, encoder), fashion-mnist (ViT, an IDX\n"
    "        folder; default /usr/share/datasets/fashion-mnist), text (character LM on a UTF-8\n"
    "        file or folder; default /usr/share/games/fortunes)\n"
    "  LIST  comma-separated: qkv shared-kv shared-qk single identity-q mlp-q residual-q\n"
    "  --pos-bias  the asymmetric positional bias: absolute (the published 2-D encoding of the\n"
    "        indices i and j; a bare --pos-bias) or relative (QKV Lab's table of the signed\n"
    "        offset i - j, which can express \"attend one step back\")\n"
    "  --arch the block layout: qkvlab (GPT-2's: LayerNorm, learned positions, GELU, biases;\n"
    "        the default), llama (RMSNorm, rotary embeddings, SwiGLU, no biases, a separate\n"
    "        output head), gpt2 (tanh GELU, no head bias) or paper-gpt (the paper's LM: no head\n"
    "        bias, dropout 0.1, plain N(0, 0.02) init), for text and sequence tasks\n"
    "  --paper the paper's model and recipe (presets paper-300m, paper-1.2b)\n"
    "  presets: demo, char-lm, fashion-vit (resources/presets), or a JSON file\n";

std::string progressLine(const qkv::TrainProgress& p) {
    const auto& v = p.point.validation;
    std::string line = "[" + p.runName + "] step " + std::to_string(p.step) + "/" +
                       std::to_string(p.totalSteps) + "  train " + fixed(p.point.trainLoss, 4) +
                       "  val " + fixed(v.loss, 4) + "  acc " + percent(v.accuracy, 1);
    if (!std::isnan(v.perplexity)) line += "  ppl " + fixed(v.perplexity, 2);
    return line + "  " + fixed(p.elapsedSeconds, 1) + "s, ETA " + fixed(p.etaSeconds, 0) + "s";
}
// Per variant over the seeds: mean ± sample std with n, and the mean's change vs QKV's.
void printSeedSummary(const qkv::Experiment& e, const std::vector<qkv::RunConfig>& runs,
                      const std::vector<qkv::TrainResult>& results, std::ostream& out) {
    auto over = [&](qkv::Variant v, double qkv::EvalMetrics::*field) {
        std::vector<double> values;
        for (size_t i = 0; i < runs.size(); ++i)
            if (runs[i].model.variant == v) values.push_back(results[i].final.*field);
        return qkv::summarizeSeeds(values);
    };
    const qkv::SeedSummary qkvLoss = over(qkv::Variant::Qkv, &qkv::EvalMetrics::loss);
    TextTable table({"variant", "seeds", "val loss", "vs qkv", "acc", "ppl"});
    for (qkv::Variant v : e.variants) {
        const qkv::SeedSummary loss = over(v, &qkv::EvalMetrics::loss),
                               acc = over(v, &qkv::EvalMetrics::accuracy),
                               ppl = over(v, &qkv::EvalMetrics::perplexity);
        table.addRow({qkv::variantId(v), std::to_string(loss.n), qkv::meanStdText(loss, 4),
                      v == qkv::Variant::Qkv || qkvLoss.n == 0 ? "-"
                                                               : signedPercent(loss.mean / qkvLoss.mean - 1.0),
                      qkv::meanStdText(acc, 4), qkv::meanStdText(ppl, 3)});
    }
    out << "\nOver " << e.seeds.size() << " seeds (mean ± sample std, n finished runs):\n";
    table.print(out);
}
}  // namespace

int trainCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::set<std::string> valued = experimentOptions();
    valued.insert("out");
    const CliOptions o(withPosBiasMode(args), valued, {"overwrite", "help"});
    if (o.flag("help")) {
        out << kHelp;
        return 0;
    }
    if (!o.positional().empty()) throw UsageError("unexpected argument '" + o.positional()[0] + "'");
    if (!o.has("out")) throw UsageError("--out DIR is required (the folder for the run folders)");
    qkv::Experiment e = experimentFromOptions(o);
    auto data = qkv::makeDataset(e.base.task);
    const std::vector<qkv::RunConfig> runs = qkv::expandRuns(e, *data);
    // Runs already in --out are someone's results: replace them only when asked to.
    if (!o.flag("overwrite"))
        for (const qkv::RunConfig& run : runs) {
            const QString dir = QDir(QString::fromStdString(o.text("out"))).filePath(QString::fromStdString(run.name));
            if (QFileInfo::exists(dir + "/config.json") || QFileInfo::exists(dir + "/model.safetensors"))
                throw UsageError("'" + dir.toStdString() + "' already holds a run; --overwrite "
                                 "replaces it, or choose another --out");
        }

    std::vector<qkv::TrainResult> results;
    int failures = 0;
    for (const qkv::RunConfig& run : runs) {
        const std::string dir = QDir(QString::fromStdString(o.text("out")))
                                    .filePath(QString::fromStdString(run.name))
                                    .toStdString();
        results.push_back(qkv::trainRun(run, *data, dir, [&](const qkv::TrainProgress& p) {
            if (p.evaluated) out << progressLine(p) << std::endl;
        }));
        if (results.back().status != qkv::TrainStatus::Completed) {
            err << "qkvlab train: " << run.name << ": " << results.back().message << '\n';
            ++failures;
        }
    }

    // Each run against the QKV run of its own seed.
    std::map<uint64_t, double> qkvLoss;
    for (size_t i = 0; i < runs.size(); ++i)
        if (runs[i].model.variant == qkv::Variant::Qkv) qkvLoss[runs[i].train.seed] = results[i].final.loss;
    TextTable table({"variant", "params", "KV B/token", "steps", "val loss", "vs qkv", "acc",
                     "ppl", "time", "status"});
    for (size_t i = 0; i < runs.size(); ++i) {
        const qkv::RunConfig& run = runs[i];
        const qkv::TrainResult& r = results[i];
        const qkv::ModelSummary s = qkv::summarize(run.model);
        table.addRow({run.name, humanCount(double(s.parameters)),
                      run.model.causal() ? std::to_string(s.kvCacheBytesPerToken) : "-",
                      std::to_string(r.stepsDone), fixed(r.final.loss, 4),
                      run.model.variant == qkv::Variant::Qkv || !qkvLoss.count(run.train.seed)
                          ? "-"
                          : signedPercent(r.final.loss / qkvLoss[run.train.seed] - 1.0),
                      percent(r.final.accuracy, 1), fixed(r.final.perplexity, 2),
                      fixed(r.seconds, 1) + "s", qkv::statusId(r.status)});
    }
    out << '\n';
    table.print(out);
    // Say what the figures are over: eval's default is the same number, so the two agree.
    out << "validation metrics over " << std::min(e.base.train.evalExamples, data->validationCount())
        << " examples of the validation split (qkvlab eval uses the same by default)\n";
    if (e.seeds.size() > 1) printSeedSummary(e, runs, results, out);
    return failures ? 1 : 0;
}

}  // namespace qkvapp
