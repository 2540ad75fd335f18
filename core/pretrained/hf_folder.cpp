#include "pretrained/hf_folder.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <set>

#include "common/errors.h"
#include "io/atomic_file.h"

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
    QJsonParseError err{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromStdString(readFile(index)), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw IoError(index + ": not a JSON object (" + err.errorString().toStdString() + ")");
    const QJsonObject map = doc.object().value("weight_map").toObject();
    if (map.isEmpty()) throw IoError(index + ": no \"weight_map\"");
    std::set<std::string> shards;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString shard = it.value().toString();
        if (shard.isEmpty() || shard.contains('/') || shard.contains('\\') || shard.startsWith('.'))
            throw IoError(index + ": tensor '" + it.key().toStdString() +
                          "' names no shard file in the folder");
        shards.insert(shard.toStdString());
    }
    for (const std::string& shard : shards) {
        const std::string path = inDir(dir, QString::fromStdString(shard));
        if (!exists(path))
            throw IoError(index + ": shard '" + shard + "' is missing from the folder");
        files.addSafetensors(path);
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        const SourceTensor* t = files.find(it.key().toStdString());
        if (!t ||
            QFileInfo(QString::fromStdString(t->file->path())).fileName() != it.value().toString())
            throw IoError(index + ": tensor '" + it.key().toStdString() + "' is not in shard '" +
                          it.value().toString().toStdString() + "'");
    }
    return files;
}

}  // namespace qkv
