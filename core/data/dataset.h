#pragma once
// A source of training and validation batches for one task, independent of LibTorch.

#include <memory>
#include <random>

#include "data/batch.h"
#include "data/task_config.h"
#include "model/model_config.h"

namespace qkv {

class Dataset {
public:
    virtual ~Dataset() = default;

    // A random training batch; the same generator state gives the same batch.
    virtual Batch trainBatch(int batchSize, std::mt19937_64& rng) const = 0;
    // The held-out examples, in a fixed order.
    virtual int validationCount() const = 0;
    virtual Batch validationBatch(int first, int count) const = 0;
    // Sets what the data decides: architecture, vocabulary or classes, context, image size.
    virtual void configureModel(ModelConfig& model) const = 0;
};

// Loads or generates the data. For text, fills cfg.alphabet (or checks it against the corpus).
// Throws DataError or ConfigError with a one-line reason.
std::unique_ptr<Dataset> makeDataset(TaskConfig& cfg);

}  // namespace qkv
