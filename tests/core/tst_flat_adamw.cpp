// FlatAdamW against LibTorch's own AdamW and clip_grad_norm_, run side by side on twin copies of
// the same parameters with the same gradients.
#include <QtTest>

#include "train/flat_adamw.h"

using namespace qkv;

namespace {

// Matrices (decayed) and vectors (not), like a Linear and a LayerNorm.
std::vector<torch::Tensor> makeParameters() {
    torch::manual_seed(5);
    return {torch::randn({6, 4}).requires_grad_(true), torch::randn({6}).requires_grad_(true),
            torch::randn({3, 6}).requires_grad_(true), torch::randn({3}).requires_grad_(true)};
}

std::vector<torch::Tensor> cloneParameters(const std::vector<torch::Tensor>& ps) {
    std::vector<torch::Tensor> out;
    for (const auto& p : ps) out.push_back(p.detach().clone().requires_grad_(true));
    return out;
}

// Gradients through backward, as training makes them: d/dp Σ p ⊙ G = G.
void backward(const std::vector<torch::Tensor>& ps, const std::vector<torch::Tensor>& grads) {
    auto loss = torch::zeros({});
    for (size_t i = 0; i < ps.size(); ++i) loss = loss + (ps[i] * grads[i]).sum();
    loss.backward();
}

}  // namespace

class TestFlatAdamW : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesTorchAdamW_data();
    void matchesTorchAdamW();
    void reattachesAfterGradientsAreReset();
};

void TestFlatAdamW::matchesTorchAdamW_data() {
    QTest::addColumn<double>("weightDecay");
    QTest::addColumn<double>("gradClip");
    QTest::addColumn<double>("gradScale");
    QTest::newRow("decay, clipped") << 0.1 << 1.0 << 5.0;  // norms far above the limit
    QTest::newRow("decay, under the limit") << 0.1 << 1e3 << 1.0;
    QTest::newRow("no decay, no clipping") << 0.0 << 0.0 << 1.0;
    QTest::newRow("mixed clipping") << 0.01 << 4.0 << 1.0;  // some steps above, some below
}

void TestFlatAdamW::matchesTorchAdamW() {
    QFETCH(double, weightDecay);
    QFETCH(double, gradClip);
    QFETCH(double, gradScale);
    TrainConfig config;
    config.weightDecay = weightDecay;
    config.beta1 = 0.85;
    config.beta2 = 0.98;
    const auto initial = makeParameters();
    auto flatParams = cloneParameters(initial), refParams = cloneParameters(initial);

    FlatAdamW flat(flatParams, config);
    auto opts = [&](double wd) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(1.0).betas({config.beta1, config.beta2}).weight_decay(wd));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<torch::Tensor>{refParams[0], refParams[2]}, opts(weightDecay));
    groups.emplace_back(std::vector<torch::Tensor>{refParams[1], refParams[3]}, opts(0.0));
    torch::optim::AdamW reference(groups, torch::optim::AdamWOptions(1.0));

    for (int step = 0; step < 12; ++step) {
        const double lr = 0.05 * (1.0 + 0.3 * std::sin(step));  // a schedule that moves
        std::vector<torch::Tensor> grads;
        for (const auto& p : initial)
            grads.push_back(torch::randn(p.sizes()) * gradScale * (1.0 + step % 3));

        flat.zeroGrad();
        backward(flatParams, grads);
        if (gradClip > 0) flat.clip(gradClip);
        flat.step(lr);

        for (auto& group : reference.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        reference.zero_grad();
        backward(refParams, grads);
        if (gradClip > 0) torch::nn::utils::clip_grad_norm_(refParams, gradClip);
        reference.step();
    }
    for (size_t i = 0; i < initial.size(); ++i) {
        const double moved = (refParams[i] - initial[i]).abs().max().item<double>();
        const double diff = (flatParams[i] - refParams[i]).abs().max().item<double>();
        QVERIFY2(moved > 1e-2, "the reference did not train");
        QVERIFY2(diff < 1e-5, qPrintable(QString("parameter %1: %2").arg(i).arg(diff)));
    }
}

// A caller that resets gradients to undefined (or loads new storage) must not leave the
// optimizer updating buffers the parameters no longer use.
void TestFlatAdamW::reattachesAfterGradientsAreReset() {
    TrainConfig config;
    config.weightDecay = 0;
    auto params = cloneParameters(makeParameters());
    FlatAdamW flat(params, config);
    for (auto& p : params) p.mutable_grad() = torch::Tensor();
    {
        torch::NoGradGuard noGrad;
        params[1].set_data(torch::full({6}, 2.0f));
    }
    const auto untouched = params[3].detach().clone();
    flat.zeroGrad();
    backward(params,
             {torch::zeros({6, 4}), torch::ones({6}), torch::zeros({3, 6}), torch::zeros({3})});
    flat.step(0.1);
    // Adam's first step moves each coordinate by lr against the gradient's sign.
    QVERIFY((params[1] - torch::full({6}, 1.9f)).abs().max().item<double>() < 1e-5);
    QVERIFY(torch::equal(params[3].detach(), untouched));  // zero gradient: no move
}

QTEST_GUILESS_MAIN(TestFlatAdamW)
#include "tst_flat_adamw.moc"
