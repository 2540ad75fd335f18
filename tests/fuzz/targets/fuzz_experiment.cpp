// Presets and experiment files (resources/presets/*.json, --experiment FILE).
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "fuzz_target.h"
#include "train/experiment.h"

QKV_FUZZ_TARGET(experiment) {
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(bytes));
    if (!doc.isObject()) return false;
    return qkv::fuzz::refusalAllowed([&] {
        const qkv::Experiment e = qkv::experimentFromJson(doc.object(), "fuzz");
        qkv::checkExperiment(e);
        qkv::toJson(e);
    });
}
