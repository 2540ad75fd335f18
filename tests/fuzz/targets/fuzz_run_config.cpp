// config.json of a run folder, read the way a run folder is opened (older formats included).
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "fuzz_target.h"
#include "io/run_config_json.h"
#include "train/train_config.h"

QKV_FUZZ_TARGET(run_config) {
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(bytes));
    if (!doc.isObject()) return false;
    const bool accepted = qkv::fuzz::refusalAllowed([&] {
        const qkv::RunConfig config = qkv::runConfigFromJson(doc.object(), "fuzz");
        // What was read must write back: the window saves what it opened.
        qkv::toJson(config);
    });
    qkv::fuzz::refusalAllowed([&] {
        qkv::ModelConfig model;
        qkv::readJson(doc.object().value("model").toObject(), model, "fuzz", true);
        qkv::validate(model);
    });
    return accepted;
}
