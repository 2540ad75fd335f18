// Tokenizers: GPT-2's byte-level BPE against an independent Python implementation (fixtures),
// its pre-tokenizer against hand-worked splits, llama2.c's tokenizer.bin on the real stories260K
// vocabulary, SentencePiece on a model trained here, labels, and files that are not tokenizers.
#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "test_helpers.h"
#include "tokenize/gpt2_bpe.h"
#include "tokenize/gpt2_pretokenize.h"
#include "tokenize/llama2c_tokenizer.h"
#include "tokenize/sentencepiece_tokenizer.h"
#include "tokenize/tokenizer_files.h"

using namespace qkv;

namespace {
using Words = std::vector<std::string>;

std::vector<int64_t> ids(const QJsonValue& v) {
    std::vector<int64_t> out;
    for (const QJsonValue& x : v.toArray()) out.push_back(int64_t(x.toDouble()));
    return out;
}

QString tokenizerFixtures() {
    return qkvtest::pretrainedFixtures() + "/gpt2-tokenizer";
}
}  // namespace

class TestTokenizers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void labelsAreVisible_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("label");
        QTest::newRow("leading space") << QByteArray(" a") << QString::fromUtf8("␣a");
        QTest::newRow("SentencePiece space")
            << QByteArray("\xE2\x96\x81the") << QString::fromUtf8("␣the");
        QTest::newRow("newline") << QByteArray("\n") << QString("\\n");
        QTest::newRow("tab") << QByteArray("\t") << QString("\\t");
        QTest::newRow("control") << QByteArray("\x01") << QString("\\x01");
        QTest::newRow("part of a character") << QByteArray("\xE2\x80") << QString("\\xE2\\x80");
        QTest::newRow("non-ASCII") << QByteArray("café") << QString::fromUtf8("café");
    }
    void labelsAreVisible() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, label);
        QCOMPARE(QString::fromStdString(visibleText(bytes.toStdString())), label);
    }

    // GPT-2's pattern worked by hand: contractions (case-sensitive), digits, runs of spaces,
    // numbers that are not digits, non-ASCII letters.
    void gpt2PreTokenizer_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("contractions") << "I don't know" << QStringList{"I", " don", "'t", " know"};
        QTest::newRow("'s and digits") << "it's 2026!" << QStringList{"it", "'s", " 2026", "!"};
        QTest::newRow("upper-case contraction") << "DON'T" << QStringList{"DON", "'", "T"};
        QTest::newRow("two spaces") << "a  b" << QStringList{"a", " ", " b"};
        QTest::newRow("trailing spaces") << "end  " << QStringList{"end", "  "};
        QTest::newRow("newlines") << "x\n\ny" << QStringList{"x", "\n", "\n", "y"};
        QTest::newRow("punctuation run")
            << "hello!!! world" << QStringList{"hello", "!!!", " world"};
        QTest::newRow("non-ASCII letters")
            << QString::fromUtf8("café 日本語")
            << QStringList{QString::fromUtf8("café"), QString::fromUtf8(" 日本語")};
        QTest::newRow("numbers beyond digits")
            << QString::fromUtf8("½ ² Ⅻ")
            << QStringList{QString::fromUtf8("½"), QString::fromUtf8(" ²"),
                           QString::fromUtf8(" Ⅻ")};
    }
    void gpt2PreTokenizer() {
        QFETCH(QString, text);
        QFETCH(QStringList, words);
        QStringList got;
        for (const std::string& w : gpt2PreTokenize(text.toStdString()))
            got << QString::fromStdString(w);
        QCOMPARE(got, words);
    }

    // Every case of the Python writer: pre-tokens, ids through vocab.json + merges.txt and through
    // tokenizer.json (whose <|endoftext|> is one special token), and the text back.
    void gpt2BpeMatchesPython_data() {
        QTest::addColumn<int>("index");
        const QJsonArray cases = qkvtest::readJsonObject(tokenizerFixtures() + "/reference.json")
                                     .value("cases")
                                     .toArray();
        QVERIFY(cases.size() >= 12);
        for (int i = 0; i < cases.size(); ++i)
            QTest::newRow(qPrintable(QString("case %1").arg(i))) << i;
    }
    void gpt2BpeMatchesPython() {
        QFETCH(int, index);
        const QString dir = tokenizerFixtures();
        const QJsonObject c = qkvtest::readJsonObject(dir + "/reference.json")
                                  .value("cases")
                                  .toArray()[index]
                                  .toObject();
        const std::string text = c.value("text").toString().toStdString();
        Words pre;
        for (const QJsonValue& w : c.value("pretokens").toArray())
            pre.push_back(w.toString().toStdString());
        QCOMPARE(gpt2PreTokenize(text), pre);
        const auto files = loadGpt2BpeFiles((dir + "/vocab.json").toStdString(),
                                            (dir + "/merges.txt").toStdString());
        const auto json = loadTokenizerJson((dir + "/tokenizer.json").toStdString());
        QCOMPARE(files->encode(text), ids(c.value("ids_vocab_merges")));
        QCOMPARE(json->encode(text), ids(c.value("ids_tokenizer_json")));
        QCOMPARE(files->decode(files->encode(text)), text);
        QCOMPARE(json->decode(json->encode(text)), text);
    }

    // The real stories260K vocabulary (llama2.c's format): texts come back, characters outside
    // the pieces are spelled with byte tokens, and labels show pieces faithfully.
    void llama2cTokenizer() {
        const auto t = loadLlama2cTokenizer(
            (qkvtest::sharedModels() + "/stories260K/tok512.bin").toStdString());
        QCOMPARE(t->vocabSize(), 512);
        QCOMPARE(*t->bos(), int64_t(1));
        QVERIFY(t->promptStartsWithBos());
        for (const std::string text : {"Once upon a time, there was a little girl.",
                                       "Lily said: \"Hi!\"\nThe end.", "naïve café 日本"}) {
            std::vector<int64_t> ids = {*t->bos()};
            const auto body = t->encode(text);
            ids.insert(ids.end(), body.begin(), body.end());
            QCOMPARE(t->decode(ids), text);
        }
        const auto japanese = t->encode("日");  // not a piece: the dummy space, then 3 bytes
        QCOMPARE(int(japanese.size()), 4);
        QCOMPARE(japanese[1], int64_t(0xE6 + 3));
        QCOMPARE(t->label(13), std::string("\\n"));  // <0x0A>
        QCOMPARE(t->label(1), std::string("<s>"));
        QCOMPARE(t->label(259), std::string("\xE2\x90\xA3t"));  // " t"
    }

    // A SentencePiece model trained here (BPE with byte fallback) through the private shim.
    void sentencePiece() {
#ifdef QKV_SANITIZE
        QSKIP("make sanitize does not load SentencePiece (ASan cannot load its shim with RTLD_DEEPBIND)");
#endif
        QTemporaryDir tmp;
        std::string corpus;
        for (int i = 0; i < 200; ++i)
            corpus += "the quick brown fox jumps over the lazy dog " + std::to_string(i % 17) +
                      "\nshe sells sea shells by the sea shore\n";
        const std::string input = qkvtest::writeBytes(tmp, "corpus.txt", corpus);
        const std::string prefix = tmp.filePath("sp").toStdString();
        trainSentencePiece("--input=" + input + " --model_prefix=" + prefix +
                           " --vocab_size=300 --model_type=bpe --byte_fallback=true "
                           "--character_coverage=1.0 --minloglevel=2");
        const auto t = openTokenizer(prefix + ".model");
        QCOMPARE(QString::fromStdString(t->kind()), QString("sentencepiece"));
        QCOMPARE(t->vocabSize(), 300);
        QVERIFY(t->bos() && t->eos());
        for (const std::string text : {"the quick brown fox", "sea shells, 42!", "zebra ü"}) {
            const auto ids = t->encode(text);
            QCOMPARE(t->decode(ids), text);
            std::string streamed;
            int64_t previous = -1;
            for (int64_t id : ids) streamed += t->decodeNext(previous, id), previous = id;
            QCOMPARE(streamed, text);
        }
        const auto the = t->encode("the");
        QCOMPARE(t->label(the.front()).rfind("\xE2\x90\xA3", 0), size_t(0));  // "▁the" → "␣the"
    }

    void badFilesAreRefused_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("truncated tokenizer.bin")
            << "tokenizer.bin" << QByteArray("\x07\0\0\0\0\0\0\0\x05\0\0\0ab", 14) << "truncated";
        QTest::newRow("negative length")
            << "tokenizer.bin" << QByteArray("\x07\0\0\0\0\0\0\0\xff\xff\xff\xff", 12) << "length";
        QTest::newRow("WordPiece tokenizer.json")
            << "tokenizer.json" << QByteArray(R"({"model": {"type": "WordPiece"}})") << "WordPiece";
        QTest::newRow("not JSON") << "tokenizer.json" << QByteArray("{\"model\": ")
                                  << "not valid JSON";
        QTest::newRow("vocab.json without merges.txt")
            << "vocab.json" << QByteArray(R"({"a": 0})") << "merges.txt";
        QTest::newRow("random bytes")
            << "tok.model" << QByteArray("\x89PNG\r\n\x1a\n....", 12) << "not a tokenizer";
        QTest::newRow("empty file") << "tokenizer.bin" << QByteArray() << "not a tokenizer";
    }
    void badFilesAreRefused() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, fragment);
        QTemporaryDir tmp;
        const std::string path = qkvtest::writeBytes(tmp, name, bytes.toStdString());
        try {
            openTokenizer(path);
            QFAIL("a bad tokenizer file was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(fragment), e.what());
        }
    }

    void sizeMustFitTheModel() {
        const auto t = loadLlama2cTokenizer(
            (qkvtest::sharedModels() + "/stories260K/tok512.bin").toStdString());
        checkTokenizerFits(*t, 512, "tok512.bin");
        QVERIFY_THROWS_EXCEPTION(DataError, checkTokenizerFits(*t, 500, "tok512.bin"));
        QVERIFY_THROWS_EXCEPTION(DataError, checkTokenizerFits(*t, 32000, "tok512.bin"));
        // Embeddings padded up to a multiple of 128 (GPT-2's 50257 → 50304) still fit.
        const auto bpe = loadTokenizerJson((tokenizerFixtures() + "/tokenizer.json").toStdString());
        QCOMPARE(bpe->vocabSize(), 407);
        checkTokenizerFits(*bpe, 480, "tokenizer.json");
        QVERIFY_THROWS_EXCEPTION(DataError, checkTokenizerFits(*bpe, 1024, "tokenizer.json"));
    }
};

QTEST_GUILESS_MAIN(TestTokenizers)
#include "tst_tokenizers.moc"
