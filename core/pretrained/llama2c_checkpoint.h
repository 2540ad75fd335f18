#pragma once
// llama2.c checkpoints (.bin). Two headers exist: the legacy one, seven int32 (dim, hidden_dim,
// n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means the classifier
// is stored separately at the end), and the versioned one, 256 bytes starting with the uint32
// 0x616b3432 ("ak42"), a version and the same seven int32 plus a shared-classifier flag.
// Version 1 is float32; version 2 (int8, Q8_0) is refused by name. Every matrix is stored
// (out, in); the weights of all layers of one kind follow each other. Rotary embeddings rotate
// adjacent pairs (Meta's convention); the legacy file's stored RoPE tables are skipped.

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
