#pragma once
// metrics.json of a run folder: the curve, the final metrics and how training ended.

#include <QJsonObject>

#include <string>

#include "train/train_config.h"

namespace qkv {

QJsonObject toJson(const TrainResult& r);
// Lenient on purpose: a field that is missing or of another type keeps its default, so a
// metrics.json from another version (or a half-known writer) still shows what it can.
TrainResult resultFromJson(const QJsonObject& o);
// Parses bytes; IoError naming `source` when they are not a JSON object.
TrainResult parseRunMetrics(const std::string& bytes, const std::string& source);

}  // namespace qkv
