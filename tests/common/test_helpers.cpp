#include "test_helpers.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <zlib.h>

#include "data/dataset.h"
#include "train/trainer.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace qkvtest {

double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - double(b[i])));
    return m;
}

std::string writeBytes(const QTemporaryDir& dir, const QString& name, const std::string& bytes) {
    const QString path = QDir(dir.path()).filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) throw std::runtime_error("cannot write test file");
    f.write(bytes.data(), qint64(bytes.size()));
    return path.toStdString();
}

qkv::RunConfig tinyRunConfig(qkv::Variant variant, int steps, int evalEvery) {
    qkv::RunConfig r;
    r.name = qkv::variantId(variant);
    r.task.kind = qkv::TaskKind::Copy;
    r.task.seqLen = 8;
    r.task.validationSize = 16;
    r.model.variant = variant;
    r.model.dModel = 16;
    r.model.heads = 2;
    r.model.layers = 2;
    r.train.steps = steps;
    r.train.batch = 4;
    r.train.evalEvery = evalEvery;
    r.train.evalExamples = 16;
    r.train.warmupSteps = 1;
    return r;
}

std::string trainTinyRun(const QTemporaryDir& dir, qkv::Variant variant, int steps, int evalEvery) {
    qkv::RunConfig r = tinyRunConfig(variant, steps, evalEvery);
    auto data = qkv::makeDataset(r.task);
    data->configureModel(r.model);
    const std::string folder =
        QDir(dir.path()).filePath(QString::fromStdString(r.name)).toStdString();
    qkv::trainRun(r, *data, folder);
    return folder;
}

std::string gzip(const std::string& bytes) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out(deflateBound(&zs, uLong(bytes.size())) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs.avail_in = uInt(bytes.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

namespace {
QString requiredFolder(const QString& path, const char* what) {
    if (!QFileInfo(path).isDir())
        throw std::runtime_error(std::string(what) + " not found at " + path.toStdString());
    return path;
}
}  // namespace

QString pretrainedFixtures() {
    return requiredFolder(
        QDir(qEnvironmentVariable("QKVLAB_BINARY_DIR")).filePath("tests/fixtures/pretrained"),
        "the pretrained fixtures (run ctest, whose fixtures.pretrained writes them)");
}

QString sharedModels() {
    return requiredFolder(
        QDir(qEnvironmentVariable("QKVLAB_SOURCE_DIR")).filePath("../shared/models"),
        "../shared/models (the real models the tests hold QKV Lab against)");
}

QString tinyPublishedTable(const QTemporaryDir& dir) {
    const QString to = dir.filePath("tiny.json");
    QFile::copy(QDir(qEnvironmentVariable("QKVLAB_SOURCE_DIR")).filePath("tests/data/tiny-table.json"), to);
    return to;
}

QJsonObject readJsonObject(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read " + path.toStdString());
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    if (!doc.isObject()) throw std::runtime_error(path.toStdString() + " is not a JSON object");
    return doc.object();
}

void copyFolder(const QString& from, const QString& to) {
    QDir().mkpath(to);
    for (const QFileInfo& f : QDir(from).entryInfoList(QDir::Files))
        if (!QFile::copy(f.absoluteFilePath(), QDir(to).filePath(f.fileName())))
            throw std::runtime_error("cannot copy " + f.absoluteFilePath().toStdString());
}

}  // namespace qkvtest
