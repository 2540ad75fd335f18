#pragma once
// The attention variants of docs/DESIGN.md §2 and their static properties.

#include <optional>
#include <string>
#include <vector>

namespace qkv {

enum class Variant {
    Qkv,        // separate W_Q, W_K, W_V
    SharedKv,   // Q-K=V: V = K, no W_V
    SharedQk,   // Q=K-V: Q = K, no W_Q; needs g = H
    Single,     // Q=K=V: one projection W_K; needs g = H
    IdentityQ,  // Q = X, no W_Q; needs H·d_h = d
    MlpQ,       // Q = (X + f(X))/2 with a small MLP f
    ResidualQ,  // Q = X + X·W_Q (Karbevski's residual query); needs H·d_h = d
};

// Stable identifiers used in configs, the CLI and checkpoints ("qkv", "shared-kv", ...).
std::string variantId(Variant v);
// The paper's name ("QKV", "Q-K=V", ...), for tables and legends.
std::string variantPaperName(Variant v);
std::optional<Variant> parseVariant(const std::string& id);
const std::vector<Variant>& allVariants();

bool hasQueryProjection(Variant v);  // a Linear W_Q exists
bool hasValueProjection(Variant v);  // a Linear W_V exists
bool valueIsKey(Variant v);          // V = K, so the cache holds one tensor
bool queryIsKey(Variant v);          // Q = K, so logits are symmetric without the bias
bool needsFullKvHeads(Variant v);    // g must equal H
bool queryIsInput(Variant v);        // Q starts from X itself (identity-q, residual-q): H·d_h = d
                                     // and the logits take the identity-query scale

}  // namespace qkv
