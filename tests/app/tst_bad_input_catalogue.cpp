// The catalogue of bad inputs: what a user can get wrong, through the real qkvlab executable.
// Each row names the exit code and the words the one line on stderr must hold; none may crash,
// hang, print a trace, or leave an output behind. Inputs: corrupt, truncated, oversized,
// mistyped, contradictory, non-UTF-8 and empty files; run folders, Hugging Face folders and
// llama2.c checkpoints damaged one way each; unwritable destinations; impossible
// configurations; training that diverges. "@/" is this test's folder, "@fixtures/" the tiny
// models tests/fixtures/make_pretrained_fixtures.py wrote.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>

#include "io/atomic_file.h"
#include "test_helpers.h"

namespace {

void write(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    qkv::writeFileAtomic(path.toStdString(), bytes.toStdString());
}

QByteArray readBytes(const QString& path) { return QByteArray::fromStdString(qkv::readFile(path.toStdString())); }

// A safetensors file: 8-byte little-endian header length, the header, the data.
QByteArray safetensors(const QByteArray& header, const QByteArray& data) {
    QByteArray out(8, '\0');
    quint64 n = quint64(header.size());
    for (int i = 0; i < 8; ++i) out[i] = char((n >> (8 * i)) & 0xff);
    return out + header + data;
}

// A copy of a folder with one file replaced (or removed when `bytes` is null).
void damagedCopy(const QString& from, const QString& to, const QString& file, const QByteArray& bytes) {
    qkvtest::copyFolder(from, to);
    QFile::remove(to + "/" + file);
    if (!bytes.isNull()) write(to + "/" + file, bytes);
}

QJsonObject withField(QJsonObject o, const QString& key, const QJsonValue& value) {
    o[key] = value;
    return o;
}

}  // namespace

class TestBadInputCatalogue : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refusesWithOneClearLine_data();
    void refusesWithOneClearLine();
    void catalogueIsLargeEnough() { QVERIFY(m_rows >= 50); }

private:
    QTemporaryDir m_tmp;
    QString m_exe;
    int m_rows = 0;
};

