// The weights-alone half of a layer's analysis: bilinear forms, OV circuits, projection
// spectra and the column-space overlaps of W_Q,h, W_K,h, W_V,h.
#include "analysis/analysis_parts.h"

#include "model/transformer.h"

namespace qkv {

namespace {

// A Linear's weight (out, in) as the d_in × d_out matrix W of y = x W.
Eigen::MatrixXd asRowVectorMap(const Linear& l) {
    auto t = l->weight.detach().to(torch::kFloat64).contiguous();
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    return Eigen::Map<const RowMajor>(t.data_ptr<double>(), t.size(0), t.size(1)).transpose();
}

// One head's slice W = Q R (thin QR, R k×k), shared by its spectrum, its basis and the
// spectra of products: σ(W) = σ(R) and σ(A Bᵀ) = σ(R_A R_Bᵀ), since Q_A, Q_B have orthonormal
// columns. k×k values through their Gram eigenvalues (see singularValuesGram).
struct HeadFactor {
    Eigen::MatrixXd matrix, r;
    Eigen::MatrixXd basis;  // orthonormal basis of the column space (rank-revealing)
    std::vector<double> sv;
};

HeadFactor factor(Eigen::MatrixXd m, bool needBasis = true) {
    HeadFactor f;
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(m);
    const Eigen::Index k = std::min(m.rows(), m.cols());
    f.r = qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
    f.sv = singularValuesGram(f.r);
    if (needBasis) f.basis = orthonormalBasis(m);
    f.matrix = std::move(m);
    return f;
}

const std::vector<double>& values(const HeadFactor& f) {
    return f.sv;
}

std::vector<double> productValues(const HeadFactor& a, const HeadFactor& b) {
    return singularValuesGram(a.r * b.r.transpose());
}

// Symmetry of M = A Bᵀ from k×k products: ‖M‖² = tr(AᵀA BᵀB), ⟨M, Mᵀ⟩ = tr((BᵀA)²). When A and
// B are the same matrix the two traces are the same sums, so Q = K gives exactly 0.
SymmetryMeasure productSymmetry(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    const Eigen::MatrixXd ga = a.transpose() * a, gb = b.transpose() * b, c = b.transpose() * a;
    const double normSq = ga.cwiseProduct(gb.transpose()).sum();
    const double inner = c.cwiseProduct(c.transpose()).sum();
    SymmetryMeasure s;
    if (!(normSq > 0)) return s;
    s.symmetryScore = inner / normSq;
    s.asymmetryIndex = std::sqrt(std::max(0.0, 2.0 * (normSq - inner))) / (2.0 * std::sqrt(normSq));
    return s;
}

OverlapResult overlap(const HeadFactor& a, const HeadFactor& b, const std::string& fixed) {
    OverlapResult r;
    r.present = true;
    r.fixedByVariant = fixed;
    if (a.matrix == b.matrix) {  // the same space: exact, not rounding noise
        r.value.dimA = r.value.dimB = int(a.basis.cols());
        r.value.principalAnglesDeg.assign(size_t(a.basis.cols()), 0.0);
        r.value.overlapMeanCos2 = a.basis.cols() ? 1.0 : kNoValue;
    } else {
        r.value = overlapOfBases(a.basis, b.basis);
    }
    return r;
}

const char* kNonlinearQuery =
    "mlp-q: the query map Q = (X + f(X))/2 is nonlinear, so there is no W_Q matrix";

}  // namespace

std::vector<double> singularValuesAuto(const Eigen::MatrixXd& m) {
    return std::min(m.rows(), m.cols()) > 64 ? singularValuesGram(m) : singularValues(m);
}

SpectrumResult presentSpectrum(std::vector<double> sv, std::string fixedByVariant) {
    SpectrumResult r;
    r.present = true;
    r.fixedByVariant = std::move(fixedByVariant);
    r.value = spectrumFromSingularValues(std::move(sv));
    return r;
}

LayerWeights extractLayerWeights(const Model& model, int layer) {
    torch::NoGradGuard noGrad;
    const ModelConfig& c = model.config();
    auto& attn = *model.module()->blocks[size_t(layer)]->as<BlockImpl>()->attn;
    LayerWeights w;
    w.wk = asRowVectorMap(attn.k);
    w.wv = attn.v ? asRowVectorMap(attn.v) : w.wk;
    w.wo = asRowVectorMap(attn.o);
    if (attn.q && c.variant == Variant::ResidualQ)  // Q = X (I + W_Q)
        w.wq = Eigen::MatrixXd::Identity(c.dModel, c.dModel) + asRowVectorMap(attn.q);
    else if (attn.q)
        w.wq = asRowVectorMap(attn.q);
    else if (c.variant == Variant::IdentityQ)
        w.wq = Eigen::MatrixXd::Identity(c.dModel, c.dModel);
    else if (queryIsKey(c.variant))
        w.wq = w.wk;
    return w;
}

void analyzeLayerWeights(const ModelConfig& c, const LayerWeights& w, bool keepBilinearForms,
                         LayerAnalysis& out) {
    const int H = c.heads, g = c.kvHeadCount(), dh = c.headDim(), group = H / g;
    const Variant v = c.variant;
    const bool hasQ = w.wq.size() > 0;
    const std::string qFixed = v == Variant::IdentityQ ? "W_Q = I (identity-q)"
                               : v == Variant::ResidualQ ? "the query map is I + W_Q (residual-q)"
                               : queryIsKey(v)         ? "W_Q = W_K (Q = K)"
                                                       : "";
    const std::string vFixed = valueIsKey(v) ? "W_V = W_K (V = K)" : "";

    // Whole projections. Shared matrices reuse the spectrum they share.
    out.wK = presentSpectrum(singularValuesAuto(w.wk));
    out.wV = valueIsKey(v) ? out.wK : presentSpectrum(singularValuesAuto(w.wv));
    out.wV.fixedByVariant = vFixed;
    out.wO = presentSpectrum(singularValuesAuto(w.wo));
    if (!hasQ)
        out.wQ = absent<SpectrumResult>(kNonlinearQuery);
    else if (v == Variant::IdentityQ)
        out.wQ = presentSpectrum(std::vector<double>(size_t(c.dModel), 1.0), qFixed);
    else if (queryIsKey(v))
        out.wQ = out.wK, out.wQ.fixedByVariant = qFixed;
    else
        out.wQ = presentSpectrum(singularValuesAuto(w.wq));

    std::vector<HeadFactor> keys, vals;
    std::vector<OverlapResult> kvOverlap;  // per KV head: the query heads of a group share it
    for (int j = 0; j < g; ++j) {
        keys.push_back(factor(w.wk.middleCols(j * dh, dh)));
        vals.push_back(valueIsKey(v) ? keys.back() : factor(w.wv.middleCols(j * dh, dh)));
        kvOverlap.push_back(
            overlap(keys.back(), vals.back(), valueIsKey(v) ? "V = K: the same space" : ""));
    }
    for (int h = 0; h < H; ++h) {
        HeadAnalysis& r = out.heads[size_t(h)];
        const int j = h / group;
        const HeadFactor &fk = keys[size_t(j)], &fv = vals[size_t(j)];
        const HeadFactor fo = factor(w.wo.middleRows(h * dh, dh).transpose(), false);  // d × d_h

        r.wK = presentSpectrum(values(fk));
        r.wV = presentSpectrum(values(fv), vFixed);
        r.wO = presentSpectrum(values(fo));
        r.ovSpectrum = presentSpectrum(productValues(fv, fo));
        r.kvWeights = kvOverlap[size_t(j)];
        if (!hasQ) {
            r.wQ = absent<SpectrumResult>(kNonlinearQuery);
            r.bilinearSymmetry = absent<SymmetryResult>(kNonlinearQuery);
            r.bilinearSpectrum = absent<SpectrumResult>(kNonlinearQuery);
            r.qkWeights = absent<OverlapResult>(kNonlinearQuery);
            r.qvWeights = absent<OverlapResult>(kNonlinearQuery);
            continue;
        }
        const HeadFactor fq = queryIsKey(v) ? fk : factor(w.wq.middleCols(h * dh, dh));
        r.wQ = presentSpectrum(values(fq), qFixed);
        r.bilinearSpectrum = presentSpectrum(productValues(fq, fk));
        r.bilinearSymmetry.present = true;
        r.bilinearSymmetry.value = productSymmetry(fq.matrix, fk.matrix);
        if (queryIsKey(v)) r.bilinearSymmetry.fixedByVariant = "Q = K: W_K,h W_K,hᵀ is symmetric";
        if (keepBilinearForms) r.bilinearForm = (fq.matrix * fk.matrix.transpose()).cast<float>();
        r.qkWeights = overlap(fq, fk, queryIsKey(v) ? "Q = K: the same space" : "");
        r.qvWeights = overlap(fq, fv, v == Variant::Single ? "Q = K = V: the same space" : "");
    }
}

}  // namespace qkv
