#pragma once
// The layout of a llama2.c checkpoint read from its bytes alone: the header's model and where
// each array lies. Kept apart from the mapping and loading so that it can be fuzzed on its own.
// Two headers exist: the legacy one, seven int32 (dim, hidden_dim, n_layers, n_heads,
// n_kv_heads, vocab_size, seq_len; a negative vocab_size means the classifier is stored
// separately at the end), and the versioned one, 256 bytes starting with the uint32 0x616b3432
// ("ak42"), a version and the same seven int32 plus a shared-classifier flag. Version 1 is
// float32; version 2 (int8, Q8_0) is refused by name. Every matrix is stored (out, in); the
// weights of all layers of one kind follow each other.

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.h"

namespace qkv {

struct Llama2cArray {
    std::string name;  // "tok_embeddings", "layers.3.wq", ...
    std::vector<int64_t> shape;
    uint64_t offset = 0, bytes = 0;  // in the file, float32
};

struct Llama2cLayout {
    int version = 0;  // 0: legacy header
    bool sharedClassifier = true;
    ModelConfig config;
    std::vector<Llama2cArray> arrays;  // in file order; the legacy RoPE tables included
};

// True when the first bytes start like a llama2.c checkpoint (magic, or a plausible legacy
// header). `size` may be less than the file's size.
bool looksLikeLlama2cHeader(const unsigned char* bytes, uint64_t size);
// The layout the header describes, checked against `fileSize`. Throws IoError naming `source`:
// a size that does not match the header (truncated or not a checkpoint), version 2, shapes no
// model has. `bytes` must hold min(fileSize, 256) bytes.
Llama2cLayout parseLlama2cLayout(const unsigned char* bytes, uint64_t fileSize,
                                 const std::string& source);

}  // namespace qkv
