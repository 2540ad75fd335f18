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

std::string trainTinySeed(const QTemporaryDir& dir, qkv::Variant v, int seed) {
    qkv::RunConfig r = qkvtest::tinyRunConfig(v, 6, 3);
    r.train.seed = seed;
    auto data = qkv::makeDataset(r.task);
    data->configureModel(r.model);
    const std::string folder =
        dir.filePath(QString::fromStdString(r.name) + QString("-seed%1").arg(seed)).toStdString();
    qkv::trainRun(r, *data, folder);
    return folder;
}
}  // namespace

class TestCliFigures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void writesEveryFigure();
    void seedsAreOneVariantWithTheirSpread();
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
    QCOMPARE(m.value("figures").toArray().size(), 8);
    QVERIFY(!m.value("app_version").toString().isEmpty());
}

// Three seeds of QKV and one of Q=K-V: the seeds figure has one QKV group of n 3 whose mean and
// std are those of its three values (checked here by the textbook formulas), and Q=K-V alone.
void TestCliFigures::seedsAreOneVariantWithTheirSpread() {
    QTemporaryDir dir;
    std::vector<std::string> args = {"figures"};
    for (int seed : {1, 2, 3}) args.push_back(trainTinySeed(dir, qkv::Variant::Qkv, seed));
    args.push_back(trainTinySeed(dir, qkv::Variant::SharedQk, 1));
    const QString out = dir.filePath("figures");
    for (const std::string& a : {std::string("--out"), out.toStdString(), std::string("--formats"),
                                 std::string("png"), std::string("--input"), std::string("1,2,3,4,5,6,7,8")})
        args.push_back(a);
    const CliRun r = run(args);
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY(QFileInfo::exists(out + "/seeds.png"));
    QFile csv(out + "/seeds.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    int rows = 0;
    for (const QByteArray& line : csv.readAll().split('\n')) {
        const QList<QByteArray> c = line.split(',');  // measure,variant,n,mean,std,runs,values
        if (c.size() != 7 || c[0] != "attention_entropy") continue;
        ++rows;
        if (c[1] == "QKV") {
            QCOMPARE(c[2], QByteArray("3"));
            QVERIFY(c[5].contains("QKV · seed 2"));
            const QList<QByteArray> values = c[6].split(';');
            QCOMPARE(values.size(), 3);
            double sum = 0, squares = 0;
            for (const QByteArray& v : values) sum += v.trimmed().toDouble();
            const double mean = sum / 3;
            for (const QByteArray& v : values) squares += std::pow(v.trimmed().toDouble() - mean, 2);
            QVERIFY(std::abs(c[3].toDouble() - mean) < 1e-9);
            QVERIFY(std::abs(c[4].toDouble() - std::sqrt(squares / 2)) < 1e-9);
            QVERIFY(c[4].toDouble() > 0);  // the seeds differ
        } else {
            QCOMPARE(c[1], QByteArray("Q=K-V"));
            QCOMPARE(c[2], QByteArray("1"));
            QVERIFY(c[4].isEmpty());  // no spread from one run
        }
    }
    QCOMPARE(rows, 2);
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
