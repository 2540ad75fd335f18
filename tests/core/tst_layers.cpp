// The small modules blocks are built from: the one-row gemv route of linear() against
// torch::nn::functional::linear, RMSNorm and LayerNorm against their formulas, SwiGLU's MLP.
#include <QtTest>

#include "model/layers.h"

using namespace qkv;

class TestLayers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void linearRowsByGemv_data() {
        QTest::addColumn<QList<int>>("shape");
        QTest::addColumn<bool>("bias");
        for (bool bias : {true, false}) {
            QTest::newRow(bias ? "(1,1,in) bias" : "(1,1,in)") << QList<int>{1, 1, 48} << bias;
            QTest::newRow(bias ? "(in) bias" : "(in)") << QList<int>{48} << bias;
            QTest::newRow(bias ? "(2,3,in) bias: gemm" : "(2,3,in): gemm")
                << QList<int>{2, 3, 48} << bias;
        }
    }
    // With the guard, one row goes through gemv: the same values to rounding, the same shape;
    // without it (and for several rows) the bits of torch's linear.
    void linearRowsByGemv() {
        QFETCH(QList<int>, shape);
        QFETCH(bool, bias);
        torch::manual_seed(3);
        const auto w = torch::randn({37, 48}), b = bias ? torch::randn({37}) : torch::Tensor();
        const auto x = torch::randn(std::vector<int64_t>(shape.begin(), shape.end()));
        const auto reference = torch::nn::functional::linear(x, w, b);
        QVERIFY(torch::equal(linear(x, w, b), reference));
        QVERIFY(!RowsByGemv::active());
        const RowsByGemv guard;
        QVERIFY(RowsByGemv::active());
        const auto viaGemv = linear(x, w, b);
        QCOMPARE(viaGemv.sizes().vec(), reference.sizes().vec());
        QVERIFY((viaGemv - reference).abs().max().item<double>() < 1e-5);
    }

    void norms() {
        torch::manual_seed(5);
        const auto x = torch::randn({3, 16}) * 3 + 1;
        Norm rms(16, NormKind::RmsNorm, 1e-5), ln(16, NormKind::LayerNorm, 1e-5);
        {
            torch::NoGradGuard g;
            rms->weight.uniform_(0.5, 1.5);
            ln->weight.uniform_(0.5, 1.5);
            ln->bias.uniform_(-1, 1);
        }
        for (int64_t r = 0; r < 3; ++r) {
            double ms = 0, mean = 0, var = 0;
            for (int64_t i = 0; i < 16; ++i)
                ms += x[r][i].item<double>() * x[r][i].item<double>(),
                    mean += x[r][i].item<double>();
            ms /= 16, mean /= 16;
            for (int64_t i = 0; i < 16; ++i) var += std::pow(x[r][i].item<double>() - mean, 2) / 16;
            const auto yr = rms(x), yl = ln(x);
            for (int64_t i = 0; i < 16; ++i) {
                const double xi = x[r][i].item<double>();
                QVERIFY(std::abs(yr[r][i].item<double>() -
                                 xi / std::sqrt(ms + 1e-5) * rms->weight[i].item<double>()) < 1e-5);
                QVERIFY(std::abs(yl[r][i].item<double>() - ((xi - mean) / std::sqrt(var + 1e-5) *
                                                                ln->weight[i].item<double>() +
                                                            ln->bias[i].item<double>())) < 1e-4);
            }
        }
        QVERIFY(ln->bias.defined());
        QVERIFY(!rms->bias.defined());  // RMSNorm has a gain only
    }

    // down(SiLU(gate x) ⊙ up x), no biases, width from the config.
    void swiGlu() {
        ModelConfig c;
        c.dModel = 8;
        c.mlp = MlpKind::SwiGlu;
        c.mlpHidden = 12;
        c.mlpBias = false;
        Mlp mlp(c);
        torch::manual_seed(7);
        torch::NoGradGuard g;
        for (auto& p : mlp->parameters()) p.normal_(0, 0.5);
        QCOMPARE(mlp->parameters().size(), size_t(3));
        const auto x = torch::randn({2, 8});
        const auto gate = x.matmul(mlp->gate->weight.t()), up = x.matmul(mlp->up->weight.t());
        const auto expected = (gate * torch::sigmoid(gate) * up).matmul(mlp->down->weight.t());
        QVERIFY((mlp(x) - expected).abs().max().item<double>() < 1e-5);
    }
};

QTEST_GUILESS_MAIN(TestLayers)
#include "tst_layers.moc"
