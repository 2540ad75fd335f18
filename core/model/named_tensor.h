#pragma once
// Tensors as plain values, for the parts of core that know no LibTorch (files, analysis).

#include <cstdint>
#include <string>
#include <vector>

namespace qkv {

// A parameter copied out of the model: row-major float32 values.
struct NamedTensor {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values;
};

// A float32 tensor held elsewhere (a model's parameter), for writing without a copy.
struct TensorView {
    std::string name;
    std::vector<int64_t> shape;
    const float* data = nullptr;
};

}  // namespace qkv
