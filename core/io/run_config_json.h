#pragma once
// RunConfig ⇄ JSON, the content of config.json and of presets.

#include <QJsonObject>

#include <string>

#include "train/train_config.h"

namespace qkv {

QJsonObject toJson(const ModelConfig& c);
QJsonObject toJson(const TaskConfig& c);
QJsonObject toJson(const TrainConfig& c);
QJsonObject toJson(const RunConfig& c);  // with "format" and "app_version"

// Each reads over the values already in `c` (defaults or a preset's), strictly: unknown fields,
// wrong types and unknown names are ConfigErrors naming the field and `where`.
// `runFolder`: a run's config.json, whose missing fields mean the definitions it was trained
// with (relative positional bias, identity-q at 1/√d_h, mlp-q with biases); elsewhere (presets)
// missing fields take today's defaults.
void readJson(const QJsonObject& o, ModelConfig& c, const std::string& where, bool runFolder = false);
void readJson(const QJsonObject& o, TaskConfig& c, const std::string& where);
void readJson(const QJsonObject& o, TrainConfig& c, const std::string& where);
RunConfig runConfigFromJson(const QJsonObject& o, const std::string& where);

}  // namespace qkv
