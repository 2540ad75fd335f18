#include "attention/variant.h"

namespace qkv {

namespace {
struct VariantInfo {
    Variant variant;
    const char* id;
    const char* paperName;
};

const VariantInfo kVariants[] = {
    {Variant::Qkv, "qkv", "QKV"},
    {Variant::SharedKv, "shared-kv", "Q-K=V"},
    {Variant::SharedQk, "shared-qk", "Q=K-V"},
    {Variant::Single, "single", "Q=K=V"},
    {Variant::IdentityQ, "identity-q", "W_Q=I"},
    {Variant::MlpQ, "mlp-q", "MLP-Q"},
    {Variant::ResidualQ, "residual-q", "Q=X+XW_Q"},
};

const VariantInfo& info(Variant v) {
    for (const auto& i : kVariants)
        if (i.variant == v) return i;
    return kVariants[0];
}
}  // namespace

std::string variantId(Variant v) { return info(v).id; }
std::string variantPaperName(Variant v) { return info(v).paperName; }

std::optional<Variant> parseVariant(const std::string& id) {
    for (const auto& i : kVariants)
        if (id == i.id) return i.variant;
    return std::nullopt;
}

const std::vector<Variant>& allVariants() {
    static const std::vector<Variant> all = {Variant::Qkv,    Variant::SharedKv,
                                             Variant::SharedQk, Variant::Single,
                                             Variant::IdentityQ, Variant::MlpQ,
                                             Variant::ResidualQ};
    return all;
}

bool hasQueryProjection(Variant v) {
    return v == Variant::Qkv || v == Variant::SharedKv || v == Variant::ResidualQ;
}
bool hasValueProjection(Variant v) { return v != Variant::SharedKv && v != Variant::Single; }
bool valueIsKey(Variant v) { return v == Variant::SharedKv || v == Variant::Single; }
bool queryIsKey(Variant v) { return v == Variant::SharedQk || v == Variant::Single; }
bool needsFullKvHeads(Variant v) { return queryIsKey(v); }
bool queryIsInput(Variant v) { return v == Variant::IdentityQ || v == Variant::ResidualQ; }

}  // namespace qkv
