#pragma once
// llama2.c checkpoints (.bin), mapped and indexed for the weight loader; the header and layout
// are read by llama2c_header.h. Rotary embeddings rotate adjacent pairs (Meta's convention);
// the legacy file's stored RoPE tables are skipped.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/model_config.h"
#include "pretrained/weight_files.h"
#include "pretrained/weight_loader.h"

namespace qkv {

struct Llama2cCheckpoint {
    int version = 0;  // 0: legacy header
    ModelConfig config;
    WeightFiles files;  // one source tensor per layer and kind ("layers.3.wq")
    std::vector<WeightRecipe> recipes;
};

// True when the file starts like a llama2.c checkpoint (magic, or a plausible legacy header).
bool looksLikeLlama2c(const std::string& path);
// Maps and indexes the checkpoint. Throws IoError naming the file: a size that does not match
// the header (truncated or not a checkpoint), version 2, impossible shapes.
Llama2cCheckpoint openLlama2c(const std::string& path);

}  // namespace qkv
