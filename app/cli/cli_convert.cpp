// qkvlab convert: a model from elsewhere written as a QKV Lab run folder.
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "cli_commands.h"
#include "cli_models.h"
#include "common/errors.h"
#include "io/run_folder.h"
#include "model/model_summary.h"
#include "text_table.h"

namespace qkvapp {

namespace {
const char* const kHelp =
    "usage: qkvlab convert MODEL --out RUN [--tokenizer FILE] [--overwrite]\n"
    "\n"
    "Writes a QKV Lab run folder: config.json (the model's description, with its source\n"
    "format, path and stored dtype under \"origin\"), model.safetensors (float32, QKV Lab's\n"
    "parameter names) and the tokenizer's files. The run opens everywhere a trained run does\n"
    "and gives the same outputs as the model it came from. RUN must not exist yet unless\n"
    "--overwrite is given.\n";

// The tokenizer's files, under names the run folder's reader looks for.
void copyTokenizer(const qkv::OpenedModel& m, const QString& out) {
    if (!m.tokenizer || m.tokenizerPath.empty()) return;
    const QFileInfo source(QString::fromStdString(m.tokenizerPath));
    QStringList files = {source.fileName()};
    QString target = source.fileName();
    const std::string kind = m.tokenizer->kind();
    if (source.fileName() == "vocab.json") {
        files << "merges.txt";
    } else if (kind == "llama2c") {
        target = "tokenizer.bin";
    } else if (kind == "sentencepiece") {
        target = "tokenizer.model";
    } else if (kind == "gpt2-bpe") {
        target = "tokenizer.json";
    }
    for (const QString& f : files) {
        const QString from = source.dir().filePath(f);
        const QString to = QDir(out).filePath(f == source.fileName() ? target : f);
        QFile::remove(to);
        if (!QFile::copy(from, to))
            throw qkv::IoError("cannot copy the tokenizer file " + from.toStdString() + " to " +
                               to.toStdString());
    }
}
}  // namespace

int convertCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const CliOptions o(args, {"out", "tokenizer"}, {"overwrite", "help"});
    if (o.flag("help")) {
        out << kHelp << kModelArgumentHelp;
        return 0;
    }
    if (o.positional().size() != 1) throw UsageError("name exactly one model (see --help)");
    if (!o.has("out")) throw UsageError("--out RUN is required");
    const QString outDir = QString::fromStdString(o.text("out"));
    if (QFileInfo::exists(outDir) && !o.flag("overwrite") &&
        !QDir(outDir).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
        throw UsageError("'" + o.text("out") +
                         "' already exists and is not empty (--overwrite "
                         "replaces it)");
    const qkv::OpenedModel m = openModelArgument(o.positional()[0], o);
    qkv::RunConfig config = m.run.config;
    config.name = QFileInfo(outDir).fileName().toStdString();
    if (config.origin.empty())
        config.origin = {
            qkv::formatId(m.format),
            QFileInfo(QString::fromStdString(m.run.path)).absoluteFilePath().toStdString(),
            m.storedDType};
    qkv::saveConvertedRun(o.text("out"), config, *m.model);
    copyTokenizer(m, outDir);
    out << "wrote " << o.text("out") << ": " << qkv::formatName(m.format) << ", "
        << config.model.family << ", " << withThousands(m.model->parameterCount())
        << " parameters, tokenizer: " << tokenizerText(m) << '\n';
    return 0;
}

}  // namespace qkvapp
