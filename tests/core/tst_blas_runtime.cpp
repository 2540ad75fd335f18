// Which BLAS LibTorch runs on, and what the user is told about it.
#include <QtTest>

#include <cstdlib>

#include "runtime/blas_runtime.h"

using namespace qkv;

class TestBlasRuntime : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void warnsAboutTheReferenceBlas();
    void warnsAboutGenericOpenblasKernels();
    void detectsTheBlasOfThisProcess();
    void sgemmIsMeasured();
};

void TestBlasRuntime::warnsAboutTheReferenceBlas() {
    BlasInfo info;
    info.library = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";
    info.reference = true;
    const std::string w = blasWarning(info);
    QVERIFY(w.find("reference BLAS") != std::string::npos);
    QVERIFY(w.find("libopenblas0-pthread") != std::string::npos);  // the fix, not just the problem
}

void TestBlasRuntime::warnsAboutGenericOpenblasKernels() {
    BlasInfo info;
    info.openblasCore = "Prescott";
    const QByteArray saved = qgetenv("OPENBLAS_CORETYPE");
    qunsetenv("OPENBLAS_CORETYPE");
    QVERIFY(blasWarning(info).find("OPENBLAS_CORETYPE") != std::string::npos);
    info.openblasCore = "SkylakeX";
    QVERIFY(blasWarning(info).empty());
    if (!saved.isEmpty()) qputenv("OPENBLAS_CORETYPE", saved);
}

void TestBlasRuntime::detectsTheBlasOfThisProcess() {
    const BlasInfo info = detectBlas();
    QVERIFY2(!info.library.empty() || !info.openblasCore.empty(), "no BLAS found in this process");
    if (qEnvironmentVariableIsSet("OPENBLAS_CORETYPE") && !info.openblasCore.empty())
        QCOMPARE(QString::fromStdString(info.openblasCore).toLower(),
                 qEnvironmentVariable("OPENBLAS_CORETYPE").toLower());
    QVERIFY(describeBlas(info).find("torch thread") != std::string::npos);
}

void TestBlasRuntime::sgemmIsMeasured() {
    const double gflops = measureSgemmGflops(128, 0.05);
    QVERIFY2(gflops > 0.1 && gflops < 1e5, qPrintable(QString::number(gflops)));
}

QTEST_GUILESS_MAIN(TestBlasRuntime)
#include "tst_blas_runtime.moc"
