// `qkvlab figures` on tiny trained runs: every figure in every format, the numbers beside them,
// the manifest; bad input exits 2 with one line.
#include <QtTest>

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSvgRenderer>
#include <QTemporaryDir>

#include <sstream>

#include "cli.h"
#include "data/dataset.h"
#include "test_helpers.h"
#include "train/trainer.h"

namespace {
struct CliRun {
    int code;
    std::string out, err;
};

CliRun run(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    const int code = qkvapp::runCli(args, out, err);
    return {code, out.str(), err.str()};
}

std::string trainTiny(const QTemporaryDir& dir, qkv::Variant v) {
    return qkvtest::trainTinyRun(dir, v);
}
}  // namespace

class TestCliFigures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void writesEveryFigure();
    void badInput();
};

void TestCliFigures::writesEveryFigure() {
    QTemporaryDir dir;
    const std::string a = trainTiny(dir, qkv::Variant::Qkv);
    const std::string b = trainTiny(dir, qkv::Variant::SharedQk);
    const QString out = dir.filePath("figures");
    const CliRun r = run({"figures", a, b, "--out", out.toStdString(), "--size", "single-column",
                          "--input", "1,2,3,4,5,6,7,8"});
    QVERIFY2(r.code == 0, r.err.c_str());
    for (const QString& name : QStringList{"training-curves", "attention-grid", "symmetry",
                                           "symmetry-training", "subspaces", "spectra"}) {
        for (const QString& ext : QStringList{"png", "pdf", "svg", "csv", "json"})
            QVERIFY2(QFileInfo::exists(out + "/" + name + "." + ext), qPrintable(name + "." + ext));
        const QImage png(out + "/" + name + ".png");
        QVERIFY(std::abs(png.width() - qRound(89 / 25.4 * 300)) <= 1);  // single column at 300 dpi
        QVERIFY(QSvgRenderer(out + "/" + name + ".svg").isValid());
    }
    // The symmetry CSV: Q=K-V's S − Sᵀ is exactly zero, QKV's is not.
    QFile csv(out + "/symmetry.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    double qkMax = 0, qkvMax = 0;
    for (const QByteArray& line : csv.readAll().split('\n')) {
        const QList<QByteArray> cells = line.split(',');
        if (cells.size() < 7 || cells[0] != "skew") continue;
        const double v = std::abs(cells[6].toDouble());
        (cells[1] == "Q=K-V" ? qkMax : qkvMax) = std::max(cells[1] == "Q=K-V" ? qkMax : qkvMax, v);
    }
    QCOMPARE(qkMax, 0.0);
    QVERIFY(qkvMax > 0);
    QFile manifest(out + "/manifest.json");
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const QJsonObject m = QJsonDocument::fromJson(manifest.readAll()).object();
    QCOMPARE(m.value("runs").toArray().size(), 2);
    QCOMPARE(m.value("figures").toArray().size(), 7);
    QVERIFY(!m.value("app_version").toString().isEmpty());
}

void TestCliFigures::badInput() {
    QTemporaryDir dir;
    const std::string a = trainTiny(dir, qkv::Variant::Qkv);
    const std::vector<std::vector<std::string>> cases = {
        {"figures", a},                                         // no --out
        {"figures", "--out", dir.filePath("x").toStdString()},  // no run
        {"figures", dir.path().toStdString(), "--out",
         dir.filePath("x").toStdString()},  // not a run
        {"figures", a, "--out", dir.filePath("x").toStdString(), "--formats", "png,gif"},
        {"figures", a, "--out", dir.filePath("x").toStdString(), "--size", "poster"},
        {"figures", a, "--out", dir.filePath("x").toStdString(), "--input",
         "1,2,3,4,5,6,7,8,9,10,11,12"},
    };
    for (const auto& args : cases) {
        const CliRun r = run(args);
        QVERIFY2(r.code == 2, r.err.c_str());
        QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), 1L);
    }
}

QTEST_MAIN(TestCliFigures)
#include "tst_cli_figures.moc"
