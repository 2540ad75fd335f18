#pragma once
// Opening any model QKV Lab studies, whatever wrote it: a QKV Lab run folder, a Hugging Face
// folder (GPT-2, Llama) or a llama2.c checkpoint. The format is told by the content, not the
// name. What comes back is a run like the ones trained here: a configuration, the weights in a
// Model, and the tokenizer that turns prompts into ids (when one was found).

#include <atomic>
#include <memory>
#include <string>

#include "io/run_folder.h"
#include "model/model.h"
#include "pretrained/weight_loader.h"
#include "tokenize/tokenizer.h"

namespace qkv {

enum class ModelFormat { RunFolder, HuggingFace, Llama2c };
std::string formatId(ModelFormat f);    // "run-folder", "huggingface", "llama2c"
std::string formatName(ModelFormat f);  // "QKV Lab run folder", ...

struct OpenOptions {
    bool loadWeights = true;    // false: configuration and tokenizer only (nothing allocated)
    std::string tokenizerPath;  // a tokenizer file to use instead of the one beside the model
    LoadProgress progress;
    const std::atomic<bool>* cancel = nullptr;
};

struct OpenedModel {
    ModelFormat format = ModelFormat::RunFolder;
    RunFolder run;                 // path, configuration (origin set when not trained here)
    std::shared_ptr<Model> model;  // null without OpenOptions::loadWeights
    std::shared_ptr<const Tokenizer> tokenizer;  // null: prompts are token ids, labels ids
    std::string tokenizerPath;                   // the file it was read from
    std::string tokenizerNote;  // why there is none, when a file was there but unusable
    std::string storedDType;    // "F32", "BF16", ...
    uint64_t weightBytes = 0;   // as stored in the files
};

// Throws IoError when `path` is none of the formats (naming what it is not).
ModelFormat detectModelFormat(const std::string& path);

// Throws IoError/ConfigError/DataError with one line naming the file and the problem;
// ResourceError, before allocating, when the weights exceed the memory available.
OpenedModel openModel(const std::string& path, const OpenOptions& options = {});

}  // namespace qkv
