// Run folders written by QKV Lab before the pretrained-model work (commit 4c232c4) still load and
// give bit-identical outputs. tests/data/legacy_runs holds the folders that version wrote and
// the logits it computed on fixed inputs (raw little-endian float32, <name>.logits), with the
// OpenBLAS kernels it ran on (blas_coretype.txt). On those kernels the outputs must be the same
// bits; on another CPU the BLAS sums in another order, so they must agree to float rounding.
#include <QDir>
#include <QtTest>

#include <cstring>

#include "io/atomic_file.h"
#include "io/run_folder.h"
#include "model/model.h"
#include "model/transformer.h"

using namespace qkv;

namespace {

QString legacyDir() {
    return QDir(qEnvironmentVariable("QKVLAB_SOURCE_DIR")).filePath("tests/data/legacy_runs");
}

// The same fixed input for every run: token ids cycling through the vocabulary, or an image
// whose pixels ramp from 0 to 1.
torch::Tensor fixedInput(const ModelConfig& c) {
    if (c.arch == Architecture::Vit)
        return torch::linspace(0, 1, c.imageSize * c.imageSize).view({1, c.imageSize, c.imageSize});
    const int64_t T = c.context;
    return (torch::arange(T, torch::kInt64) * 3 % c.vocab).view({1, T});
}

std::string logitsBytes(const Model& model) {
    torch::NoGradGuard noGrad;
    model.module()->eval();
    auto logits = model.module()->forward(fixedInput(model.config())).contiguous();
    return std::string(static_cast<const char*>(logits.data_ptr()),
                       size_t(logits.numel()) * sizeof(float));
}

}  // namespace

class TestLegacyRuns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void loadsBitIdentical_data() {
        QTest::addColumn<QString>("name");
        const QStringList names = QDir(legacyDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY2(names.size() >= 7, "tests/data/legacy_runs is missing");
        for (const QString& n : names) QTest::newRow(qPrintable(n)) << n;
    }

    void loadsBitIdentical() {
        QFETCH(QString, name);
        const std::string dir = QDir(legacyDir()).filePath(name).toStdString();
        const RunFolder run = readRunFolder(dir);
        const Model model = loadRunModel(run);
        const std::string actual = logitsBytes(model);
        const QString expectedPath = legacyDir() + "/" + name + ".logits";
        if (qEnvironmentVariableIsSet("QKVLAB_WRITE_LEGACY_LOGITS")) {
            writeFileAtomic(expectedPath.toStdString(), actual);
            QSKIP("reference logits written");
        }
        const std::string expected = readFile(expectedPath.toStdString());
        QCOMPARE(actual.size(), expected.size());
        const std::string recordedCore = readFile(legacyDir().toStdString() + "/blas_coretype.txt");
        if (qEnvironmentVariable("OPENBLAS_CORETYPE").toStdString() == recordedCore) {
            QVERIFY2(std::memcmp(actual.data(), expected.data(), actual.size()) == 0,
                     "logits differ from the ones the earlier version computed");
            return;
        }
        std::vector<float> a(actual.size() / 4), e(a.size());
        std::memcpy(a.data(), actual.data(), actual.size());
        std::memcpy(e.data(), expected.data(), expected.size());
        float scale = 0, diff = 0;
        for (size_t i = 0; i < a.size(); ++i)
            scale = std::max(scale, std::abs(e[i])), diff = std::max(diff, std::abs(a[i] - e[i]));
        QVERIFY2(diff <= 1e-5f * std::max(scale, 1.0f), qPrintable(QString::number(diff)));
    }
};

QTEST_GUILESS_MAIN(TestLegacyRuns)
#include "tst_legacy_runs.moc"
