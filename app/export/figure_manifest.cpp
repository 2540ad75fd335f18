#include "figure_manifest.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QFileInfo>
#include <QSaveFile>

#include "io/run_config_json.h"
#include "pretrained/hf_folder.h"
#include "pretrained/open_model.h"

namespace qkvapp {

namespace {

void setError(QString* error, const QString& message) {
    if (error) *error = message;
}

// Replaces the entry whose `key` equals the new one's, or appends it; order is kept.
void upsert(QJsonArray& into, const QJsonObject& entry, const QString& key) {
    for (int i = 0; i < into.size(); ++i) {
        if (into[i].toObject().value(key) == entry.value(key)) {
            into[i] = entry;
            return;
        }
    }
    into.append(entry);
}

}  // namespace

bool Manifest::addRun(const QString& folder, QString* error) {
    QJsonObject config;
    const QString configPath = QDir(folder).filePath("config.json");
    if (!QFileInfo(folder).isFile() && !qkv::isHuggingFaceFolder(folder.toStdString())) {
        // A run folder: its config.json as written.
        QFile file(configPath);
        if (!file.open(QIODevice::ReadOnly)) {
            setError(error, QString("cannot read %1: %2").arg(configPath, file.errorString()));
            return false;
        }
        QJsonParseError parse;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
        if (!doc.isObject()) {
            setError(error, QString("%1 is not a JSON object (%2)").arg(configPath, parse.errorString()));
            return false;
        }
        config = doc.object();
    } else {
        // A model from elsewhere: its description in the same form, with its origin.
        try {
            qkv::OpenOptions options;
            options.loadWeights = false;
            config = qkv::toJson(qkv::openModel(folder.toStdString(), options).run.config);
        } catch (const std::exception& e) {
            setError(error, QString("cannot read %1: %2").arg(folder, QString::fromStdString(e.what())));
            return false;
        }
    }
    const QString absolute = QFileInfo(folder).absoluteFilePath();
    upsert(runs, QJsonObject{{"folder", absolute}, {"config", config}}, "folder");
    // Seeds are what a reader needs to reproduce a run: lift them out of the nested config.
    upsert(seeds,
           QJsonObject{{"run", absolute},
                       {"task_seed", config.value("task").toObject().value("seed")},
                       {"train_seed", config.value("train").toObject().value("seed")}},
           "run");
    return true;
}

Manifest manifestForRuns(const QStringList& runFolders, QString* error) {
    Manifest manifest;
    for (const QString& folder : runFolders)
        if (!manifest.addRun(folder, error)) break;
    return manifest;
}

QJsonObject manifestJson(const Manifest& manifest, const QList<ManifestFigure>& figures,
                         const QJsonObject& existing) {
    QJsonArray runs = existing.value("runs").toArray();
    for (const QJsonValue& run : manifest.runs) upsert(runs, run.toObject(), "folder");
    QJsonArray seeds = existing.value("seeds").toArray();
    for (const QJsonValue& seed : manifest.seeds) upsert(seeds, seed.toObject(), "run");
    QJsonArray figureList = existing.value("figures").toArray();
    for (const ManifestFigure& f : figures) {
        upsert(figureList,
               f.skipped.isEmpty() ? QJsonObject{{"name", f.name},
                                                 {"files", QJsonArray::fromStringList(f.files)},
                                                 {"size", f.size}}
                                   : QJsonObject{{"name", f.name}, {"skipped", f.skipped}},
               "name");
    }
    const QString notes =
        manifest.notes.isEmpty() ? existing.value("notes").toString() : manifest.notes;
    return QJsonObject{{"format", "qkvlab-figures/1"},
                       {"app_version", manifest.appVersion},
                       {"created", manifest.created.toUTC().toString(Qt::ISODate)},
                       {"notes", notes},
                       {"runs", runs},
                       {"seeds", seeds},
                       {"figures", figureList}};
}

bool writeManifest(const QString& folder, const Manifest& manifest,
                   const QList<ManifestFigure>& figures, QString* error) {
    const QString path = QDir(folder).filePath("manifest.json");
    QJsonObject existing;
    QFile old(path);
    if (old.open(QIODevice::ReadOnly)) existing = QJsonDocument::fromJson(old.readAll()).object();
    const QJsonObject json = manifestJson(manifest, figures, existing);
    return writeFileAtomic(path, QJsonDocument(json).toJson(QJsonDocument::Indented), error);
}

bool writeFileAtomic(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        setError(error, QString("cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    // write() may write less than asked (disk full) without an error of its own.
    if (file.write(bytes) != bytes.size()) {
        setError(error, QString("cannot write %1: %2").arg(path, file.errorString()));
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        setError(error, QString("cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    return true;
}

}  // namespace qkvapp
