#include "attention/attention.h"

#include <cmath>

#include "attention/fused_attention.h"

namespace qkv {

int64_t LayerKvCache::bytes() const {
    int64_t total = 0;
    for (const auto* t : {&k, &v})
        if (t->defined()) total += t->numel() * int64_t(t->element_size());
    return total;
}

QueryMlpImpl::QueryMlpImpl(int64_t d, bool bias) {
    norm = register_module("norm", RmsNorm(d));
    fc1 = register_module("fc1", Linear(d, d / 2, bias));
    fc2 = register_module("fc2", Linear(d / 2, d, bias));
    ln = register_module("ln", Norm(d, NormKind::LayerNorm, 1e-5));
}

torch::Tensor QueryMlpImpl::forward(const torch::Tensor& x) {
    return ln(fc2(torch::gelu(fc1(norm(x)))));
}

torch::Tensor positionalTable(int64_t maxT, int64_t p) {
    const int64_t half = p / 2;
    auto pos = torch::arange(maxT, torch::kFloat64);
    auto offset = pos.unsqueeze(1) - pos.unsqueeze(0);  // (T, T): i − j
    auto freq = torch::pow(10000.0, -2.0 * torch::arange(half, torch::kFloat64) / double(p));
    auto angle = offset.unsqueeze(-1) * freq;  // (T, T, p/2)
    return torch::cat({torch::sin(angle), torch::cos(angle)}, -1).to(torch::kFloat32).contiguous();
}

torch::Tensor absolutePositionalTable(int64_t maxT, int64_t p) {
    const int64_t c = 2 * ((p + 3) / 4);  // channels per index, an even number
    auto freq = torch::pow(10000.0, -torch::arange(0, c, 2, torch::kFloat64) / double(c));  // (c/2)
    auto pos = torch::arange(maxT, torch::kFloat64);
    auto angle = pos.unsqueeze(1) * freq;                                     // (T, c/2)
    auto interleaved = torch::stack({torch::sin(angle), torch::cos(angle)}, -1).view({maxT, c});
    auto rows = interleaved.unsqueeze(1).expand({maxT, maxT, c});  // channel of i
    auto cols = interleaved.unsqueeze(0).expand({maxT, maxT, c});  // channel of j
    return torch::cat({rows, cols}, -1).narrow(-1, 0, p).to(torch::kFloat32).contiguous();
}

torch::Tensor positionalTable(const ModelConfig& c) {
    return c.posBiasMode == PosBiasMode::Absolute
               ? absolutePositionalTable(c.sequenceLength(), c.posBiasDim)
               : positionalTable(c.sequenceLength(), c.posBiasDim);
}

AttentionImpl::AttentionImpl(const ModelConfig& c)
    : m_cfg(c), m_heads(c.heads), m_kvHeads(c.kvHeadCount()), m_headDim(c.headDim()) {
    const int64_t d = c.dModel, hd = m_heads * m_headDim, kvd = m_kvHeads * m_headDim;
    const bool bias = c.attnBias;
    if (hasQueryProjection(c.variant)) q = register_module("q", Linear(d, hd, bias));
    if (c.variant == Variant::MlpQ) qmlp = register_module("qmlp", QueryMlp(d, c.queryMlpBias));
    k = register_module("k", Linear(d, kvd, bias));
    if (hasValueProjection(c.variant)) v = register_module("v", Linear(d, kvd, bias));
    o = register_module("o", Linear(hd, d, bias));
    if (c.positions == PositionKind::Rotary)
        m_rotary = Rotary(m_headDim, c.sequenceLength(), c.ropeTheta, c.ropePairs,
                          c.ropeLinearScale);
    if (c.posBias) {
        posBias = register_module("pos_bias", Linear(c.posBiasDim, 1));
        // Relative: start with Σw = 1 so the logits keep their scale and the table adds direction
        // from step 0. Absolute: xavier-uniform as published, drawn with the model's seed
        // (TransformerImpl::initParameters).
        torch::NoGradGuard noGrad;
        posBias->weight.fill_(1.0 / c.posBiasDim);
        posBias->bias.zero_();
        m_table = positionalTable(c);
    }
}

torch::Tensor AttentionImpl::queryRows(const torch::Tensor& x, const torch::Tensor& keyRows) {
    switch (m_cfg.variant) {
        case Variant::SharedQk:
        case Variant::Single:
            return keyRows;  // g = H, so K already has every query head
        case Variant::IdentityQ:
            return x.contiguous();
        case Variant::ResidualQ:
            return x + q(x);
        case Variant::MlpQ:
            return (x + qmlp(x)) * 0.5;
        default:
            return q(x);
    }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, AttentionTrace* trace,
                                     LayerKvCache* cache) {
    const int64_t B = x.size(0), T = x.size(1), H = m_heads, g = m_kvHeads, dh = m_headDim;
    const int64_t past = cache ? cache->length() : 0;

    // Training and plain evaluation: nothing to record, no cache, no positional bias. The
    // fused core skips LibTorch 1.13's per-matrix bmm (a select + addmm for each of B·H
    // matrices) and the mask, transpose and copy nodes of the composed path below.
    if (!trace && !cache && !posBias && x.scalar_type() == torch::kFloat &&
        fusedAttentionAvailable()) {
        auto kx = k(x);                                   // (B, T, g·d_h)
        auto qx = queryRows(x, kx);                       // (B, T, H·d_h)
        auto vx = valueIsKey(m_cfg.variant) ? kx : v(x);  // (B, T, g·d_h), never rotated
        // The fused core scales by 1/√d_h; a query from X takes its extra factor on q (a power
        // of two as published, so both paths give the same bits).
        if (queryIsInput(m_cfg.variant) && m_cfg.identityQueryScale != 1.0)
            qx = qx * m_cfg.identityQueryScale;
        if (m_rotary.enabled()) {
            qx = m_rotary.apply(qx, H, 0);
            kx = m_rotary.apply(kx, g, 0);
        }
        return o(fusedAttention(qx, kx, vx, H, g, m_cfg.causal()));
    }

    const bool rotary = m_rotary.enabled();
    auto heads = [&](const torch::Tensor& rows, int64_t n) {  // (B, T, n·d_h) → (B, n, T, d_h)
        return rows.view({B, T, n, dh}).transpose(1, 2);
    };
    auto kRows = k(x);        // (B, T, g·d_h), unrotated
    auto qRows = queryRows(x, kRows);
    if (rotary) qRows = m_rotary.apply(qRows, H, past);
    auto qh = heads(qRows, H);                                              // (B, H, T, d_h)
    auto kNew = heads(rotary ? m_rotary.apply(kRows, g, past) : kRows, g);  // (B, g, T, d_h)
    // V = K shares the tensor itself unless K is rotated (the values never are).
    torch::Tensor vNew = !valueIsKey(m_cfg.variant) ? heads(v(x), g)
                         : rotary                   ? heads(kRows, g)
                                                    : kNew;  // (B, g, T, d_h)
    torch::Tensor kh = kNew, vh = vNew;
    if (cache) {
        const bool sharedRotated = rotary && valueIsKey(m_cfg.variant);
        // V = K: the cache holds the values (unrotated keys) once; the keys are rotated from it.
        auto& stored = cache->k;
        const torch::Tensor add = sharedRotated ? vNew : kNew;
        stored = past ? torch::cat({stored, add}, 2) : add.contiguous();
        if (!valueIsKey(m_cfg.variant))
            cache->v = past ? torch::cat({cache->v, vNew}, 2) : vNew.contiguous();
        const int64_t total = stored.size(2);
        if (sharedRotated) {
            vh = stored;  // (B, g, S, d_h)
            auto rows = stored.transpose(1, 2).reshape({B, total, g * dh});
            kh = m_rotary.apply(rows, g, 0).view({B, total, g, dh}).transpose(1, 2);
        } else {
            kh = stored;
            vh = valueIsKey(m_cfg.variant) ? stored : cache->v;
        }
    }
    const int64_t S = kh.size(2);  // key positions, past + T

    // Contiguous groups: query heads [j·H/g, (j+1)·H/g) read KV head j. Broadcasting over the
    // group axis avoids materialising H copies of K and V.
    const int64_t r = H / g;
    auto qg = qh.reshape({B, g, r, T, dh});                             // (B, g, r, T, d_h)
    auto logits = torch::matmul(qg, kh.unsqueeze(2).transpose(-2, -1))  // (B, g, r, T, S)
                      .mul_(m_cfg.logitScale())
                      .view({B, H, T, S});
    if (posBias) {
        auto w = posBias->weight.view({-1});  // (p)
        auto table = m_table.index(
            {torch::indexing::Slice(past, past + T), torch::indexing::Slice(0, S)});  // (T, S, p)
        logits = logits * w.sum() + (torch::matmul(table, w) + posBias->bias);
    }
    auto masked = logits;
    if (m_cfg.causal()) {
        auto mask = torch::ones({T, S}, torch::kBool).triu(past + 1);  // key j > query i
        masked = logits.masked_fill(mask, -std::numeric_limits<float>::infinity());
    }
    auto attn = torch::softmax(masked, -1);                              // (B, H, T, S)
    auto y = torch::matmul(attn.view({B, g, r, T, S}), vh.unsqueeze(2))  // (B, g, r, T, d_h)
                 .view({B, H, T, dh})
                 .transpose(1, 2)
                 .reshape({B, T, H * dh});
    if (trace) *trace = {qh, kh, vh, logits, attn};
    return o(y);
}

}  // namespace qkv
