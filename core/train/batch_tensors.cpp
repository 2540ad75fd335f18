#include "train/batch_tensors.h"

namespace qkv {

BatchTensors toTensors(const Batch& b, const ModelConfig& c) {
    BatchTensors t;
    if (c.arch == Architecture::Vit) {
        t.input = torch::from_blob(const_cast<float*>(b.pixels.data()),
                                   {b.size, c.imageSize, c.imageSize}, torch::kFloat32)
                      .clone();
        t.targets = torch::from_blob(const_cast<int64_t*>(b.targets.data()), {b.size}, torch::kInt64)
                        .clone();
    } else {
        t.input = torch::from_blob(const_cast<int64_t*>(b.inputs.data()), {b.size, b.length},
                                   torch::kInt64)
                      .clone();
        t.targets = torch::from_blob(const_cast<int64_t*>(b.targets.data()), {b.size, b.length},
                                     torch::kInt64)
                        .clone();
    }
    return t;
}

torch::Tensor taskLoss(const torch::Tensor& logits, const torch::Tensor& targets) {
    return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                                targets.reshape({-1}));
}

int64_t correctPredictions(const torch::Tensor& logits, const torch::Tensor& targets) {
    return logits.argmax(-1).eq(targets).sum().item<int64_t>();
}

}  // namespace qkv
