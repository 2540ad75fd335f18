#pragma once
// Internal (LibTorch) transformer in the nanoGPT layout. Not part of core's public API.
//
// Parameter names are the checkpoint format:
//   tok_emb.weight (V, d)          token embedding, tied to the output head (Decoder, Encoder)
//   head_bias (V)                  the tied head's own bias, when it has one
//   lm_head.{weight,bias}          an untied output head (V, d) and its bias, when it has one
//   patch_emb.{weight,bias}        Linear(P², d) (Vit)
//   cls_token (1, 1, d)            class token (Vit)
//   pos_emb (T_max, d)             learned absolute positions (none with rotary embeddings)
//   blocks.N.ln1.{weight,bias}     norm before attention (RMSNorm: weight only)
//   blocks.N.attn.{q,k,v,o}.{weight,bias}   projections; absent ones are absent, biases too
//   blocks.N.attn.qmlp.{norm.weight,fc1.*,fc2.*,ln.*}   mlp-q's query map
//   blocks.N.attn.pos_bias.{weight,bias}    Linear(p → 1) of the positional bias
//   blocks.N.ln2.*, blocks.N.mlp.{fc,proj}.* (GELU) or blocks.N.mlp.{gate,up,down}.* (SwiGLU)
//   ln_f.{weight,bias}             final norm
//   head.{weight,bias}             class head (Vit)

#include <torch/torch.h>

#include <atomic>
#include <functional>
#include <vector>

#include "attention/attention.h"
#include "model/layers.h"

namespace qkv {

class BlockImpl : public torch::nn::Module {
public:
    explicit BlockImpl(const ModelConfig& c);
    torch::Tensor forward(const torch::Tensor& x, AttentionTrace* trace = nullptr,
                          LayerKvCache* cache = nullptr);

    Norm ln1{nullptr}, ln2{nullptr};
    Attention attn{nullptr};
    Mlp mlp{nullptr};

private:
    double m_dropout = 0;
};
TORCH_MODULE(Block);

class TransformerImpl : public torch::nn::Module {
public:
    // Parameters are initialised from `seed` alone (GPT-2 scheme), independent of torch's
    // global generator, so that concurrent runs stay reproducible. With `initialise` false the
    // weights are left unset for a loader to fill (norm gains still start at one).
    TransformerImpl(const ModelConfig& c, uint64_t seed, bool initialise = true);

    // Decoder/Encoder: tokens (B, T) int64 → logits (B, T, V). With caches, tokens are the new
    // ones and positions continue after the cached length.
    // Vit: images (B, H_img, W_img) float in [0, 1] → class logits (B, classes).
    torch::Tensor forward(const torch::Tensor& input, std::vector<AttentionTrace>* traces = nullptr,
                          std::vector<LayerKvCache>* caches = nullptr);

    // Runs the blocks one at a time, handing each layer's trace to `onLayer` before the next
    // starts: however long the input, at most one layer's maps exist at once. Stops between
    // layers when `cancel` is set.
    void traceLayers(const torch::Tensor& input,
                     const std::function<void(int layer, AttentionTrace& trace)>& onLayer,
                     const std::atomic<bool>* cancel = nullptr);

    const ModelConfig& config() const { return m_cfg; }

    Embedding tokEmb{nullptr};
    torch::Tensor headBias, posEmb, clsToken;
    Linear patchEmb{nullptr}, head{nullptr}, lmHead{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    Norm lnF{nullptr};

private:
    torch::Tensor embedTokens(const torch::Tensor& tokens, int64_t offset);  // (B, T, d)
    torch::Tensor embedImages(const torch::Tensor& images);                  // (B, 1 + N, d)
    void initParameters(uint64_t seed);

    ModelConfig m_cfg;
};
TORCH_MODULE(Transformer);

}  // namespace qkv
