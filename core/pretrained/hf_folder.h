#pragma once
// A Hugging Face model folder: config.json plus model.safetensors, or shards listed by
// model.safetensors.index.json.

#include <string>

#include "pretrained/hf_config.h"
#include "pretrained/weight_files.h"

namespace qkv {

// config.json holds a "model_type" (a QKV Lab run's config.json holds "format" instead).
bool isHuggingFaceFolder(const std::string& dir);

HfModelInfo readHfConfig(const std::string& dir);  // ConfigError/IoError naming config.json
// Maps model.safetensors, or every shard of the index; IoError names a missing shard, a tensor
// the index places in a shard that lacks it, or a folder with only pickled weights.
WeightFiles openHfWeights(const std::string& dir);

}  // namespace qkv
