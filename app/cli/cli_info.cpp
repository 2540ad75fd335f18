// qkvlab info: the closed-form summary of any configuration (nothing is allocated), or of runs.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "cli_commands.h"
#include "common/errors.h"
#include "cli_models.h"
#include "model/model_summary.h"
#include "text_table.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab info [--paper 300m|1.2b] [--arch decoder|encoder|vit|qkvlab|llama|gpt2|\n"
    "                   paper-gpt] [--context T] [--json]\n"
    "                   [model flags of 'qkvlab train'] [--variants LIST]\n"
    "       qkvlab info MODEL... [--tokenizer FILE]\n"
    "\n"
    "One row per variant: parameters, attention parameters, KV-cache bytes per token and at a\n"
    "context of T tokens (float32, batch 1), the reduction vs QKV with kv-heads = heads, and\n"
    "forward FLOPs per token. Nothing is allocated, so the paper's settings are instant:\n"
    "  300m: 20 layers, d 1024, 16 heads, vocab 50304, context 2048 (paper-gpt: the paper's QKV\n"
    "        model has exactly 305,534,976 parameters)\n"
    "  1.2b: 22 layers, d 2048, 32 heads, vocab 50304, context 2048\n"
    "--json prints the same as JSON with exact integers (the tables round them).\n"
    "Variants that cannot take the given kv-heads are listed with the reason when the variants\n"
    "were not named explicitly. For models, a first table gives the detected format, family,\n"
    "shape, stored dtype, tokenizer and parameter count (weights are not loaded).\n";

// "-87.5%", "-96.875%", "0%": as many decimals as the value needs, up to three.
std::string reductionText(double reduction) {
    if (reduction <= 0) return "0%";
    std::string s = fixed(100.0 * reduction, 3);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return "-" + s + "%";
}

struct InfoRow {
    std::string name;
    qkv::ModelConfig model;
};

QJsonObject summaryJson(const InfoRow& r, long long context) {
    const qkv::ModelSummary s = qkv::summarize(r.model);
    return {{"name", QString::fromStdString(r.name)},
            {"variant", QString::fromStdString(qkv::variantId(r.model.variant))},
            {"family", QString::fromStdString(r.model.family)},
            {"kv_heads", r.model.kvHeadCount()},
            {"parameters", qint64(s.parameters)},
            {"attention_parameters", qint64(s.attentionParameters)},
            {"kv_cache_bytes_per_token", qint64(s.kvCacheBytesPerToken)},
            {"context", qint64(context)},
            {"kv_cache_bytes_at_context", qint64(qkv::kvCacheBytes(r.model, context))},
            {"kv_cache_reduction_vs_qkv", qkv::kvCacheReductionVsQkv(r.model)},
            {"flops_per_token", qint64(s.flopsPerToken)}};
}

void printSummaries(const std::vector<InfoRow>& rows, long long context, std::ostream& out,
                    const std::vector<std::string>& skipped) {
    TextTable table({"variant", "kv heads", "params", "attn params", "KV B/token",
                     "KV @ " + std::to_string(context), "KV vs qkv", "GFLOP/token"});
    for (const InfoRow& r : rows) {
        const qkv::ModelSummary s = qkv::summarize(r.model);
        table.addRow({r.name, std::to_string(r.model.kvHeadCount()), humanCount(double(s.parameters)),
                      humanCount(double(s.attentionParameters)),
                      std::to_string(s.kvCacheBytesPerToken),
                      humanBytes(double(qkv::kvCacheBytes(r.model, context))),
                      reductionText(qkv::kvCacheReductionVsQkv(r.model)),
                      fixed(double(s.flopsPerToken) / 1e9, 4)});
    }
    table.print(out);
    for (const std::string& s : skipped) out << "skipped " << s << '\n';
}
}  // namespace

int infoCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::set<std::string> valued = experimentOptions();
    valued.insert({"context", "tokenizer"});
    const CliOptions o(withPosBiasMode(args), valued, {"json", "help"});
    if (o.flag("help")) {
        out << kHelp;
        return 0;
    }
    std::vector<InfoRow> rows;
    std::vector<std::string> skipped;
    QJsonArray modelsJson;
    long long context = 0;
    if (!o.positional().empty()) {
        TextTable models({"model", "format", "family", "variant", "layers", "d", "heads",
                          "kv heads", "d_h", "params", "dtype", "tokenizer"});
        for (const std::string& path : o.positional()) {
            const qkv::OpenedModel m = openModelArgument(path, o, /*loadWeights=*/false);
            const qkv::ModelConfig& c = m.run.config.model;
            const std::string name = m.run.config.name.empty() ? path : m.run.config.name;
            models.addRow({name, qkv::formatName(m.format), c.family, qkv::variantId(c.variant),
                           std::to_string(c.layers), std::to_string(c.dModel),
                           std::to_string(c.heads), std::to_string(c.kvHeadCount()),
                           std::to_string(c.headDim()),
                           withThousands(qkv::summarize(c).parameters), m.storedDType,
                           tokenizerText(m)});
            rows.push_back({name, c});
            context = std::max<long long>(context, c.context);
            modelsJson.append(QJsonObject{
                {"name", QString::fromStdString(name)}, {"path", QString::fromStdString(path)},
                {"format", QString::fromStdString(qkv::formatId(m.format))},
                {"family", QString::fromStdString(c.family)},
                {"stored_dtype", QString::fromStdString(m.storedDType)},
                {"tokenizer", QString::fromStdString(tokenizerText(m))},
                {"parameters", qint64(qkv::summarize(c).parameters)}});
        }
        if (!o.flag("json")) {
            models.print(out);
            out << '\n';
        }
    } else {
        qkv::Experiment e = experimentFromOptions(o);
        if (!o.has("variants")) e.variants = qkv::allVariants();
        qkv::ModelConfig base = e.base.model;
        const std::string arch = o.text("arch");
        if (arch == "decoder" || arch == "encoder" || arch == "vit")
            base.arch = qkv::parseArchitecture(arch);
        if (o.has("d-model")) base.dModel = o.integer("d-model", 0, 1, 65536);
        if (o.has("layers")) base.layers = o.integer("layers", 0, 1, 256);
        if (o.has("heads")) base.heads = o.integer("heads", 0, 1, 4096);
        if (o.has("vocab")) base.vocab = o.integer("vocab", 0, 2, 262144);
        if (o.has("seq-len")) base.context = o.integer("seq-len", 0, 1, 1 << 20);
        if (base.family == "llama") qkv::applyFamily(base, "llama");  // MLP width follows d
        for (qkv::Variant v : e.variants) {
            qkv::ModelConfig m = base;
            m.variant = v;
            try {
                qkv::validate(m);
                rows.push_back({qkv::variantId(v), m});
            } catch (const qkv::ConfigError& ex) {
                if (o.has("variants")) throw;
                skipped.push_back(qkv::variantId(v) + ": " + ex.what());
            }
        }
        context = base.context;
        if (rows.empty() && !skipped.empty())
            throw qkv::ConfigError("no variant fits these settings: " + skipped.front());
    }
    context = o.integer("context", int(context), 1, 1 << 30);
    if (o.flag("json")) {
        QJsonArray rowsJson, skippedJson;
        for (const InfoRow& r : rows) rowsJson.append(summaryJson(r, context));
        for (const std::string& s : skipped) skippedJson.append(QString::fromStdString(s));
        QJsonObject doc{{"rows", rowsJson}, {"skipped", skippedJson}};
        if (!modelsJson.isEmpty()) doc.insert("models", modelsJson);
        out << QJsonDocument(doc).toJson().toStdString();
        return 0;
    }
    printSummaries(rows, context, out, skipped);
    return 0;
}

}  // namespace qkvapp
