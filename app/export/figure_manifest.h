#pragma once
// manifest.json of a figure folder: what the figures were made from (each run's config.json and
// seeds), by which app version and when, at which size, plus free-form notes. A folder filled by
// several exports keeps one manifest: figures and runs are merged by name and folder.

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace qkvapp {

struct Manifest {
    QJsonArray runs;   // {"folder": path, "config": that run's config.json object}
    QJsonArray seeds;  // {"run": path, "task_seed": …, "train_seed": …}
    QString appVersion = QStringLiteral(QKVLAB_VERSION);
    QDateTime created = QDateTime::currentDateTimeUtc();
    QString notes;

    // Reads <folder>/config.json and records it with its seeds; false (and `error`) when the file
    // is missing or not a JSON object.
    bool addRun(const QString& folder, QString* error = nullptr);
};

// A manifest for these run folders; stops at the first unreadable config.json.
Manifest manifestForRuns(const QStringList& runFolders, QString* error = nullptr);

// One exported figure as listed in the manifest: its files are names relative to the folder.
struct ManifestFigure {
    QString name;
    QStringList files;
    QJsonObject size;  // {"preset", "width_mm", "height_mm", "png_dpi"}
    QString skipped;   // why nothing was written for it (no files then)
};

// The manifest object for `figures`, merged into `existing` (a previous manifest.json of the same
// folder, or empty): figures replace those of the same name, runs those of the same folder; the
// rest is kept, so exporting one figure never drops another from the list.
QJsonObject manifestJson(const Manifest& manifest, const QList<ManifestFigure>& figures,
                         const QJsonObject& existing = {});

// Writes <folder>/manifest.json atomically, merged with the one already there (a corrupt one is
// replaced). Returns false with `error` set on failure.
bool writeManifest(const QString& folder, const Manifest& manifest,
                   const QList<ManifestFigure>& figures, QString* error);

// QSaveFile: the old file stays until the new one is complete.
bool writeFileAtomic(const QString& path, const QByteArray& bytes, QString* error);

}  // namespace qkvapp
