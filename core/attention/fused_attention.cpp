#include "attention/fused_attention.h"

#include <dlfcn.h>

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

// softmax(Q Kᵀ / √d_h + causal mask) V for every (sequence, head), straight from the
// projections' (B, T, heads·d_h) rows to W_O's input rows. LibTorch 1.13's CPU bmm runs a
// select + addmm per matrix of the batch (~3 tensor allocations and a BLAS call with checks
// each, B·H of them), and the composed path adds a scale, a mask, transposes and copies, each
// with its autograd node; here a layer's attention is 2 loops of BLAS calls on raw pointers
// around one vectorised softmax forward, and 2 loops around one softmax backward.
struct AttentionCore : torch::autograd::Function<AttentionCore> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor q,
                                 torch::Tensor k, torch::Tensor v, int64_t heads, int64_t kvHeads,
                                 bool causal) {
        q = q.contiguous();
        k = k.contiguous();
        v = v.contiguous();
        const int64_t B = q.size(0), T = q.size(1), S = k.size(1);
        const int dh = int(q.size(2) / heads), r = int(heads / kvHeads);
        const int ldq = int(q.size(2)), ldk = int(k.size(2)), ldv = int(v.size(2));
        const float scale = float(1.0 / std::sqrt(double(dh)));
        auto logits = torch::empty({B, heads, T, S}, q.options());
        auto y = torch::empty({B, T, heads * dh}, q.options());
        const float *Q = q.data_ptr<float>(), *K = k.data_ptr<float>(), *V = v.data_ptr<float>();
        float* L = logits.data_ptr<float>();
        const float negInf = -std::numeric_limits<float>::infinity();
        at::parallel_for(0, B * heads, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                const int64_t b = i / heads, h = i % heads, j = h / r;
                float* Li = L + i * T * S;
                gemm(false, true, int(T), int(S), dh, scale, Q + b * T * ldq + h * dh, ldq,
                     K + b * S * ldk + j * dh, ldk, 0.f, Li, int(S));
                if (causal)  // key s > query t (+ the S − T cached keys before the queries)
                    for (int64_t t = 0; t < T; ++t)
                        std::fill(Li + t * S + (S - T) + t + 1, Li + (t + 1) * S, negInf);
            }
        });
        // In place: the logits are not needed again, and a second (B, H, T, T) buffer is a
        // full extra pass through memory for the large model.
        auto p = at::_softmax_out(logits, logits, -1, false);
        const float* P = p.data_ptr<float>();
        float* Y = y.data_ptr<float>();
        const int ldy = int(heads * dh);
        at::parallel_for(0, B * heads, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                const int64_t b = i / heads, h = i % heads, j = h / r;
                gemm(false, false, int(T), dh, int(S), 1.f, P + i * T * S, int(S),
                     V + b * S * ldv + j * dh, ldv, 0.f, Y + b * T * ldy + h * dh, ldy);
            }
        });
        ctx->save_for_backward({q, k, v, p});
        ctx->saved_data["heads"] = heads;
        ctx->saved_data["kvHeads"] = kvHeads;
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &q = saved[0], &k = saved[1], &v = saved[2], &p = saved[3];
        const int64_t heads = ctx->saved_data["heads"].toInt();
        const int64_t kvHeads = ctx->saved_data["kvHeads"].toInt();
        const auto dy = grads[0].contiguous();
        const int64_t B = q.size(0), T = q.size(1), S = k.size(1);
        const int dh = int(q.size(2) / heads), r = int(heads / kvHeads);
        const int ldq = int(q.size(2)), ldk = int(k.size(2)), ldv = int(v.size(2));
        const int ldy = int(heads * dh);
        const float scale = float(1.0 / std::sqrt(double(dh)));
        const float *Q = q.data_ptr<float>(), *K = k.data_ptr<float>(), *V = v.data_ptr<float>();
        const float *P = p.data_ptr<float>(), *dY = dy.data_ptr<float>();

        auto dp = torch::empty_like(p);
        float* dP = dp.data_ptr<float>();
        at::parallel_for(0, B * heads, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                const int64_t b = i / heads, h = i % heads, j = h / r;
                gemm(false, true, int(T), int(S), dh, 1.f, dY + b * T * ldy + h * dh, ldy,
                     V + b * S * ldv + j * dh, ldv, 0.f, dP + i * T * S, int(S));
            }
        });
        const auto ds = at::_softmax_backward_data_out(dp, dp, p, -1, p.scalar_type());
        const float* dS = ds.data_ptr<float>();
        auto dq = torch::empty_like(q), dk = torch::zeros_like(k), dv = torch::zeros_like(v);
        float *dQ = dq.data_ptr<float>(), *dK = dk.data_ptr<float>(), *dV = dv.data_ptr<float>();
        // Query heads of one group add into the same K and V rows: split by sequence only.
        at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; ++b)
                for (int64_t h = 0; h < heads; ++h) {
                    const int64_t i = b * heads + h, j = h / r;
                    const float* dSi = dS + i * T * S;
                    gemm(false, false, int(T), dh, int(S), scale, dSi, int(S),
                         K + b * S * ldk + j * dh, ldk, 0.f, dQ + b * T * ldq + h * dh, ldq);
                    gemm(true, false, int(S), dh, int(T), scale, dSi, int(S),
                         Q + b * T * ldq + h * dh, ldq, 1.f, dK + b * S * ldk + j * dh, ldk);
                    gemm(true, false, int(S), dh, int(T), 1.f, P + i * T * S, int(S),
                         dY + b * T * ldy + h * dh, ldy, 1.f, dV + b * S * ldv + j * dh, ldv);
                }
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
