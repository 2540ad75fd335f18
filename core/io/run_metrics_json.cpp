#include "io/run_metrics_json.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "common/errors.h"
#include "io/json_fields.h"

namespace qkv {

namespace {
QJsonObject toJson(const EvalMetrics& m) {
    return {{"loss", numberOrNull(m.loss)},
            {"accuracy", numberOrNull(m.accuracy)},
            {"perplexity", numberOrNull(m.perplexity)}};
}

EvalMetrics metricsFromJson(const QJsonObject& o) {
    return {numberOrNaN(o.value("loss")), numberOrNaN(o.value("accuracy")),
            numberOrNaN(o.value("perplexity"))};
}

}  // namespace

QJsonObject toJson(const TrainResult& r) {
    QJsonArray curve;
    for (const CurvePoint& p : r.curve)
        curve.append(QJsonObject{{"step", p.step},
                                 {"train_loss", numberOrNull(p.trainLoss)},
                                 {"validation", toJson(p.validation)},
                                 {"lr", p.learningRate},
                                 {"elapsed_s", p.elapsedSeconds}});
    QJsonArray trainLog;
    for (const TrainLogPoint& p : r.trainLog) trainLog.append(QJsonArray{p.step, p.loss});
    return {{"status", QString::fromStdString(statusId(r.status))},
            {"message", QString::fromStdString(r.message)},
            {"steps_done", r.stepsDone},
            {"checkpoint_step", r.checkpointStep},
            {"seconds", r.seconds},
            {"final", toJson(r.final)},
            {"curve", curve},
            {"train_log", trainLog}};
}

TrainResult resultFromJson(const QJsonObject& o) {
    TrainResult r;
    const QString status = o.value("status").toString();
    r.status = status == "cancelled"  ? TrainStatus::Cancelled
               : status == "diverged" ? TrainStatus::Diverged
                                      : TrainStatus::Completed;
    r.message = o.value("message").toString().toStdString();
    r.stepsDone = o.value("steps_done").toInt();
    r.checkpointStep = o.value("checkpoint_step").toInt();
    r.seconds = o.value("seconds").toDouble();
    r.final = metricsFromJson(o.value("final").toObject());
    for (const QJsonValue& v : o.value("curve").toArray()) {
        const QJsonObject p = v.toObject();
        CurvePoint c;
        c.step = p.value("step").toInt();
        c.trainLoss = numberOrNaN(p.value("train_loss"));
        c.validation = metricsFromJson(p.value("validation").toObject());
        c.learningRate = p.value("lr").toDouble();
        c.elapsedSeconds = p.value("elapsed_s").toDouble();
        r.curve.push_back(c);
    }
    for (const QJsonValue& v : o.value("train_log").toArray()) {
        const QJsonArray pair = v.toArray();
        r.trainLog.push_back({pair.at(0).toInt(), pair.at(1).toDouble()});
    }
    return r;
}

TrainResult parseRunMetrics(const std::string& bytes, const std::string& source) {
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(bytes), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw IoError(source + ": not a JSON object (" + err.errorString().toStdString() + ")");
    return resultFromJson(doc.object());
}

}  // namespace qkv
