#pragma once
// A transformer of any variant, as seen from outside core: no LibTorch types.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/model_config.h"
#include "model/named_tensor.h"

namespace qkv {

class TransformerImpl;

class Model {
public:
    // Builds and initialises a model; throws ConfigError for an impossible configuration and
    // ResourceError, before allocating, for weights larger than the memory available.
    Model(const ModelConfig& config, uint64_t seed);
    // A model whose weights a loader is about to fill: allocated, not initialised.
    static Model uninitialised(const ModelConfig& config);

    const ModelConfig& config() const { return m_config; }
    int64_t parameterCount() const;
    std::vector<std::string> parameterNames() const;
    bool hasParameter(const std::string& name) const;

    // Copies of every parameter, in registration order (the checkpoint content).
    std::vector<NamedTensor> state() const;
    // Every parameter in registration order, as views of the model's own float32 memory (valid
    // while the model lives and is not trained): what a writer needs without a copy.
    std::vector<TensorView> parameterViews() const;
    // Replaces every parameter; throws IoError when a name is missing, unknown or mis-shaped.
    void loadState(const std::vector<NamedTensor>& tensors);

    // Core-internal access to the LibTorch module.
    std::shared_ptr<TransformerImpl> module() const { return m_module; }

private:
    Model(const ModelConfig& config, uint64_t seed, bool initialise);
    ModelConfig m_config;
    std::shared_ptr<TransformerImpl> m_module;
};

}  // namespace qkv
