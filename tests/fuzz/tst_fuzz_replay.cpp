// Replays every fuzzer's seeds (tests/fuzz/corpus/<target>/) and every input a fuzzer once
// crashed on (tests/fuzz/regressions/<target>/) through the same target code, built here without
// libFuzzer: a fixed crash stays fixed in the normal test run. Seeds named valid-* must be
// accepted, so that the corpora keep covering the formats' good paths.
#include <QDir>
#include <QFile>
#include <QtTest>

#include <exception>

#include "fuzz_registry.h"

namespace {
QString fuzzDir() {
    return QDir(qEnvironmentVariable("QKVLAB_SOURCE_DIR")).filePath("tests/fuzz");
}
}  // namespace

class FuzzReplay : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyTargetHasValidSeeds() {
        QVERIFY2(QDir(fuzzDir()).exists(), qPrintable(fuzzDir() + " is missing"));
        QVERIFY(qkv::fuzz::targets().size() >= 13);
        for (const auto& [name, run] : qkv::fuzz::targets()) {
            const QDir seeds(fuzzDir() + "/corpus/" + QString::fromStdString(name));
            QVERIFY2(!seeds.entryList({"valid-*"}, QDir::Files).isEmpty(),
                     qPrintable("no valid-* seed for target " + QString::fromStdString(name)));
        }
    }

    void replay_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("path");
        for (const char* kind : {"corpus", "regressions"}) {
            const QDir root(fuzzDir() + "/" + kind);
            for (const QString& target : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                const QDir inputs(root.filePath(target));
                for (const QString& file : inputs.entryList(QDir::Files, QDir::Name))
                    QTest::newRow(qPrintable(QString(kind) + "/" + target + "/" + file))
                        << target << inputs.filePath(file);
            }
        }
    }

    void replay() {
        QFETCH(QString, target);
        QFETCH(QString, path);
#ifdef QKV_SANITIZE
        if (target == "sentencepiece")
            QSKIP("make sanitize does not load SentencePiece (ASan cannot load its shim with RTLD_DEEPBIND)");
#endif
        const auto it = qkv::fuzz::targets().find(target.toStdString());
        QVERIFY2(it != qkv::fuzz::targets().end(), qPrintable("no fuzz target named " + target));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        bool accepted = false;
        try {
            accepted = it->second(bytes.toStdString());
        } catch (const std::exception& e) {
            QFAIL(qPrintable("an exception other than qkv::Error escaped: " +
                             QString::fromUtf8(e.what())));
        }
        if (QFileInfo(path).fileName().startsWith("valid-"))
            QVERIFY2(accepted, "a valid-* seed was refused");
    }
};

QTEST_GUILESS_MAIN(FuzzReplay)
#include "tst_fuzz_replay.moc"
