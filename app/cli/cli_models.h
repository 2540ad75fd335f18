#pragma once
// Internal to the CLI: the MODEL arguments every inspecting command takes (a QKV Lab run folder,
// a Hugging Face folder or a llama2.c .bin), and token-id lists.

#include <string>
#include <vector>

#include "cli_options.h"
#include "pretrained/open_model.h"

namespace qkvapp {

// Opens `path` with the --tokenizer FILE of `o`, when the command takes one.
qkv::OpenedModel openModelArgument(const std::string& path, const CliOptions& o,
                                   bool loadWeights = true);

// "3,1,4" or "3 1 4" → ids; UsageError naming `option` otherwise.
std::vector<int64_t> parseTokenIds(const std::string& text, const std::string& option);

// "GPT-2 byte-level BPE (50257 tokens)", or why there is none.
std::string tokenizerText(const qkv::OpenedModel& m);

const char* const kModelArgumentHelp =
    "MODEL is a QKV Lab run folder, a Hugging Face folder (config.json + model.safetensors or\n"
    "its shards; GPT-2 and Llama) or a llama2.c checkpoint (.bin), told apart by their content.\n";

}  // namespace qkvapp
