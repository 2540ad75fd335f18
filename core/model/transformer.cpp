#include "model/transformer.h"

#include <cmath>

#include "common/errors.h"

namespace qkv {

namespace {
bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

BlockImpl::BlockImpl(const ModelConfig& c) {
    ln1 = register_module("ln1", Norm(c.dModel, c.norm, c.normEps));
    attn = register_module("attn", Attention(c));
    ln2 = register_module("ln2", Norm(c.dModel, c.norm, c.normEps));
    mlp = register_module("mlp", Mlp(c));
    m_dropout = c.dropout;
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, AttentionTrace* trace,
                                 LayerKvCache* cache) {
    // Dropout on the residual branches only while training: a forward with gradients on (the
    // trainer's); evaluation, analysis and generation run without them.
    const bool drop = m_dropout > 0 && torch::GradMode::is_enabled();
    auto branch = [&](const torch::Tensor& t) { return drop ? torch::dropout(t, m_dropout, true) : t; };
    auto h = x + branch(attn(ln1(x), trace, cache));
    return h + branch(mlp(ln2(h)));
}

TransformerImpl::TransformerImpl(const ModelConfig& c, uint64_t seed, bool initialise)
    : m_cfg(c) {
    validate(c);
    const int64_t d = c.dModel, T = c.sequenceLength();
    if (c.arch == Architecture::Vit) {
        patchEmb = register_module("patch_emb", Linear(c.patchSize * c.patchSize, d));
        clsToken = register_parameter("cls_token", torch::empty({1, 1, d}));
        head = register_module("head", Linear(d, c.vocab));
    } else {
        tokEmb = register_module("tok_emb", Embedding(c.vocab, d));
        if (c.tiedHead && c.headBias)
            headBias = register_parameter("head_bias", torch::empty({c.vocab}));
    }
    if (c.positions == PositionKind::Learned)
        posEmb = register_parameter("pos_emb", torch::empty({T, d}));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < c.layers; ++i) blocks->push_back(Block(c));
    lnF = register_module("ln_f", Norm(d, c.norm, c.normEps));
    if (c.arch != Architecture::Vit && !c.tiedHead)
        lmHead = register_module("lm_head", Linear(d, c.vocab, c.headBias));
    if (initialise) initParameters(seed);
}

void TransformerImpl::initParameters(uint64_t seed) {
    torch::NoGradGuard noGrad;
    auto gen = at::detail::createCPUGenerator(seed);
    const double std = 0.02,
                 residualStd = m_cfg.residualScaledInit ? 0.02 / std::sqrt(2.0 * m_cfg.layers) : std;
    for (auto& p : named_parameters()) {
        const std::string& name = p.key();
        auto& t = p.value();
        if (m_cfg.posBias && m_cfg.posBiasMode == PosBiasMode::Absolute &&
            name.find("pos_bias.weight") != std::string::npos) {
            const double bound = std::sqrt(6.0 / double(m_cfg.posBiasDim + 1));  // xavier-uniform
            t.uniform_(-bound, bound, gen);
            continue;
        }
        // Norm gains and the positional-bias weights keep their constructor values.
        if (name.find(".ln") != std::string::npos || name.rfind("ln_f", 0) == 0 ||
            name.find("norm.") != std::string::npos || name.find("pos_bias") != std::string::npos)
            continue;
        if (endsWith(name, ".bias") || name == "head_bias")
            t.zero_();
        else if (endsWith(name, "o.weight") || endsWith(name, "proj.weight") ||
                 endsWith(name, "down.weight"))
            t.normal_(0.0, residualStd, gen);
        else
            t.normal_(0.0, std, gen);
    }
}

torch::Tensor TransformerImpl::embedTokens(const torch::Tensor& tokens, int64_t offset) {
    const int64_t T = tokens.size(1);
    if (offset + T > m_cfg.context)
        throw ConfigError("input of " + std::to_string(offset + T) +
                          " tokens is longer than the model's context (" +
                          std::to_string(m_cfg.context) + ")");
    if (!posEmb.defined()) return tokEmb(tokens);  // rotary or no positions: (B, T, d)
    auto pos = posEmb.narrow(0, offset, T);        // (T, d)
    return tokEmb(tokens) + pos;                   // (B, T, d)
}

torch::Tensor TransformerImpl::embedImages(const torch::Tensor& images) {
    const int64_t B = images.size(0), P = m_cfg.patchSize, side = m_cfg.imageSize / P;
    auto patches = images.reshape({B, side, P, side, P})
                       .permute({0, 1, 3, 2, 4})
                       .reshape({B, side * side, P * P});  // (B, N, P²), row-major patches
    auto x = patchEmb(patches);                            // (B, N, d)
    x = torch::cat({clsToken.expand({B, 1, m_cfg.dModel}), x}, 1);
    return x + posEmb;                                     // (B, 1 + N, d)
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& input,
                                       std::vector<AttentionTrace>* traces,
                                       std::vector<LayerKvCache>* caches) {
    const bool vit = m_cfg.arch == Architecture::Vit;
    const int64_t offset = caches && !caches->empty() ? (*caches)[0].length() : 0;
    auto x = vit ? embedImages(input) : embedTokens(input, offset);
    if (traces) traces->assign(blocks->size(), {});
    if (caches) caches->resize(blocks->size());
    for (size_t i = 0; i < blocks->size(); ++i)
        x = blocks[i]->as<BlockImpl>()->forward(x, traces ? &(*traces)[i] : nullptr,
                                                caches ? &(*caches)[i] : nullptr);
    x = lnF(x);
    if (vit) return head(x.select(1, 0));  // (B, classes)
    if (lmHead) return lmHead(x);           // (B, T, V)
    return linear(x, tokEmb->weight, headBias);  // (B, T, V)
}

void TransformerImpl::traceLayers(const torch::Tensor& input,
                                  const std::function<void(int, AttentionTrace&)>& onLayer,
                                  const std::atomic<bool>* cancel) {
    auto x = m_cfg.arch == Architecture::Vit ? embedImages(input) : embedTokens(input, 0);
    for (size_t i = 0; i < blocks->size(); ++i) {
        if (cancel && cancel->load()) return;
        AttentionTrace trace;
        x = blocks[i]->as<BlockImpl>()->forward(x, &trace);
        onLayer(int(i), trace);
    }
}

}  // namespace qkv
