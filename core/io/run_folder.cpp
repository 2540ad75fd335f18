#include "io/run_folder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <cstdio>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "io/json_fields.h"
#include "io/run_config_json.h"
#include "io/run_metrics_json.h"
#include "io/safetensors.h"
#include "pretrained/weight_files.h"
#include "pretrained/weight_loader.h"

namespace qkv {

namespace {
std::string join(const std::string& dir, const char* file) {
    return QDir(QString::fromStdString(dir)).filePath(file).toStdString();
}

std::string compact(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

QJsonObject readJsonObject(const std::string& path) {
    const std::string bytes = readFile(path);
    QJsonParseError err{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromStdString(bytes), &err);
    if (err.error != QJsonParseError::NoError)
        throw IoError(path + ": not valid JSON (" + err.errorString().toStdString() + " at byte " +
                      std::to_string(err.offset) + ")");
    if (!doc.isObject()) throw IoError(path + ": expected a JSON object");
    return doc.object();
}

void ensureFolder(const std::string& dir) {
    if (!QDir().mkpath(QString::fromStdString(dir)))
        throw IoError("cannot create the run folder '" + dir + "'");
}

// Written straight from the parameters' memory: a large model is never copied to be saved.
void writeWeights(const std::string& path, const RunConfig& run, const Model& model, int step) {
    writeSafetensorsFrom(path, model.parameterViews(),
                         {{"format", "qkvlab"},
                          {"variant", variantId(run.model.variant)},
                          {"arch", architectureId(run.model.arch)},
                          {"step", std::to_string(step)},
                          {"model", compact(toJson(run.model))}});
}

// Maps a weights file of `run` and converts it tensor by tensor into a fresh model (a large
// converted model is never held twice); IoError names the file.
Model loadWeightsFile(const RunFolder& run, const std::string& path) {
    WeightFiles files;
    files.addSafetensors(path);
    auto variant = files.metadata().find("variant");
    if (variant != files.metadata().end() && variant->second != variantId(run.config.model.variant))
        throw IoError(path + ": holds a '" + variant->second + "' model but config.json says '" +
                      variantId(run.config.model.variant) + "'");
    Model model = Model::uninitialised(run.config.model);
    std::vector<WeightRecipe> recipes;
    for (const std::string& name : model.parameterNames()) recipes.push_back({name, name});
    loadWeights(model, files, recipes, {}, path);
    return model;
}

const char* const kHistoryFolder = "checkpoints";

std::string historyFile(const std::string& dir, int step) {
    char name[48];
    std::snprintf(name, sizeof name, "step-%08d.safetensors", step);
    return QDir(QString::fromStdString(join(dir, kHistoryFolder))).filePath(name).toStdString();
}

void removeHistoryFile(const std::string& dir, int step) {
    const std::string path = historyFile(dir, step);
    if (!QFile::remove(QString::fromStdString(path)))
        throw IoError("cannot delete the old checkpoint " + path);
}
}  // namespace

void saveRunFolder(const std::string& dir, const RunConfig& run, const Model& model,
                   const TrainResult& result) {
    ensureFolder(dir);

    // Weights first: a config.json never points at weights that were not written.
    writeWeights(join(dir, "model.safetensors"), run, model, result.checkpointStep);
    writeFileAtomic(join(dir, "config.json"), QJsonDocument(toJson(run)).toJson().toStdString());
    saveRunMetrics(dir, result);
}

void saveConvertedRun(const std::string& dir, const RunConfig& run, const Model& model) {
    ensureFolder(dir);
    writeWeights(join(dir, "model.safetensors"), run, model, 0);
    writeFileAtomic(join(dir, "config.json"), QJsonDocument(toJson(run)).toJson().toStdString());
    QFile::remove(QString::fromStdString(join(dir, "metrics.json")));  // --overwrite of a run
    clearCheckpointHistory(dir);
}

void saveRunMetrics(const std::string& dir, const TrainResult& result) {
    ensureFolder(dir);
    writeFileAtomic(join(dir, "metrics.json"), QJsonDocument(toJson(result)).toJson().toStdString());
}

bool isRunFolder(const std::string& dir) {
    if (!QFileInfo(QString::fromStdString(join(dir, "config.json"))).isFile() ||
        !QFileInfo(QString::fromStdString(join(dir, "model.safetensors"))).isFile())
        return false;
    // A Hugging Face folder has the same two files; its config.json names a model_type.
    try {
        return !readJsonObject(join(dir, "config.json")).contains("model_type");
    } catch (const Error&) {
        return true;  // a damaged run folder is still one, and reading it says what is wrong
    }
}

RunFolder readRunFolder(const std::string& dir) {
    if (!QFileInfo(QString::fromStdString(dir)).isDir())
        throw IoError("'" + dir + "' is not a folder");
    if (!isRunFolder(dir))
        throw IoError("'" + dir + "' is not a run folder (it needs config.json and model.safetensors)");
    RunFolder r;
    r.path = dir;
    const std::string configPath = join(dir, "config.json");
    r.config = runConfigFromJson(readJsonObject(configPath), configPath);
    const std::string metricsPath = join(dir, "metrics.json");
    if (QFileInfo(QString::fromStdString(metricsPath)).isFile())
        r.result = resultFromJson(readJsonObject(metricsPath));
    return r;
}

Model loadRunModel(const RunFolder& run) {
    return loadWeightsFile(run, join(run.path, "model.safetensors"));
}

void saveCheckpointHistory(const std::string& dir, const RunConfig& run, const Model& model,
                           int step) {
    ensureFolder(join(dir, kHistoryFolder));
    writeWeights(historyFile(dir, step), run, model, step);
    thinCheckpointHistory(dir);
}

void thinCheckpointHistory(const std::string& dir, int maxFiles) {
    std::vector<int> steps = checkpointSteps(dir);
    // Fewer than 3 files have no intermediate one to delete.
    while (int(steps.size()) > std::max(maxFiles, 2)) {
        std::vector<int> kept;
        for (size_t i = 0; i < steps.size(); ++i) {
            if (i % 2 == 0 || i + 1 == steps.size())
                kept.push_back(steps[i]);
            else
                removeHistoryFile(dir, steps[i]);
        }
        steps = kept;
    }
}

void clearCheckpointHistory(const std::string& dir) {
    for (int step : checkpointSteps(dir)) removeHistoryFile(dir, step);
}

std::vector<int> checkpointSteps(const std::string& runDir) {
    static const QRegularExpression name("^step-(\\d{8,9})\\.safetensors$");
    const QDir history(QString::fromStdString(join(runDir, kHistoryFolder)));
    std::vector<int> steps;
    if (!history.exists()) return steps;
    for (const QString& file : history.entryList(QDir::Files)) {
        const QRegularExpressionMatch m = name.match(file);
        if (m.hasMatch()) steps.push_back(m.captured(1).toInt());
    }
    std::sort(steps.begin(), steps.end());
    return steps;
}

Model loadCheckpointModel(const RunFolder& run, int step) {
    const std::string path = historyFile(run.path, step);
    if (!QFileInfo(QString::fromStdString(path)).isFile())
        throw IoError(run.path + ": no checkpoint of step " + std::to_string(step) +
                      " (expected " + path + ")");
    return loadWeightsFile(run, path);
}

}  // namespace qkv
