// Every qkvlab command in the README runs: each line of its shell blocks that starts with
// `qkvlab`, in the README's order (later lines use the folders earlier ones wrote), through
// /bin/sh in a scratch folder, with the real executable; each must exit 0. What the test
// changes, and only that:
//   - placeholders become real files: path/to/stories260K.bin the real model in ../shared/models,
//     path/to/TinyLlama and path/to/model the same (a Llama model with its tokenizer),
//     path/to/gpt2 the tiny GPT-2 folder tests/fixtures writes, notes.txt a text it writes;
//   - training is cut to 4 steps (--steps 4 --eval-every 2) and a reproduction to a tiny table of
//     the same form (the built-in ones take minutes), so the whole README runs in a minute;
//   - commands that open the window run offscreen and quit after a screenshot it checks;
//   - `qkvlab COMMAND --help` runs for every command.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "test_helpers.h"

namespace {

// The README's command lines: shell blocks, continuation lines joined, comments dropped.
QStringList readmeCommands(const QString& readme) {
    QFile f(readme);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QStringList out;
    bool inShell = false;
    QString pending;
    for (const QString& raw : QString::fromUtf8(f.readAll()).split('\n')) {
        const QString line = raw.trimmed();
        if (line.startsWith("```")) {
            inShell = !inShell && line.startsWith("```sh");
            continue;
        }
        if (!inShell) continue;
        QString command = pending.isEmpty() ? line : pending + ' ' + line;
        if (command.endsWith('\\')) {
            pending = command.chopped(1).trimmed();
            continue;
        }
        pending.clear();
        command.remove(QRegularExpression("\\s+#.*$"));  // trailing comments ("  # ...")
        if (command.startsWith("qkvlab ")) out << command;
    }
    return out;
}

bool opensWindow(const QString& command) {
    const QString first = command.section(' ', 1, 1);
    static const QStringList commands = {"train", "info", "eval", "analyze", "generate", "figures",
                                         "convert", "reproduce", "export-torch", "COMMAND"};
    return !commands.contains(first);
}

}  // namespace

class TestReadmeCommands : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_exe = qEnvironmentVariable("QKVLAB_BINARY_DIR") + "/app/qkvlab";
        QVERIFY2(QFileInfo(m_exe).isExecutable(), qPrintable(m_exe));
        m_stories = qkvtest::sharedModels() + "/stories260K/stories260K.bin";
        QVERIFY2(QFileInfo::exists(m_stories), qPrintable(m_stories));
        m_gpt2 = qkvtest::pretrainedFixtures() + "/gpt2";
        qkvtest::writeBytes(m_dir, "notes.txt", "Once upon a time there was a little dog. It liked to run.\n");
        QVERIFY(QFile::copy(qkvtest::tinyPublishedTable(m_dir), m_dir.filePath("tiny-table.json")));
    }

    void runs_data() {
        QTest::addColumn<QString>("command");
        const QStringList commands =
            readmeCommands(QDir(qEnvironmentVariable("QKVLAB_SOURCE_DIR")).filePath("README.md"));
        QVERIFY2(commands.size() >= 20, qPrintable(QString::number(commands.size())));
        int i = 0;
        for (const QString& c : commands) QTest::newRow(qPrintable(QString("%1 %2").arg(++i, 2).arg(c.left(70)))) << c;
    }

    void runs() {
        QFETCH(QString, command);
        QString c = command;
        c.replace("path/to/stories260K.bin", m_stories)
            .replace("path/to/TinyLlama", m_stories)
            .replace("path/to/model", m_stories)
            .replace("path/to/gpt2", m_gpt2);
        const bool training = c.startsWith("qkvlab train");
        if (training) {
            c.remove(QRegularExpression(" --(steps|eval-every) \\S+"));
            c += " --steps 4 --eval-every 2";
        }
        if (c.startsWith("qkvlab reproduce")) c.replace(QRegularExpression("reproduce \\S+"), "reproduce tiny-table.json");
        QStringList scripts;
        if (c.startsWith("qkvlab COMMAND --help")) {
            for (const char* name : {"train", "info", "eval", "analyze", "generate", "figures", "convert",
                                     "reproduce", "export-torch"})
                scripts << QString("\"$QKVLAB\" %1 --help").arg(name);
        } else {
            scripts << "\"$QKVLAB\"" + c.mid(QString("qkvlab").size());
        }
        for (const QString& script : scripts) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("QKVLAB", m_exe);
            env.insert("QT_QPA_PLATFORM", "offscreen");
            // The window's settings and workspace go to the scratch folder, not the user's.
            env.insert("XDG_CONFIG_HOME", m_dir.filePath("config"));
            env.insert("XDG_DATA_HOME", m_dir.filePath("data"));
            const QString shot = m_dir.filePath("window.png");
            QFile::remove(shot);
            if (opensWindow(c)) {
                env.insert("QKVLAB_SCREENSHOT", shot);
                env.insert("QKVLAB_SCREENSHOT_MS", "300");
            }
            p.setProcessEnvironment(env);
            p.setWorkingDirectory(m_dir.path());
            p.start("/bin/sh", {"-c", script});
            QVERIFY(p.waitForStarted());
            if (!p.waitForFinished(300000)) {
                p.kill();
                QFAIL(qPrintable("hung: " + script));
            }
            const QString err = QString::fromUtf8(p.readAllStandardError());
            QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                     qPrintable(QString("exit %1: %2\n%3").arg(p.exitCode()).arg(script, err.right(2000))));
            if (opensWindow(c)) QVERIFY2(QFileInfo(shot).size() > 1000, "the window did not open");
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_exe, m_stories, m_gpt2;
};

QTEST_GUILESS_MAIN(TestReadmeCommands)
#include "tst_readme_commands.moc"
