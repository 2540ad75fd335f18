// The measurements of docs/DESIGN.md §4 against closed forms and against a second, naive method
// written here: Gram–Schmidt for bases, one-sided Jacobi rotations for singular values.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

#include "analysis/metrics.h"

using namespace qkv;
using Eigen::MatrixXd;

namespace {

constexpr double kPi = 3.14159265358979323846;

MatrixXd gaussian(int rows, int cols, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n(0.0, 1.0);
    MatrixXd m(rows, cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) m(i, j) = n(rng);
    return m;
}

// Modified Gram–Schmidt, twice per column; columns that vanish (dependent) are dropped.
MatrixXd gramSchmidt(const MatrixXd& a) {
    std::vector<Eigen::VectorXd> basis;
    for (int j = 0; j < a.cols(); ++j) {
        Eigen::VectorXd v = a.col(j);
        const double original = v.norm();
        for (int pass = 0; pass < 2; ++pass)
            for (const auto& b : basis) v -= b.dot(v) * b;
        if (v.norm() > 1e-10 * original) basis.push_back(v / v.norm());
    }
    MatrixXd out(a.rows(), int(basis.size()));
    for (size_t j = 0; j < basis.size(); ++j) out.col(int(j)) = basis[j];
    return out;
}

// One-sided Jacobi (Hestenes): rotate column pairs until all are orthogonal; the singular
// values are then the column norms.
std::vector<double> jacobiSingularValues(MatrixXd a) {
    if (a.rows() < a.cols()) a.transposeInPlace();
    const int n = int(a.cols());
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0;
        for (int p = 0; p < n; ++p)
            for (int q = p + 1; q < n; ++q) {
                double alpha = 0, beta = 0, gamma = 0;
                for (int i = 0; i < a.rows(); ++i) {
                    alpha += a(i, p) * a(i, p);
                    beta += a(i, q) * a(i, q);
                    gamma += a(i, p) * a(i, q);
                }
                if (std::abs(gamma) <= 1e-15 * std::sqrt(alpha * beta)) continue;
                off = std::max(off, std::abs(gamma) / std::sqrt(alpha * beta));
                const double zeta = (beta - alpha) / (2 * gamma);
                const double t =
                    (zeta >= 0 ? 1.0 : -1.0) / (std::abs(zeta) + std::sqrt(1 + zeta * zeta));
                const double c = 1 / std::sqrt(1 + t * t), s = c * t;
                for (int i = 0; i < a.rows(); ++i) {
                    const double x = a(i, p), y = a(i, q);
                    a(i, p) = c * x - s * y;
                    a(i, q) = s * x + c * y;
                }
            }
        if (off < 1e-15) break;
    }
    std::vector<double> sv;
    for (int j = 0; j < n; ++j) sv.push_back(a.col(j).norm());
    std::sort(sv.begin(), sv.end(), std::greater<double>());
    return sv;
}

double maxRelDiff(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return INFINITY;
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(a[i] - b[i]) / std::max(1e-300, std::abs(b[0])));
    return m;
}

MatrixXd orthogonal(int n, uint64_t seed) {
    return gramSchmidt(gaussian(n, n, seed));
}

}  // namespace

class TestAnalysisMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void symmetry_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<double>("score");
        QTest::addColumn<double>("asymmetry");
        QTest::newRow("symmetric") << 0 << 1.0 << 0.0;
        QTest::newRow("skew") << 1 << -1.0 << 1.0;
        QTest::newRow("half and half") << 2 << 0.0 << 1.0 / std::sqrt(2.0);
    }
    void symmetry() {
        QFETCH(int, kind);
        QFETCH(double, score);
        QFETCH(double, asymmetry);
        const MatrixXd a = gaussian(9, 9, 7);
        MatrixXd sym = a + a.transpose(), skew = a - a.transpose();
        MatrixXd m = kind == 0   ? sym
                     : kind == 1 ? skew
                                 : MatrixXd(sym / sym.norm() + skew / skew.norm());
        const SymmetryMeasure s = symmetryOf(m);
        QVERIFY2(std::abs(s.symmetryScore - score) < 1e-12,
                 qPrintable(QString::number(s.symmetryScore)));
        QVERIFY2(std::abs(s.asymmetryIndex - asymmetry) < 1e-12,
                 qPrintable(QString::number(s.asymmetryIndex)));
        if (kind == 0) QCOMPARE(s.asymmetryIndex, 0.0);  // exactly, not nearly
    }

    void symmetryOfZeroIsUndefined() {
        QVERIFY(std::isnan(symmetryOf(MatrixXd::Zero(4, 4)).symmetryScore));
        QVERIFY(std::isnan(symmetryOf(gaussian(3, 4, 1)).asymmetryIndex));  // not square
    }

    void identityRanks_data() {
        QTest::addColumn<int>("n");
        QTest::newRow("1") << 1;
        QTest::newRow("10") << 10;
        QTest::newRow("64") << 64;
        QTest::newRow("200 (Gram route)") << 200;
    }
    void identityRanks() {
        QFETCH(int, n);
        const MatrixXd eye = MatrixXd::Identity(n, n);
        const Spectrum s =
            spectrumFromSingularValues(n > 64 ? singularValuesGram(eye) : singularValues(eye));
        QCOMPARE(int(s.singularValues.size()), n);
        QVERIFY(std::abs(s.effectiveRank - n) < 1e-9 * n);
        QVERIFY(std::abs(s.stableRank - n) < 1e-9 * n);
        QCOMPARE(s.rank99, int(std::ceil(0.99 * n - 1e-9)));
        QCOMPARE(s.rank90, int(std::ceil(0.9 * n - 1e-9)));
    }

    void rankOne() {
        const MatrixXd u = gaussian(30, 1, 3), v = gaussian(20, 1, 4);
        const Spectrum s = spectrumFromSingularValues(singularValues(u * v.transpose()));
        QVERIFY2(std::abs(s.effectiveRank - 1.0) < 1e-12,
                 qPrintable(QString::number(s.effectiveRank, 'g', 17)));
        QVERIFY(std::abs(s.stableRank - 1.0) < 1e-12);
        QCOMPARE(s.rank90, 1);
        QCOMPARE(s.rank99, 1);
        QVERIFY(std::abs(s.singularValues[0] - u.norm() * v.norm()) < 1e-12 * u.norm() * v.norm());
    }

    void knownSpectra_data() {
        QTest::addColumn<std::vector<double>>("sv");
        QTest::addColumn<double>("stable");
        QTest::addColumn<int>("r90");
        QTest::addColumn<int>("r99");
        QTest::newRow("3 2 1") << std::vector<double>{3, 2, 1} << 14.0 / 9.0 << 2 << 3;
        QTest::newRow("4 3") << std::vector<double>{4, 3} << 25.0 / 16.0 << 2 << 2;
        QTest::newRow("10 1 1 1") << std::vector<double>{10, 1, 1, 1} << 103.0 / 100.0 << 1 << 3;
    }
    void knownSpectra() {
        QFETCH(std::vector<double>, sv);
        QFETCH(double, stable);
        QFETCH(int, r90);
        QFETCH(int, r99);
        // Through a matrix with these singular values, in a random basis on each side.
        MatrixXd d = MatrixXd::Zero(6, 5);
        for (size_t i = 0; i < sv.size(); ++i) d(int(i), int(i)) = sv[i];
        const MatrixXd m = orthogonal(6, 11) * d * orthogonal(5, 12);
        const Spectrum s = spectrumFromSingularValues(singularValues(m));
        QVERIFY(std::abs(s.stableRank - stable) < 1e-12);
        QCOMPARE(s.rank90, r90);
        QCOMPARE(s.rank99, r99);
        double sum = 0, h = 0;
        for (double x : sv) sum += x;
        for (double x : sv) h -= x / sum * std::log(x / sum);
        QVERIFY(std::abs(s.effectiveRank - std::exp(h)) < 1e-9);
    }

    void singularValuesAgainstJacobi_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("method");  // 0 BDCSVD, 1 Gram, 2 product of thin factors
        for (int method = 0; method < 3; ++method) {
            const char* name[] = {"bdcsvd", "gram", "product"};
            QTest::newRow(qPrintable(QString("%1 12x7").arg(name[method]))) << 12 << 7 << method;
            QTest::newRow(qPrintable(QString("%1 40x40").arg(name[method]))) << 40 << 40 << method;
            QTest::newRow(qPrintable(QString("%1 30x90").arg(name[method]))) << 30 << 90 << method;
            QTest::newRow(qPrintable(QString("%1 128x128").arg(name[method])))
                << 128 << 128 << method;
        }
    }
    void singularValuesAgainstJacobi() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, method);
        const MatrixXd a = gaussian(rows, cols, uint64_t(rows * 1000 + cols));
        if (method == 2) {
            const int k = 5;
            const MatrixXd l = gaussian(rows, k, 21), r = gaussian(cols, k, 22);
            const std::vector<double> got = singularValuesOfProduct(l, r);
            std::vector<double> want = jacobiSingularValues(l * r.transpose());
            want.resize(got.size());
            QVERIFY2(maxRelDiff(got, want) < 1e-10,
                     qPrintable(QString::number(maxRelDiff(got, want))));
            return;
        }
        const std::vector<double> got = method == 0 ? singularValues(a) : singularValuesGram(a);
        const std::vector<double> want = jacobiSingularValues(a);
        QVERIFY2(maxRelDiff(got, want) < (method == 0 ? 1e-12 : 1e-9),
                 qPrintable(QString::number(maxRelDiff(got, want))));
    }

    void anglesOfSpaceWithItself() {
        const MatrixXd a = gaussian(20, 5, 31);
        const SubspaceOverlap same = subspaceOverlap(a, a);
        QCOMPARE(same.overlapMeanCos2, 1.0);
        QCOMPARE(int(same.principalAnglesDeg.size()), 5);
        for (double t : same.principalAnglesDeg) QCOMPARE(t, 0.0);
        // The same span through a different matrix: zero to rounding, thanks to the sine form.
        const SubspaceOverlap spanned = subspaceOverlap(a, a * gaussian(5, 5, 32));
        QVERIFY(std::abs(spanned.overlapMeanCos2 - 1.0) < 1e-12);
        for (double t : spanned.principalAnglesDeg)
            QVERIFY2(t < 1e-10, qPrintable(QString::number(t)));
    }

    // Two spaces that both fill R^T: overlap 1 exactly, never 1 + rounding (a mean of cos²).
    void overlapOfFullSpacesIsClampedToOne() {
        for (int seed = 40; seed < 80; ++seed) {
            const SubspaceOverlap o = subspaceOverlap(gaussian(4, 6, seed), gaussian(4, 6, seed + 100));
            QCOMPARE(o.dimA, 4);
            QVERIFY2(o.overlapMeanCos2 <= 1.0, qPrintable(QString::number(o.overlapMeanCos2, 'g', 17)));
            QVERIFY(o.overlapMeanCos2 > 1.0 - 1e-12);
        }
    }

    void orthogonalSpacesAre90Degrees() {
        const MatrixXd q = orthogonal(10, 41);
        const SubspaceOverlap o =
            subspaceOverlap(q.leftCols(3) * gaussian(3, 3, 42), q.middleCols(3, 4));
        QCOMPARE(int(o.principalAnglesDeg.size()), 3);
        QVERIFY(o.overlapMeanCos2 < 1e-24);
        for (double t : o.principalAnglesDeg) QVERIFY(std::abs(t - 90.0) < 1e-10);
    }

    void smallAnglesAreAccurate_data() {
        QTest::addColumn<double>("smallest");
        QTest::newRow("1e-6 rad") << 1e-6;
        QTest::newRow("1e-8 rad") << 1e-8;
        QTest::newRow("1e-3 rad") << 1e-3;
    }
    void smallAnglesAreAccurate() {
        QFETCH(double, smallest);
        // Span{e_i} vs span{cos t_i e_i + sin t_i e_{3+i}}, in a random rotation of R^10: the
        // principal angles are exactly t_i. arccos of their cosines would keep ~4 digits at 1e-6
        // and none at 1e-8 (cos t rounds to 1).
        const std::vector<double> t = {smallest, 10 * smallest, 0.7};
        MatrixXd a = MatrixXd::Zero(10, 3), b = MatrixXd::Zero(10, 3);
        for (int i = 0; i < 3; ++i) {
            a(i, i) = 1;
            b(i, i) = std::cos(t[size_t(i)]);
            b(3 + i, i) = std::sin(t[size_t(i)]);
        }
        const MatrixXd r = orthogonal(10, 51);
        const std::vector<double> got = principalAngles(r * a, r * b);
        QCOMPARE(int(got.size()), 3);
        for (int i = 0; i < 3; ++i)
            QVERIFY2(std::abs(got[size_t(i)] - t[size_t(i)]) < 1e-9 * t[size_t(i)] + 1e-15,
                     qPrintable(QString("angle %1: %2 vs %3")
                                    .arg(i)
                                    .arg(got[size_t(i)], 0, 'g', 17)
                                    .arg(t[size_t(i)])));
    }

    void anglesAgainstNaive_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("colsA");
        QTest::addColumn<int>("colsB");
        QTest::newRow("30: 5 vs 7") << 30 << 5 << 7;
        QTest::newRow("30: 7 vs 5") << 30 << 7 << 5;
        QTest::newRow("12: 6 vs 6") << 12 << 6 << 6;
        QTest::newRow("128: 32 vs 32") << 128 << 32 << 32;
    }
    void anglesAgainstNaive() {
        QFETCH(int, rows);
        QFETCH(int, colsA);
        QFETCH(int, colsB);
        const MatrixXd a = gaussian(rows, colsA, 61), b = gaussian(rows, colsB, 62);
        const SubspaceOverlap got = subspaceOverlap(a, b);
        const MatrixXd ua = gramSchmidt(a), ub = gramSchmidt(b);
        std::vector<double> cosines = jacobiSingularValues(ua.transpose() * ub);
        const int k = std::min(colsA, colsB);
        QCOMPARE(int(got.principalAnglesDeg.size()), k);
        double cos2 = 0;
        for (int i = 0; i < k; ++i) {
            const double want = std::acos(std::min(1.0, cosines[size_t(i)])) * 180 / kPi;
            QVERIFY2(
                std::abs(got.principalAnglesDeg[size_t(i)] - want) < 1e-8,
                qPrintable(QString("%1 vs %2").arg(got.principalAnglesDeg[size_t(i)]).arg(want)));
            cos2 += cosines[size_t(i)] * cosines[size_t(i)];
        }
        QVERIFY(std::abs(got.overlapMeanCos2 - cos2 / k) < 1e-12);
    }

    void basisOfRankDeficientMatrix() {
        const MatrixXd a = gaussian(20, 3, 71) * gaussian(3, 6, 72);  // rank 3
        const MatrixXd q = orthonormalBasis(a);
        QCOMPARE(int(q.cols()), 3);
        QVERIFY((q.transpose() * q - MatrixXd::Identity(3, 3)).norm() < 1e-12);
        // a's columns lie in the span: projecting leaves nothing.
        QVERIFY((a - q * (q.transpose() * a)).norm() < 1e-12 * a.norm());
        QCOMPARE(int(gramSchmidt(a).cols()), 3);
    }

    void ckaInvariances_data() {
        QTest::addColumn<double>("scale");
        QTest::newRow("rotation") << 1.0;
        QTest::newRow("rotation and scale 3.7") << 3.7;
        QTest::newRow("rotation and scale 1e-3") << 1e-3;
    }
    void ckaInvariances() {
        QFETCH(double, scale);
        const MatrixXd x = gaussian(50, 8, 81);
        const MatrixXd y = x * gaussian(8, 6, 82) + 0.5 * gaussian(50, 6, 83);
        const double base = linearCka(x, y);
        QVERIFY(base > 0.05 && base < 0.999);
        const double moved = linearCka(x * orthogonal(8, 84), scale * y * orthogonal(6, 85));
        QVERIFY2(std::abs(moved - base) < 1e-12,
                 qPrintable(QString("%1 vs %2").arg(moved).arg(base)));
        // Not invariant to a general linear map: the check can tell.
        QVERIFY(std::abs(linearCka(x * gaussian(8, 8, 86), y) - base) > 1e-4);
        QCOMPARE(linearCka(x, x), 1.0);
    }

    void ckaAgainstDefinition() {
        const MatrixXd x = gaussian(20, 4, 91), y = gaussian(20, 3, 92);
        // HSIC form with the centring matrix, written out.
        const MatrixXd hc = MatrixXd::Identity(20, 20) - MatrixXd::Constant(20, 20, 1.0 / 20);
        const MatrixXd kx = hc * x * x.transpose() * hc, ky = hc * y * y.transpose() * hc;
        const double want = (kx.cwiseProduct(ky)).sum() / (kx.norm() * ky.norm());
        QVERIFY(std::abs(linearCka(x, y) - want) < 1e-12);
    }

    void meanCosine() {
        const MatrixXd x = gaussian(10, 4, 101);
        QVERIFY(std::abs(qkv::meanCosine(x, 2.5 * x) - 1.0) < 1e-14);
        QVERIFY(std::abs(qkv::meanCosine(x, -x) + 1.0) < 1e-14);
        MatrixXd y = x;
        y.col(0).setZero();
        double want = 0;
        for (int i = 0; i < 10; ++i)
            want += x.row(i).dot(y.row(i)) / (x.row(i).norm() * y.row(i).norm());
        QVERIFY(std::abs(qkv::meanCosine(x, y) - want / 10) < 1e-14);
    }
};

QTEST_GUILESS_MAIN(TestAnalysisMetrics)
#include "tst_analysis_metrics.moc"
