#include "test_helpers.h"

#include <QDir>
#include <QFile>

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

}  // namespace qkvtest