void TestBadInputCatalogue::initTestCase() {
    QVERIFY(m_tmp.isValid());
    m_exe = qEnvironmentVariable("QKVLAB_BINARY_DIR") + "/app/qkvlab";
    QVERIFY2(QFileInfo(m_exe).isExecutable(), qPrintable(m_exe + " is missing"));
    const QString t = m_tmp.path();
    QDir().mkpath(t + "/empty");
    write(t + "/empty.json", "");
    write(t + "/empty.txt", "");
    write(t + "/garbage.json", R"({"name": "x", "variants": ["qkv")");
    write(t + "/unknown-field.json", R"({"name": "x", "variants": ["qkv"], "colour": "blue"})");
    write(t + "/wrong-type.json", R"({"name": "x", "variants": "qkv"})");
    write(t + "/huge-number.json", R"({"name": "x", "variants": ["qkv"], "model": {"d_model": 1e300}})");
    write(t + "/binary.bin", QByteArray("\x7f" "ELF\x02\x01\x01\0\0\0\xff\xfe", 12));
    write(t + "/latin1.txt", "caf\xe9" " cr\xe8" "me br\xfb" "l\xe9" "e\n");
    write(t + "/file.txt", "a file, not a folder\n");

    // A real run, then copies damaged one way each.
    const QString run = QString::fromStdString(qkvtest::trainTinyRun(m_tmp, qkv::Variant::Qkv));
    const QByteArray weights = readBytes(run + "/model.safetensors");
    const QJsonObject config = qkvtest::readJsonObject(run + "/config.json");
    const QJsonObject model = config["model"].toObject();
    damagedCopy(run, t + "/run-no-config", "config.json", {});
    damagedCopy(run, t + "/run-config-garbage", "config.json", "{\"format\": ");
    damagedCopy(run, t + "/run-config-variant", "config.json",
                QJsonDocument(withField(config, "model", withField(model, "variant", "quadruple"))).toJson());
    damagedCopy(run, t + "/run-config-heads", "config.json",
                QJsonDocument(withField(config, "model", withField(model, "heads", 3))).toJson());
    damagedCopy(run, t + "/run-config-format", "config.json",
                QJsonDocument(withField(config, "format", "qkvlab-run/99")).toJson());
    damagedCopy(run, t + "/run-metrics-garbage", "metrics.json", "[1, 2");
    damagedCopy(run, t + "/run-weights-truncated", "model.safetensors", weights.left(weights.size() / 2));
    damagedCopy(run, t + "/run-weights-empty", "model.safetensors", QByteArray(""));
    damagedCopy(run, t + "/run-weights-header-length", "model.safetensors",
                QByteArray("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + weights.mid(8));
    damagedCopy(run, t + "/run-weights-header-garbage", "model.safetensors", safetensors("{not json", ""));
    damagedCopy(run, t + "/run-weights-dtype", "model.safetensors",
                safetensors(R"({"x": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]}})", "abcd"));
    damagedCopy(run, t + "/run-weights-offsets", "model.safetensors",
                safetensors(R"({"x": {"dtype": "F32", "shape": [1000], "data_offsets": [0, 4000]}})", "abcd"));
    damagedCopy(run, t + "/run-weights-other-model", "model.safetensors",
                safetensors(R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", "abcd"));

    // Hugging Face and llama2.c models damaged one way each.
    const QString fx = qkvtest::pretrainedFixtures();
    const QJsonObject gpt2 = qkvtest::readJsonObject(fx + "/gpt2/config.json");
    const QJsonObject llama = qkvtest::readJsonObject(fx + "/llama/config.json");
    damagedCopy(fx + "/gpt2", t + "/hf-bert", "config.json",
                QJsonDocument(withField(gpt2, "model_type", "bert")).toJson());
    damagedCopy(fx + "/gpt2", t + "/hf-no-weights", "model.safetensors", {});
    damagedCopy(fx + "/gpt2", t + "/hf-heads", "config.json", QJsonDocument(withField(gpt2, "n_head", 5)).toJson());
    damagedCopy(fx + "/gpt2", t + "/hf-dtype", "config.json", QJsonDocument(withField(gpt2, "n_embd", "wide")).toJson());
    damagedCopy(fx + "/llama", t + "/hf-rope-scaling", "config.json",
                QJsonDocument(withField(llama, "rope_scaling", QJsonObject{{"type", "yarn"}, {"factor", 4}})).toJson());
    damagedCopy(fx + "/gpt2", t + "/hf-index-missing-shard", "model.safetensors", {});
    write(t + "/hf-index-missing-shard/model.safetensors.index.json",
          R"({"weight_map": {"wte.weight": "model-00001-of-00002.safetensors"}})");
    damagedCopy(fx + "/gpt2", t + "/hf-index-garbage", "model.safetensors", {});
    write(t + "/hf-index-garbage/model.safetensors.index.json", "{\"weight_map\": [");
    const QByteArray v1 = readBytes(fx + "/llama2c-v1.bin");
    write(t + "/llama2c-tiny.bin", v1.left(10));
    QByteArray negative = readBytes(fx + "/llama2c-legacy.bin");
    negative[0] = char(0x00), negative[1] = char(0x00), negative[2] = char(0x00), negative[3] = char(0x80);  // dim < 0
    write(t + "/llama2c-negative-dim.bin", negative);
    write(t + "/tokenizer-garbage.bin", "not a tokenizer at all");
    m_rows = 0;
}

void TestBadInputCatalogue::refusesWithOneClearLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QStringList>("words");
    const QString out = "@/out";
    int rows = 0;
    auto row = [&](const char* name, const QStringList& args, int code, const QStringList& words) {
        QTest::newRow(name) << args << code << words;
        ++rows;
    };
    // The command line itself.
    row("unknown command", {"frobnicate"}, 2, {"unknown command 'frobnicate'"});
    row("mistyped command", {"trian"}, 2, {"unknown command 'trian'"});
    row("unknown top-level option", {"--verison"}, 2, {"unknown option '--verison'"});
    row("unknown option", {"train", "--colour", "red", "--out", out}, 2, {"unknown option --colour"});
    row("mistyped option", {"train", "--step", "3", "--out", out}, 2, {"did you mean --steps?"});
    row("missing --out", {"train", "--task", "copy"}, 2, {"--out"});
    row("option without value", {"train", "--out", out, "--steps"}, 2, {"--steps needs a value"});
    row("flag with a value", {"train", "--help=yes", "--out", out}, 2, {"takes no value"});
    row("stray argument", {"train", "extra", "--out", out}, 2, {"unexpected argument 'extra'"});
    // Mistyped values.
    row("steps abc", {"train", "--steps", "abc", "--out", out}, 2, {"--steps expects a whole number"});
    row("steps 0", {"train", "--steps", "0", "--out", out}, 2, {"--steps must be between 1"});
    row("steps beyond int", {"train", "--steps", "99999999999999999999", "--out", out}, 2, {"--steps"});
    row("lr -1", {"train", "--lr", "-1", "--out", out}, 2, {"--lr must be greater than 0"});
    row("lr nan", {"train", "--lr", "nan", "--out", out}, 2, {"--lr expects a number"});
    row("lr inf", {"train", "--lr", "inf", "--out", out}, 2, {"--lr"});
    row("seed -5", {"train", "--seed", "-5", "--out", out}, 2, {"--seed must be between"});
    row("seeds twice", {"train", "--seeds", "1,1", "--out", out}, 2, {"seed 1 twice"});
    row("seeds words", {"train", "--seeds", "1,x", "--out", out}, 2, {"--seeds takes whole numbers"});
    row("seed and seeds", {"train", "--seed", "1", "--seeds", "1,2", "--out", out}, 2, {"--seed or --seeds"});
    row("unknown variant", {"train", "--variants", "qkv,triple", "--out", out}, 2, {"unknown variant 'triple'"});
    row("no variant", {"train", "--variants", ",", "--out", out}, 2, {"names no variant"});
    row("unknown task", {"train", "--task", "juggle", "--out", out}, 2, {"unknown task 'juggle'"});
    row("unknown architecture", {"info", "--arch", "rnn"}, 2, {"rnn"});
    row("unknown paper setting", {"info", "--paper", "7b"}, 2, {"7b"});
    row("unknown positional bias mode", {"train", "--pos-bias=yes", "--out", out}, 2, {"'yes'", "absolute"});
    row("preset and paper", {"train", "--preset", "demo", "--paper", "300m", "--out", out}, 2, {"not both"});
    // Impossible configurations.
    row("kv-heads 3 of 4", {"train", "--kv-heads", "3", "--heads", "4", "--out", out}, 2, {"must divide heads"});
    row("shared-qk with kv-heads 2", {"train", "--variants", "shared-qk", "--kv-heads", "2", "--out", out}, 2,
        {"needs kv-heads = heads"});
    row("d-model 30, heads 4", {"train", "--d-model", "30", "--heads", "4", "--out", out}, 2, {"divisible by heads"});
    row("layers 300", {"train", "--layers", "300", "--out", out}, 2, {"--layers must be between 1 and 256"});
    row("vocab 1", {"train", "--vocab", "1", "--out", out}, 2, {"--vocab must be between 2"});
    row("vit with llama layout", {"train", "--task", "fashion-mnist", "--arch", "llama", "--out", out}, 2,
        {"--arch llama needs a text or sequence task"});
    row("a model that cannot fit in memory",
        {"train", "--task", "copy", "--variants", "qkv", "--d-model", "65536", "--layers", "64", "--heads", "64",
         "--steps", "1", "--out", out},
        2, {"needed, but this machine has"});
    row("info, kv-heads 3 of 4", {"info", "--kv-heads", "3", "--heads", "4"}, 2, {"must divide heads"});
    // Preset and experiment files.
    row("missing preset", {"train", "--preset", "no-such-preset", "--out", out}, 2, {"no-such-preset"});
    row("preset with unknown field", {"train", "--preset", "@/unknown-field.json", "--out", out}, 2,
        {"unknown field 'colour'"});
    row("preset not JSON", {"train", "--preset", "@/garbage.json", "--out", out}, 2, {"not valid JSON"});
    row("preset empty", {"train", "--preset", "@/empty.json", "--out", out}, 2, {"empty.json"});
    row("preset field of the wrong type", {"train", "--preset", "@/wrong-type.json", "--out", out}, 2, {"variants"});
    row("preset number out of range", {"train", "--preset", "@/huge-number.json", "--out", out}, 2, {"d_model"});
    row("preset is a binary file", {"train", "--preset", "@/binary.bin", "--out", out}, 2, {"binary.bin"});
    // Data files.
    row("text file missing", {"train", "--task", "text", "--data", "@/missing.txt", "--out", out}, 2,
        {"does not exist"});
    row("binary file as text", {"train", "--task", "text", "--data", "@/binary.bin", "--out", out}, 2,
        {"is not UTF-8 text"});
    row("Latin-1 file as text", {"train", "--task", "text", "--data", "@/latin1.txt", "--out", out}, 2,
        {"is not UTF-8 text"});
    row("empty text file", {"train", "--task", "text", "--data", "@/empty.txt", "--out", out}, 2, {"empty.txt"});
    row("fashion-mnist, empty folder", {"train", "--task", "fashion-mnist", "--data", "@/empty", "--out", out}, 2,
        {"no train images"});
    row("eval text not UTF-8", {"eval", "--text", "@/latin1.txt", "@fixtures/gpt2"}, 2, {"is not UTF-8 text"});
    // Unwritable destinations.
    row("train into a file", {"train", "--steps", "1", "--out", "@/file.txt"}, 2, {"file.txt"});
    row("train under /proc", {"train", "--steps", "1", "--out", "/proc/qkvlab-out"}, 2, {"/proc/qkvlab-out"});
    row("analysis report under a file", {"analyze", "@/qkv", "--out", "@/file.txt/report.json"}, 2,
        {"file.txt"});
    row("figures into a file", {"figures", "@/qkv", "--out", "@/file.txt"}, 2, {"file.txt"});
    row("export-torch into a file", {"export-torch", "--out", "@/file.txt"}, 2, {"is not a folder"});
    row("figures in an unknown format", {"figures", "@/qkv", "--out", out, "--formats", "gif"}, 2, {"gif"});
    // Run folders, damaged.
    row("eval without runs", {"eval"}, 2, {"at least one model"});
    row("eval of a missing folder", {"eval", "@/nowhere"}, 2, {"does not exist"});
    row("eval of an empty folder", {"eval", "@/empty"}, 2, {"not a run folder"});
    row("run without config.json", {"eval", "@/run-no-config"}, 2, {"run-no-config"});
    row("run config not JSON", {"eval", "@/run-config-garbage"}, 2, {"config.json"});
    row("run config unknown variant", {"eval", "@/run-config-variant"}, 2, {"quadruple"});
    row("run config impossible heads", {"eval", "@/run-config-heads"}, 2, {"must divide heads (3)"});
    row("run config from a future version", {"eval", "@/run-config-format"}, 2, {"qkvlab-run/99"});
    row("run metrics not JSON", {"eval", "@/run-metrics-garbage"}, 2, {"metrics.json"});
    row("run weights truncated", {"eval", "@/run-weights-truncated"}, 2, {"model.safetensors"});
    row("run weights empty", {"eval", "@/run-weights-empty"}, 2, {"model.safetensors"});
    row("run weights header length absurd", {"eval", "@/run-weights-header-length"}, 2, {"model.safetensors"});
    row("run weights header not JSON", {"eval", "@/run-weights-header-garbage"}, 2, {"model.safetensors"});
    row("run weights unknown dtype", {"eval", "@/run-weights-dtype"}, 2, {"Q4"});
    row("run weights beyond the file", {"eval", "@/run-weights-offsets"}, 2, {"model.safetensors"});
    row("run weights of another model", {"eval", "@/run-weights-other-model"}, 2, {"model.safetensors"});
    row("generate beyond the vocabulary", {"generate", "@fixtures/gpt2", "--prompt-ids", "99999", "--tokens", "2"},
        2, {"99999"});
    row("generate from an encoder", {"generate", "@/qkv", "--prompt-ids", "1", "--tokens", "2"}, 2,
        {"needs a decoder"});
    // Models from elsewhere, damaged.
    row("Hugging Face model_type bert", {"info", "@/hf-bert"}, 2, {"bert", "gpt2", "llama"});
    row("Hugging Face folder without weights", {"eval", "--text", "@/file.txt", "@/hf-no-weights"}, 2,
        {"safetensors"});
    row("Hugging Face heads do not divide", {"info", "@/hf-heads"}, 2, {"heads"});
    row("Hugging Face field of the wrong type", {"info", "@/hf-dtype"}, 2, {"n_embd"});
    row("Hugging Face rope_scaling yarn", {"info", "@/hf-rope-scaling"}, 2, {"rope_scaling", "yarn"});
    row("Hugging Face index names a missing shard", {"eval", "--text", "@/file.txt", "@/hf-index-missing-shard"}, 2,
        {"model-00001-of-00002.safetensors"});
    row("Hugging Face index not JSON", {"info", "@/hf-index-garbage"}, 2, {"model.safetensors.index.json"});
    row("llama2.c file of 10 bytes", {"info", "@/llama2c-tiny.bin"}, 2, {"llama2c-tiny.bin"});
    row("llama2.c negative dimension", {"info", "@/llama2c-negative-dim.bin"}, 2, {"llama2c-negative-dim.bin"});
    row("llama2.c version 2 (int8)", {"info", "@fixtures/llama2c-v2.bin"}, 2, {"version 2"});
    row("llama2.c truncated", {"eval", "--text", "@/file.txt", "@fixtures/llama2c-truncated.bin"}, 2,
        {"llama2c-truncated.bin"});
    row("tokenizer file garbage", {"generate", "@fixtures/llama2c-v1.bin", "--tokenizer", "@/tokenizer-garbage.bin",
                                   "--prompt", "Once", "--tokens", "2"},
        2, {"tokenizer-garbage.bin"});
    row("reproduce unknown table", {"reproduce", "no-such-table", "--out", out}, 2, {"no-such-table"});
    row("reproduce unknown scale", {"reproduce", "borji-synthetic", "--scale", "medium", "--out", out}, 2,
        {"medium"});
    // Training that goes non-finite: exit 1 (the input was valid, the run failed), said in one
    // line with the step and the rate, not hidden in a table.
    row("training diverges", {"train", "--task", "copy", "--variants", "qkv", "--steps", "30", "--eval-every", "10",
                              "--lr", "1e12", "--warmup", "0", "--out", "@/diverged"},
        1, {"loss became NaN at step", "(lr 9.97e+11)", "keeps step 0"});
    m_rows = rows;
}

void TestBadInputCatalogue::refusesWithOneClearLine() {
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QStringList, words);
    const QString fixtures = qkvtest::pretrainedFixtures();
    for (QString& a : args) a.replace("@fixtures", fixtures).replace("@", m_tmp.path());
    QProcess p;
    p.setWorkingDirectory(m_tmp.path());
    p.start(m_exe, args);
    QVERIFY(p.waitForStarted());
    if (!p.waitForFinished(120000)) {
        p.kill();
        QFAIL("qkvlab hung");
    }
    const QString err = QString::fromUtf8(p.readAllStandardError());
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    const QString describe = QString("exit %1, stderr: %2").arg(p.exitCode()).arg(err);
    QVERIFY2(p.exitStatus() == QProcess::NormalExit, qPrintable("crashed: " + describe));
    QVERIFY2(p.exitCode() == code, qPrintable(describe));
    QVERIFY2(err.endsWith('\n') && err.count('\n') == 1, qPrintable("not one line: " + describe));
    QVERIFY2(err.startsWith("qkvlab"), qPrintable(describe));
    for (const QString& w : words) QVERIFY2(err.contains(w), qPrintable("lacks '" + w + "': " + describe));
    QVERIFY2(!QFileInfo::exists(m_tmp.filePath("out")), "bad input left an output folder behind");
    Q_UNUSED(out);
}

QTEST_GUILESS_MAIN(TestBadInputCatalogue)
#include "tst_bad_input_catalogue.moc"
