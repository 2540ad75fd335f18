#pragma once
// A mini-batch in plain C++ types; the trainer turns it into tensors.

#include <cstdint>
#include <vector>

namespace qkv {

struct Batch {
    int size = 0;                  // B
    int length = 0;                // T tokens per sequence, or pixels per image
    std::vector<int64_t> inputs;   // B·T tokens (token tasks)
    std::vector<float> pixels;     // B·T pixel values in [0, 1] (image tasks)
    std::vector<int64_t> targets;  // B·T per-position targets, or B class labels
};

}  // namespace qkv
