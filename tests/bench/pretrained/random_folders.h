#pragma once
// Hugging Face folders of real model shapes with random weights, written by the benchmark itself
// (never committed): GPT-2 small (F32) and TinyLlama-1.1B (BF16).

#include <cstdint>
#include <string>

namespace pretrainedbench {

struct Shape {
    std::string name;    // "gpt2-small", "tinyllama-1.1b"
    std::string family;  // "gpt2", "llama"
    std::string dtype;   // "F32", "BF16"
    int layers, dModel, heads, kvHeads, intermediate, vocab, context;
    int64_t parameters() const;  // as the folder stores them
};

Shape gpt2Small();
Shape tinyLlama();

// Writes config.json and model.safetensors into `dir` unless a complete folder of this shape is
// already there (a stamp file records it). Returns the seconds spent writing (0 when reused).
double ensureRandomFolder(const Shape& shape, const std::string& dir);

}  // namespace pretrainedbench
