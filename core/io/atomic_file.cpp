#include "io/atomic_file.h"

#include <QFile>
#include <QSaveFile>
#include <QString>

#include "common/errors.h"

namespace qkv {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, const QString& reason) {
    throw IoError(what + " " + path + ": " + reason.toStdString());
}

}  // namespace

void writeFileAtomic(const std::string& path, const std::string& bytes) {
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly)) fail("cannot write", path, file.errorString());
    const qint64 size = qint64(bytes.size());
    // write() may write less than asked (e.g. disk full) without reporting an error.
    if (file.write(bytes.data(), size) != size) {
        const QString reason = file.errorString();
        file.cancelWriting();
        fail("cannot write", path, reason);
    }
    // commit() renames over the old file only when everything was written and flushed.
    if (!file.commit()) fail("cannot write", path, file.errorString());
}

void writeFileAtomicStreamed(const std::string& path,
                             const std::function<void(const ByteSink&)>& produce) {
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly)) fail("cannot write", path, file.errorString());
    QString reason;
    const ByteSink sink = [&](const char* data, size_t size) {
        if (!reason.isEmpty()) return;
        if (file.write(data, qint64(size)) != qint64(size)) reason = file.errorString();
    };
    try {
        produce(sink);
    } catch (...) {
        file.cancelWriting();
        throw;
    }
    if (!reason.isEmpty()) {
        file.cancelWriting();
        fail("cannot write", path, reason);
    }
    if (!file.commit()) fail("cannot write", path, file.errorString());
}

std::string readFile(const std::string& path) {
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) fail("cannot read", path, file.errorString());
    // Sequential devices (pipes, /dev/stdin) report size 0; readAll() handles both kinds.
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) fail("cannot read", path, file.errorString());
    return std::string(data.constData(), size_t(data.size()));
}

}  // namespace qkv
