#include "attention/fused_attention.h"

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace qkv {

namespace {

// The BLAS that LibTorch itself calls (libblas.so.3, OpenBLAS here), looked up at run time so
// that core needs no link flag of its own. Null means: use the ATen path.
using SgemmFn = void (*)(const char*, const char*, const int*, const int*, const int*, const float*,
                         const float*, const int*, const float*, const int*, const float*, float*,
                         const int*);
SgemmFn sgemm() {
    static const SgemmFn f = reinterpret_cast<SgemmFn>(dlsym(RTLD_DEFAULT, "sgemm_"));
    return f;
}

// Row-major C (M×N) = alpha · op(A) (M×K) · op(B) (K×N) + beta · C, with row strides lda,
// ldb, ldc: the column-major BLAS computes Cᵀ = op(B)ᵀ op(A)ᵀ.
void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc) {
    const char ta = transA ? 'T' : 'N', tb = transB ? 'T' : 'N';
    sgemm()(&tb, &ta, &N, &M, &K, &alpha, B, &ldb, A, &lda, &beta, C, &ldc);
}

// Query rows per block of a causal product. Block [t0, t1) needs only keys [0, S − T + t1), so
// for T = 128 four blocks skip 3/8 of the products over the masked upper triangle; smaller
// blocks would skip more but make more, less efficient BLAS calls.
constexpr int64_t kCausalBlock = 32;

// Where the rows of one (sequence, query head) pair live in the (B, T, width) row tensors, and
// which keys each block of its queries may see.
struct Geometry {
    int64_t B, T, S, heads, r;
    int dh, ldq, ldk, ldv, ldy;
    bool causal;

    Geometry(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t heads_,
             int64_t kvHeads, bool causal_)
        : B(q.size(0)),
          T(q.size(1)),
          S(k.size(1)),
          heads(heads_),
          r(heads_ / kvHeads),
          dh(int(q.size(2) / heads_)),
          ldq(int(q.size(2))),
          ldk(int(k.size(2))),
          ldv(int(v.size(2))),
          ldy(int(heads_ * dh)),
          causal(causal_) {}

    // Offsets of pair i = b·H + h: its query (and output) head, and its key/value head h / r.
    int64_t qOffset(int64_t i) const { return (i / heads) * T * ldq + (i % heads) * dh; }
    int64_t yOffset(int64_t i) const { return (i / heads) * T * ldy + (i % heads) * dh; }
    int64_t kOffset(int64_t i) const { return (i / heads) * S * ldk + (i % heads) / r * dh; }
    int64_t vOffset(int64_t i) const { return (i / heads) * S * ldv + (i % heads) / r * dh; }

    int64_t blockRows() const { return causal ? kCausalBlock : T; }
    // Keys visible to queries [t0, t1): all S, or under the mask those up to the last query.
    int keysFor(int64_t t1) const { return int(causal ? S - T + t1 : S); }

    // f(t0, rows, keys) for each block of query rows.
    template <typename F>
    void forBlocks(F&& f) const {
        for (int64_t t0 = 0; t0 < T; t0 += blockRows()) {
            const int64_t t1 = std::min(T, t0 + blockRows());
            f(t0, int(t1 - t0), keysFor(t1));
        }
    }
};

// softmax(Q Kᵀ / √d_h + causal mask) V for every (sequence, head), straight from the
// projections' (B, T, heads·d_h) rows to W_O's input rows. LibTorch 1.13's CPU bmm runs a
// select + addmm per matrix of the batch (~3 tensor allocations and a BLAS call with checks
// each, B·H of them), and the composed path adds a scale, a mask, transposes and copies, each
// with its autograd node; here a layer's attention is loops of BLAS calls on raw pointers
// around one vectorised softmax forward, and around one softmax backward.
struct AttentionCore : torch::autograd::Function<AttentionCore> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor q,
                                 torch::Tensor k, torch::Tensor v, int64_t heads, int64_t kvHeads,
                                 bool causal) {
        q = q.contiguous();
        k = k.contiguous();
        v = v.contiguous();
        const Geometry g(q, k, v, heads, kvHeads, causal);
        const int64_t T = g.T, S = g.S;
        const float scale = float(1.0 / std::sqrt(double(g.dh)));
        auto logits = torch::empty({g.B, heads, T, S}, q.options());  // (B, H, T, S)
        auto y = torch::empty({g.B, T, heads * g.dh}, q.options());   // (B, T, H·d_h)
        const float *Q = q.data_ptr<float>(), *K = k.data_ptr<float>(), *V = v.data_ptr<float>();
        float* L = logits.data_ptr<float>();
        const float negInf = -std::numeric_limits<float>::infinity();
        at::parallel_for(0, g.B * heads, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                float* Li = L + i * T * S;
                g.forBlocks([&](int64_t t0, int rows, int keys) {
                    gemm(false, true, rows, keys, g.dh, scale, Q + g.qOffset(i) + t0 * g.ldq, g.ldq,
                         K + g.kOffset(i), g.ldk, 0.f, Li + t0 * S, int(S));
                });
                if (causal)  // key s > query t + (S − T), including what no block computed
                    for (int64_t t = 0; t < T; ++t)
                        std::fill(Li + t * S + (S - T) + t + 1, Li + (t + 1) * S, negInf);
            }
        });
        // In place: the logits are not needed again, and a second (B, H, T, S) buffer is a full
        // extra pass through memory for the large model. Masked entries become exactly 0.
        auto p = at::_softmax_out(logits, logits, -1, false);
        const float* P = p.data_ptr<float>();
        float* Y = y.data_ptr<float>();
        at::parallel_for(0, g.B * heads, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i)
                g.forBlocks([&](int64_t t0, int rows, int keys) {
                    gemm(false, false, rows, g.dh, keys, 1.f, P + i * T * S + t0 * S, int(S),
                         V + g.vOffset(i), g.ldv, 0.f, Y + g.yOffset(i) + t0 * g.ldy, g.ldy);
                });
        });
        ctx->save_for_backward({q, k, v, p});
        ctx->saved_data["heads"] = heads;
        ctx->saved_data["kvHeads"] = kvHeads;
        ctx->saved_data["causal"] = causal;
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &q = saved[0], &k = saved[1], &v = saved[2], &p = saved[3];
        const int64_t heads = ctx->saved_data["heads"].toInt();
        const Geometry g(q, k, v, heads, ctx->saved_data["kvHeads"].toInt(),
                         ctx->saved_data["causal"].toBool());
        const int64_t T = g.T, S = g.S;
        const auto dy = grads[0].contiguous();  // (B, T, H·d_h)
        const float scale = float(1.0 / std::sqrt(double(g.dh)));
        const float *Q = q.data_ptr<float>(), *K = k.data_ptr<float>(), *V = v.data_ptr<float>();
        const float *P = p.data_ptr<float>(), *dY = dy.data_ptr<float>();

        auto dp = torch::empty_like(p);  // (B, H, T, S)
        float* dP = dp.data_ptr<float>();
        at::parallel_for(0, g.B * heads, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i)
                g.forBlocks([&](int64_t t0, int rows, int keys) {
                    float* dPi = dP + i * T * S + t0 * S;
                    gemm(false, true, rows, keys, g.dh, 1.f, dY + g.yOffset(i) + t0 * g.ldy, g.ldy,
                         V + g.vOffset(i), g.ldv, 0.f, dPi, int(S));
                    // Not computed: masked, P = 0 there. Zero, not garbage: the softmax
                    // backward multiplies them by P, and 0 · NaN would be NaN.
                    for (int t = 0; t < rows; ++t)
                        std::fill(dPi + t * S + keys, dPi + (t + 1) * S, 0.f);
                });
        });
        const auto ds = at::_softmax_backward_data_out(dp, dp, p, -1, p.scalar_type());
        const float* dS = ds.data_ptr<float>();
        auto dq = torch::empty_like(q), dk = torch::zeros_like(k), dv = torch::zeros_like(v);
        float *dQ = dq.data_ptr<float>(), *dK = dk.data_ptr<float>(), *dV = dv.data_ptr<float>();
        // Query heads of one group add into the same K and V rows: split by sequence only.
        at::parallel_for(0, g.B, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin * heads; i < end * heads; ++i)
                g.forBlocks([&](int64_t t0, int rows, int keys) {
                    const float* dSi = dS + i * T * S + t0 * S;
                    const float* Qi = Q + g.qOffset(i) + t0 * g.ldq;
                    gemm(false, false, rows, g.dh, keys, scale, dSi, int(S), K + g.kOffset(i),
                         g.ldk, 0.f, dQ + g.qOffset(i) + t0 * g.ldq, g.ldq);
                    gemm(true, false, keys, g.dh, rows, scale, dSi, int(S), Qi, g.ldq, 1.f,
                         dK + g.kOffset(i), g.ldk);
                    gemm(true, false, keys, g.dh, rows, 1.f, P + i * T * S + t0 * S, int(S),
                         dY + g.yOffset(i) + t0 * g.ldy, g.ldy, 1.f, dV + g.vOffset(i), g.ldv);
                });
        });
        return {dq, dk, dv, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

bool fusedAttentionAvailable() {
    return sgemm() != nullptr;
}

torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             int64_t heads, int64_t kvHeads, bool causal) {
    return AttentionCore::apply(q, k, v, heads, kvHeads, causal);
}

}  // namespace qkv
