#include "model/model.h"

#include <map>

#include "common/errors.h"
#include "model/model_summary.h"
#include "model/transformer.h"
#include "runtime/memory_guard.h"

namespace qkv {

namespace {
std::string shapeText(const std::vector<int64_t>& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + ")";
}
}  // namespace

Model::Model(const ModelConfig& config, uint64_t seed) : Model(config, seed, true) {}

Model::Model(const ModelConfig& config, uint64_t seed, bool initialise) : m_config(config) {
    validate(config);
    requireMemory(summarize(config).parameters * int64_t(sizeof(float)), "the model's weights");
    m_module = std::make_shared<TransformerImpl>(config, seed, initialise);
}

Model Model::uninitialised(const ModelConfig& config) { return Model(config, 0, false); }

int64_t Model::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : m_module->parameters()) n += p.numel();
    return n;
}

std::vector<std::string> Model::parameterNames() const {
    std::vector<std::string> names;
    for (const auto& p : m_module->named_parameters()) names.push_back(p.key());
    return names;
}

bool Model::hasParameter(const std::string& name) const {
    return m_module->named_parameters().find(name) != nullptr;
}

std::vector<NamedTensor> Model::state() const {
    std::vector<NamedTensor> out;
    for (const auto& p : m_module->named_parameters()) {
        auto t = p.value().detach().to(torch::kFloat32).contiguous();
        NamedTensor nt{p.key(), t.sizes().vec(), {}};
        nt.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        out.push_back(std::move(nt));
    }
    return out;
}

std::vector<TensorView> Model::parameterViews() const {
    std::vector<TensorView> out;
    for (const auto& p : m_module->named_parameters()) {
        const torch::Tensor& t = p.value();
        if (t.scalar_type() != torch::kFloat32 || !t.is_contiguous())
            throw IoError("parameter '" + p.key() + "' is not contiguous float32");
        out.push_back({p.key(), t.sizes().vec(), t.data_ptr<float>()});
    }
    return out;
}

void Model::loadState(const std::vector<NamedTensor>& tensors) {
    std::map<std::string, const NamedTensor*> byName;
    for (const auto& t : tensors) byName[t.name] = &t;
    auto params = m_module->named_parameters();
    for (const auto& t : tensors)
        if (params.find(t.name) == nullptr)
            throw IoError("checkpoint tensor '" + t.name + "' does not belong to a " +
                          variantId(m_config.variant) + " model");
    // Check everything before copying anything: a refused checkpoint leaves the model as it was.
    for (auto& p : params) {
        auto it = byName.find(p.key());
        if (it == byName.end()) throw IoError("checkpoint lacks tensor '" + p.key() + "'");
        const NamedTensor& src = *it->second;
        if (src.shape != p.value().sizes().vec())
            throw IoError("tensor '" + p.key() + "' has shape " + shapeText(src.shape) +
                          ", the model expects " + shapeText(p.value().sizes().vec()));
        if (int64_t(src.values.size()) != p.value().numel())
            throw IoError("tensor '" + p.key() + "' has the wrong number of values");
    }
    torch::NoGradGuard noGrad;
    for (auto& p : params) {
        const NamedTensor& src = *byName.find(p.key())->second;
        auto from = torch::from_blob(const_cast<float*>(src.values.data()), src.shape,
                                     torch::kFloat32);
        p.value().copy_(from);
    }
}

}  // namespace qkv
