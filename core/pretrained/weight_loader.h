#pragma once
// Filling a model's parameters from the tensors of its files, one tensor at a time: each is
// converted to float32 straight into the parameter (transposed or sliced on the way when the
// format packs or orients it differently), then its pages are handed back to the kernel.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "model/model.h"
#include "pretrained/weight_files.h"

namespace qkv {

// How one parameter is made from a tensor of the files.
struct WeightRecipe {
    std::string parameter;   // QKV Lab's name ("blocks.0.attn.q.weight")
    std::string source;      // the file's name ("h.0.attn.c_attn.weight")
    bool transpose = false;  // the source is stored (in, out), GPT-2's Conv1D
    int64_t rowBegin = 0;    // rows [rowBegin, rowBegin + rowCount) of the (transposed) source:
    int64_t rowCount = -1;   // one part of a packed projection; -1 takes every row
};

// (bytes converted, bytes in all); called on the calling thread.
using LoadProgress = std::function<void(uint64_t done, uint64_t total)>;

// Checks everything before converting anything: every parameter has a recipe, every source
// exists with the shape the recipe needs, and every tensor of the files is either used or
// accepted by `ignorable` (buffers such as GPT-2's attn.bias). Throws IoError naming the tensor
// and `where`; CancelledError when `cancel` is set between tensors.
void loadWeights(Model& model, const WeightFiles& files, const std::vector<WeightRecipe>& recipes,
                 const std::function<bool(const std::string&)>& ignorable, const std::string& where,
                 const LoadProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace qkv
