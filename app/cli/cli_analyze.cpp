// qkvlab analyze: every measurement of docs/DESIGN.md §4 for saved runs, as JSON and CSV.
#include <QDir>

#include <cctype>
#include <sstream>

#include "analysis/report.h"
#include "cli_commands.h"
#include "common/errors.h"
#include "io/atomic_file.h"
#include "cli_models.h"
#include "text_table.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab analyze MODEL... [--input TEXT | --sample N] --out REPORT.json [--csv DIR]\n"
    "                      [--threads N] [--tokenizer FILE]\n"
    "\n"
    "Runs each model on one input and measures, per layer and head: symmetry and asymmetry of\n"
    "the bilinear form W_Q,h W_K,hT, of the logits S_h and of the attention A_h; principal "
    "angles,\n"
    "overlap (mean cos2) between the column spaces of W_K,h/W_V,h, W_Q,h/W_K,h, W_Q,h/W_V,h and\n"
    "of the K/V activations, with their linear CKA and mean cosine; singular values and\n"
    "effective/stable/90%/99% ranks of W_Q, W_K, W_V, W_O (whole and per head), of the bilinear\n"
    "form, of the OV circuit W_V,h W_O,h, of S_h and of A_h. Schema: "
    "core/analysis/REPORT_SCHEMA.md.\n"
    "  --input TEXT  a prompt for language models (through their tokenizer); token ids\n"
    "                (\"3,1,4\") for sequence runs and models without a tokenizer\n"
    "  --sample N    example N of the run's validation split (default 0; ViT runs: image N);\n"
    "                a pretrained model reads a sample paragraph of English instead\n"
    "With rotary embeddings (Llama), the bilinear form W_Q,h W_K,hT is taken before the\n"
    "rotation; the logits, attention and K activations after it (the report says so).\n"
    "  --csv DIR     also write DIR/measures.csv, DIR/spectra.csv and DIR/angles.csv\n";

std::string path(const std::string& dir, const char* name) {
    return QDir(QString::fromStdString(dir)).filePath(name).toStdString();
}
}  // namespace

int analyzeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const CliOptions o(args, {"input", "sample", "out", "csv", "threads", "tokenizer"}, {"help"});
    if (o.flag("help")) {
        out << kHelp << kModelArgumentHelp;
        return 0;
    }
    if (o.positional().empty()) throw UsageError("name at least one model (see --help)");
    if (!o.has("out")) throw UsageError("--out REPORT.json is required");
    if (o.has("input") && o.has("sample")) throw UsageError("give --input or --sample, not both");
    qkv::AnalysisOptions options;
    options.threads = o.integer("threads", 2, 1, 64);
    options.keepBilinearForms = false;  // the report carries their measures, not the d×d values

    std::vector<qkv::AnalysisReportEntry> entries;
    TextTable table({"run", "variant", "T", "bilinear asym", "logits asym", "attn asym",
                     "KV overlap (W)", "KV CKA", "ms"});
    for (const std::string& dir : o.positional()) {
        const qkv::OpenedModel m = openModelArgument(dir, o);
        const qkv::RunFolder& run = m.run;
        qkv::AnalysisInput input = qkv::AnalysisInput::sample(o.integer("sample", 0, 0, 1 << 30));
        if (o.has("input"))
            input = run.config.task.kind == qkv::TaskKind::Text && m.tokenizer
                        ? qkv::AnalysisInput::fromText(o.text("input"))
                        : qkv::AnalysisInput::fromTokens(parseTokenIds(o.text("input"), "--input"));
        const qkv::PreparedInput prepared =
            qkv::prepareInput(run.config.model, run.config.task, input, m.tokenizer.get());
        qkv::AnalysisReportEntry e{run.config.name.empty() ? dir : run.config.name, dir,
                                   qkv::analyzeModel(*m.model, prepared, options)};
        const qkv::AnalysisSummary& s = e.analysis.modelSummary;
        table.addRow({e.run, qkv::variantId(run.config.model.variant),
                      std::to_string(prepared.length()), fixed(s.bilinearAsymmetry, 4),
                      fixed(s.logitsAsymmetry, 4), fixed(s.attentionAsymmetry, 4),
                      fixed(s.kvWeightOverlap, 4), fixed(s.kvCka, 4),
                      fixed(e.analysis.timings.total, 1)});
        entries.push_back(std::move(e));
    }
    qkv::writeFileAtomic(o.text("out"), qkv::analysisReportJson(entries));
    if (o.has("csv")) {
        const std::string dir = o.text("csv");
        if (!QDir().mkpath(QString::fromStdString(dir)))
            throw qkv::IoError("cannot create the folder '" + dir + "'");
        qkv::writeFileAtomic(path(dir, "measures.csv"), qkv::measuresCsv(entries));
        qkv::writeFileAtomic(path(dir, "spectra.csv"), qkv::spectraCsv(entries));
        qkv::writeFileAtomic(path(dir, "angles.csv"), qkv::anglesCsv(entries));
    }
    table.print(out);
    out << "wrote " << o.text("out") << (o.has("csv") ? " and CSV tables in " + o.text("csv") : "")
        << '\n';
    return 0;
}

}  // namespace qkvapp
