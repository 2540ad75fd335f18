#pragma once
// A Hugging Face config.json as a QKV Lab model description. Two families are read: GPT-2
// (model_type "gpt2") and Llama (model_type "llama"); anything the loader cannot honour exactly
// is refused by name rather than approximated.

#include <optional>
#include <string>

#include "model/model_config.h"

namespace qkv {

struct HfModelInfo {
    std::string modelType;  // "gpt2" or "llama"
    ModelConfig config;     // a Decoder of variant qkv, g from num_key_value_heads
    std::optional<int64_t> bosTokenId, eosTokenId;
};

// Throws ConfigError naming the file and the field: an unsupported model_type (listing the
// supported ones), a rope_scaling or activation it does not implement, missing sizes.
HfModelInfo parseHfConfig(const std::string& json, const std::string& source);

const char* const kSupportedModelTypes = "gpt2, llama";

}  // namespace qkv
