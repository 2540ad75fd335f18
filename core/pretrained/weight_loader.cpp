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

constexpr uint64_t kBlockBytes = 16u << 20;

// Copies the part of a recipe that source rows [r0, r1) hold into the parameter. Without a
// transpose those are parameter rows (less the recipe's offset); with one, parameter columns.
void copyBlock(const WeightRecipe& r, const torch::Tensor& source, int64_t r0, int64_t r1,
               torch::Tensor& param) {
    if (source.dim() == 0) {
        param.copy_(source.view(param.sizes()));
        return;
    }
    if (r.transpose) {  // param = source[:, begin : begin + count].t()
        const int64_t begin = r.rowCount >= 0 ? r.rowBegin : 0;
        const int64_t count = r.rowCount >= 0 ? r.rowCount : source.size(1);
        param.narrow(1, r0, r1 - r0).copy_(source.narrow(0, r0, r1 - r0).narrow(1, begin, count).t());
        return;
    }
    const int64_t begin = r.rowCount >= 0 ? r.rowBegin : 0;
    const int64_t count = r.rowCount >= 0 ? r.rowCount : source.size(0);
    const int64_t lo = std::max(r0, begin), hi = std::min(r1, begin + count);
    if (lo >= hi) return;
    param.narrow(0, lo - begin, hi - lo).copy_(source.narrow(0, lo, hi - lo));
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
        auto view = torch::from_blob(const_cast<unsigned char*>(s->data()), s->shape,
                                     torch::TensorOptions().dtype(torchType(s->dtype)));
        auto range = bySource.equal_range(s->name);
        // Large tensors go over in blocks of source rows, each block's pages handed back before
        // the next is read: the file's pages and the model never add up to more than one block
        // (GPT-2's 154 MB embedding would otherwise sit in memory twice).
        const int64_t rows = s->shape.empty() ? 1 : s->shape[0];
        const uint64_t rowBytes = rows > 0 ? s->bytes / uint64_t(rows) : s->bytes;
        const int64_t block = std::max<int64_t>(1, int64_t(kBlockBytes / std::max<uint64_t>(rowBytes, 1)));
        for (int64_t r0 = 0; r0 < rows; r0 += block) {
            if (cancel && cancel->load()) throw CancelledError("opening the model was cancelled");
            const int64_t r1 = std::min(rows, r0 + block);
            for (auto it = range.first; it != range.second; ++it)
                copyBlock(*it->second, view, r0, r1, params[it->second->parameter]);
            s->file->release(s->offset + uint64_t(r0) * rowBytes, uint64_t(r1 - r0) * rowBytes);
            done += uint64_t(r1 - r0) * rowBytes;
            if (progress) progress(done, total);
        }
        if (rows == 0) s->file->release(s->offset, s->bytes);
    }
}

}  // namespace qkv
