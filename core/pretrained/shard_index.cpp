#include "pretrained/shard_index.h"

#include <QJsonDocument>
#include <QJsonObject>

#include "common/errors.h"

namespace qkv {

ShardIndex parseShardIndex(const std::string& json, const std::string& source) {
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw IoError(source + ": not a JSON object (" + err.errorString().toStdString() + ")");
    const QJsonObject map = doc.object().value("weight_map").toObject();
    if (map.isEmpty()) throw IoError(source + ": no \"weight_map\"");
    ShardIndex index;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString shard = it.value().toString();
        // A shard is opened relative to the model's folder: a path would reach outside it.
        if (shard.isEmpty() || shard.contains('/') || shard.contains('\\') || shard.startsWith('.'))
            throw IoError(source + ": tensor '" + it.key().toStdString() +
                          "' names no shard file in the folder");
        index.shardOf[it.key().toStdString()] = shard.toStdString();
        index.shards.insert(shard.toStdString());
    }
    return index;
}

}  // namespace qkv
