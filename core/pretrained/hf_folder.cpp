#include "pretrained/hf_folder.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "pretrained/shard_index.h"

namespace qkv {

namespace {
std::string inDir(const std::string& dir, const QString& name) {
    return QDir(QString::fromStdString(dir)).filePath(name).toStdString();
}
bool exists(const std::string& path) {
    return QFileInfo(QString::fromStdString(path)).isFile();
}
}  // namespace

bool isHuggingFaceFolder(const std::string& dir) {
    const std::string config = inDir(dir, "config.json");
    if (!exists(config)) return false;
    try {
        const QJsonDocument doc =
            QJsonDocument::fromJson(QByteArray::fromStdString(readFile(config)));
        return doc.isObject() && doc.object().contains("model_type");
    } catch (const Error&) {
        return false;
    }
}

HfModelInfo readHfConfig(const std::string& dir) {
    const std::string path = inDir(dir, "config.json");
    return parseHfConfig(readFile(path), path);
}

WeightFiles openHfWeights(const std::string& dir) {
    WeightFiles files;
    const std::string single = inDir(dir, "model.safetensors"),
                      index = inDir(dir, "model.safetensors.index.json");
    if (exists(single)) {
        files.addSafetensors(single);
        return files;
    }
    if (!exists(index)) {
        if (exists(inDir(dir, "pytorch_model.bin")))
            throw IoError(dir +
                          ": holds only pytorch_model.bin (pickled weights, which could run "
                          "code); QKV Lab reads model.safetensors");
        throw IoError(dir + ": no model.safetensors or model.safetensors.index.json");
    }
    const ShardIndex shardIndex = parseShardIndex(readFile(index), index);
    for (const std::string& shard : shardIndex.shards) {
        const std::string path = inDir(dir, QString::fromStdString(shard));
        if (!exists(path))
            throw IoError(index + ": shard '" + shard + "' is missing from the folder");
        files.addSafetensors(path);
    }
    for (const auto& [tensor, shard] : shardIndex.shardOf) {
        const SourceTensor* t = files.find(tensor);
        if (!t || QFileInfo(QString::fromStdString(t->file->path())).fileName().toStdString() !=
                      shard)
            throw IoError(index + ": tensor '" + tensor + "' is not in shard '" + shard + "'");
    }
    return files;
}

}  // namespace qkv
