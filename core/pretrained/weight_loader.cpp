#include "pretrained/weight_loader.h"

#include <map>
#include <set>

#include "common/errors.h"
#include "model/transformer.h"

namespace qkv {

namespace {

std::string shapeText(const std::vector<int64_t>& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + ")";
}

torch::ScalarType torchType(TensorDType t) {
    switch (t) {
        case TensorDType::F32:
            return torch::kFloat32;
        case TensorDType::F16:
            return torch::kFloat16;
        case TensorDType::BF16:
            return torch::kBFloat16;
        case TensorDType::F64:
            return torch::kFloat64;
        case TensorDType::Other:
            break;
    }
    throw IoError("not a float tensor");
}

// The shape a recipe produces from its source.
std::vector<int64_t> producedShape(const WeightRecipe& r, const SourceTensor& s) {
    std::vector<int64_t> shape = s.shape;
    if (r.transpose && shape.size() == 2) std::swap(shape[0], shape[1]);
    if (r.rowCount >= 0 && !shape.empty()) shape[0] = r.rowCount;
    return shape;
}

}  // namespace

void loadWeights(Model& model, const WeightFiles& files, const std::vector<WeightRecipe>& recipes,
                 const std::function<bool(const std::string&)>& ignorable, const std::string& where,
                 const LoadProgress& progress, const std::atomic<bool>* cancel) {
    auto fail = [&](const std::string& what) { throw IoError(where + ": " + what); };
    auto params = model.module()->named_parameters();
    std::map<std::string, const WeightRecipe*> byParameter;
    std::set<std::string> used;
    for (const WeightRecipe& r : recipes) {
        if (!params.find(r.parameter)) fail("no parameter '" + r.parameter + "' in this model");
        byParameter[r.parameter] = &r;
        const SourceTensor* s = files.find(r.source);
        if (!s) fail("tensor '" + r.source + "' is missing (the model needs it)");
        if (s->dtype == TensorDType::Other)
            fail("tensor '" + r.source + "' is " + s->dtypeText + ", not a float type");
        const auto& p = params[r.parameter];
        const std::vector<int64_t> expected = p.sizes().vec();
        const std::vector<int64_t> got = producedShape(r, *s);
        const bool sliceFits =
            r.rowCount < 0 ||
            (s->shape.size() >= 1 &&
             r.rowBegin + r.rowCount <=
                 (r.transpose && s->shape.size() == 2 ? s->shape[1] : s->shape[0]));
        if (got != expected || !sliceFits || (r.transpose && s->shape.size() != 2))
            fail("tensor '" + r.source + "' has shape " + shapeText(s->shape) +
                 ", which does not give the " + shapeText(expected) + " the configuration implies");
        used.insert(r.source);
    }
    for (const auto& p : params)
        if (!byParameter.count(p.key()))
            fail("nothing in the files fills the model's '" + p.key() + "'");
    for (const auto& [name, t] : files.tensors())
        if (!used.count(name) && !(ignorable && ignorable(name)))
            fail("unexpected tensor '" + name + "' (not part of this architecture)");

    // Sources in file order, so the pages are read front to back; a source released after the
    // last parameter that reads it.
    std::vector<const SourceTensor*> order;
    for (const std::string& name : used) order.push_back(files.find(name));
    std::sort(order.begin(), order.end(), [](const SourceTensor* a, const SourceTensor* b) {
        return a->file != b->file ? a->file < b->file : a->offset < b->offset;
    });
    std::multimap<std::string, const WeightRecipe*> bySource;
    for (const WeightRecipe& r : recipes) bySource.emplace(r.source, &r);
    uint64_t total = 0, done = 0;
    for (const SourceTensor* s : order) total += s->bytes;

    torch::NoGradGuard noGrad;
    for (const SourceTensor* s : order) {
        if (cancel && cancel->load()) throw CancelledError("opening the model was cancelled");
        auto view = torch::from_blob(const_cast<unsigned char*>(s->data()), s->shape,
                                     torch::TensorOptions().dtype(torchType(s->dtype)));
        auto range = bySource.equal_range(s->name);
        for (auto it = range.first; it != range.second; ++it) {
            const WeightRecipe& r = *it->second;
            torch::Tensor from = r.transpose ? view.t() : view;
            if (r.rowCount >= 0) from = from.narrow(0, r.rowBegin, r.rowCount);
            params[r.parameter].copy_(from);
        }
        s->file->release(s->offset, s->bytes);
        done += s->bytes;
        if (progress) progress(done, total);
    }
}

}  // namespace qkv
