#include "pretrained/open_model.h"

#include <QFileInfo>

#include "common/errors.h"
#include "pretrained/hf_folder.h"
#include "pretrained/hf_layouts.h"
#include "pretrained/llama2c_checkpoint.h"
#include "tokenize/tokenizer_files.h"

namespace qkv {

std::string formatId(ModelFormat f) {
    switch (f) {
        case ModelFormat::RunFolder:
            return "run-folder";
        case ModelFormat::HuggingFace:
            return "huggingface";
        case ModelFormat::Llama2c:
            return "llama2c";
    }
    return "run-folder";
}

std::string formatName(ModelFormat f) {
    switch (f) {
        case ModelFormat::RunFolder:
            return "QKV Lab run folder";
        case ModelFormat::HuggingFace:
            return "Hugging Face folder";
        case ModelFormat::Llama2c:
            return "llama2.c checkpoint";
    }
    return "";
}

ModelFormat detectModelFormat(const std::string& path) {
    const QFileInfo info(QString::fromStdString(path));
    if (!info.exists()) throw IoError("'" + path + "' does not exist");
    if (info.isDir()) {
        if (isRunFolder(path)) return ModelFormat::RunFolder;
        if (isHuggingFaceFolder(path)) return ModelFormat::HuggingFace;
        throw IoError("'" + path +
                      "' is not a run folder or a Hugging Face folder (a run folder "
                      "holds config.json and model.safetensors; a Hugging Face folder, a "
                      "config.json with a model_type)");
    }
    if (looksLikeLlama2c(path)) return ModelFormat::Llama2c;
    throw IoError("'" + path +
                  "' is not a run folder, a Hugging Face folder or a llama2.c "
                  "checkpoint (.bin)");
}

namespace {

std::string baseName(const std::string& path, bool stripSuffix) {
    const QFileInfo info(QString::fromStdString(path));
    return (stripSuffix ? info.completeBaseName() : info.fileName()).toStdString();
}

// A model from elsewhere, seen as a text run: a decoder LM whose tokenizer replaces the alphabet.
RunConfig externalRun(const std::string& path, const ModelConfig& model, const std::string& format,
                      const std::string& dtype, bool isFile) {
    RunConfig r;
    r.name =
        baseName(QFileInfo(QString::fromStdString(path)).absoluteFilePath().toStdString(), isFile);
    r.model = model;
    r.task.kind = TaskKind::Text;
    r.task.seqLen = model.context;
    r.origin = {format, QFileInfo(QString::fromStdString(path)).absoluteFilePath().toStdString(),
                dtype};
    return r;
}

void attachTokenizer(OpenedModel& m, const std::string& folder, const OpenOptions& o) {
    const ModelConfig& c = m.run.config.model;
    if (!o.tokenizerPath.empty()) {
        auto t = openTokenizer(o.tokenizerPath);
        checkTokenizerFits(*t, c.vocab, o.tokenizerPath);
        m.tokenizer = std::move(t);
        m.tokenizerPath = o.tokenizerPath;
        return;
    }
    if (m.format == ModelFormat::RunFolder && m.run.config.task.kind == TaskKind::Text &&
        !m.run.config.task.alphabet.empty()) {
        m.tokenizer = makeCharacterTokenizer(m.run.config.task.alphabet);
        return;
    }
    if (m.format == ModelFormat::RunFolder && m.run.config.origin.empty()) return;  // ids
    FoundTokenizer found = findTokenizer(folder, c.vocab);
    m.tokenizer = std::move(found.tokenizer);
    m.tokenizerPath = found.path;
    m.tokenizerNote = found.problem;
}

}  // namespace

OpenedModel openModel(const std::string& path, const OpenOptions& options) {
    OpenedModel m;
    m.format = detectModelFormat(path);
    const std::string folder =
        m.format == ModelFormat::Llama2c
            ? QFileInfo(QString::fromStdString(path)).absolutePath().toStdString()
            : path;
    switch (m.format) {
        case ModelFormat::RunFolder: {
            m.run = readRunFolder(path);
            m.storedDType = m.run.config.origin.empty() ? "F32" : m.run.config.origin.dtype;
            m.weightBytes =
                uint64_t(QFileInfo(QString::fromStdString(path + "/model.safetensors")).size());
            attachTokenizer(m, folder, options);
            if (options.loadWeights) m.model = std::make_shared<Model>(loadRunModel(m.run));
            break;
        }
        case ModelFormat::HuggingFace: {
            const HfModelInfo info = readHfConfig(path);
            WeightFiles files = openHfWeights(path);
            m.storedDType = files.storedDType();
            m.weightBytes = files.totalBytes();
            m.run.path = path;
            m.run.config = externalRun(path, info.config, "huggingface", m.storedDType, false);
            attachTokenizer(m, folder, options);
            if (options.loadWeights) {
                auto model = std::make_shared<Model>(Model::uninitialised(info.config));
                const bool gpt2 = info.modelType == "gpt2";
                loadWeights(
                    *model, files,
                    gpt2 ? gpt2Recipes(info.config, files) : llamaRecipes(info.config, files),
                    gpt2 ? gpt2Ignorable : llamaIgnorable, path, options.progress, options.cancel);
                m.model = std::move(model);
            }
            break;
        }
        case ModelFormat::Llama2c: {
            Llama2cCheckpoint ck = openLlama2c(path);
            m.storedDType = "F32";
            m.weightBytes = ck.files.totalBytes();
            m.run.path = path;
            m.run.config = externalRun(path, ck.config, "llama2c", "F32", true);
            attachTokenizer(m, folder, options);
            if (options.loadWeights) {
                auto model = std::make_shared<Model>(Model::uninitialised(ck.config));
                loadWeights(
                    *model, ck.files, ck.recipes,
                    [](const std::string& n) { return n == "freq_cis"; }, path, options.progress,
                    options.cancel);
                m.model = std::move(model);
            }
            break;
        }
    }
    return m;
}

}  // namespace qkv
