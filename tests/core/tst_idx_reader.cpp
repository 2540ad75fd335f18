// IDX (MNIST-format) reading: raw and gzip files, folders, and broken inputs.

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include "common/errors.h"
#include "data/idx_reader.h"
#include "test_helpers.h"

using qkv::DataError;

namespace {

void appendBe32(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(char((v >> shift) & 0xff));
}

uint8_t pixel(size_t i) { return uint8_t((i * 37 + 11) % 256); }

std::string imagesFile(uint32_t count, uint32_t rows, uint32_t cols) {
    std::string out;
    appendBe32(out, 0x00000803);
    appendBe32(out, count);
    appendBe32(out, rows);
    appendBe32(out, cols);
    for (size_t i = 0; i < size_t(count) * rows * cols; ++i) out.push_back(char(pixel(i)));
    return out;
}

std::string labelsFile(uint32_t count) {
    std::string out;
    appendBe32(out, 0x00000801);
    appendBe32(out, count);
    for (uint32_t i = 0; i < count; ++i) out.push_back(char(i % 10));
    return out;
}

// Runs `f` and checks that it throws DataError whose message contains `fragment`.
template <typename F>
void expectDataError(F f, const QString& fragment) {
    try {
        f();
        QFAIL("no DataError");
    } catch (const DataError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
    }
}

}  // namespace

class TstIdxReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsRawAndGzip_data();
    void readsRawAndGzip();
    void rawBytesPassThroughGunzip();
    void readsFolder();
    void rejectsBrokenFiles_data();
    void rejectsBrokenFiles();
    void rejectsCorruptGzip();
    void reportsMissingFiles();
    void readsFashionMnist();
};

void TstIdxReader::readsRawAndGzip_data() {
    QTest::addColumn<bool>("compressed");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void TstIdxReader::readsRawAndGzip() {
    QFETCH(bool, compressed);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::string images = imagesFile(5, 3, 4), labels = labelsFile(5);
    if (compressed) {
        images = qkvtest::gzip(images);
        labels = qkvtest::gzip(labels);
    }
    const qkv::IdxImages im = qkv::readIdxImages(qkvtest::writeBytes(dir, "im", images));
    QCOMPARE(im.count, 5);
    QCOMPARE(im.rows, 3);
    QCOMPARE(im.cols, 4);
    QCOMPARE(im.pixels.size(), size_t(60));
    for (size_t i = 0; i < im.pixels.size(); ++i) QCOMPARE(im.pixels[i], pixel(i));

    const std::vector<uint8_t> lb = qkv::readIdxLabels(qkvtest::writeBytes(dir, "lb", labels));
    QCOMPARE(lb, (std::vector<uint8_t>{0, 1, 2, 3, 4}));
}

void TstIdxReader::rawBytesPassThroughGunzip() {
    const std::string raw = imagesFile(2, 2, 2);
    QCOMPARE(qkv::maybeGunzip(raw, "raw"), raw);
    QCOMPARE(qkv::maybeGunzip("", "empty"), std::string());
    QCOMPARE(qkv::maybeGunzip(qkvtest::gzip(raw), "gz"), raw);
    // Two gzip members back to back decompress to both contents, like zcat does.
    QCOMPARE(qkv::maybeGunzip(qkvtest::gzip("abc") + qkvtest::gzip("def"), "cat"),
             std::string("abcdef"));
    QCOMPARE(qkv::maybeGunzip(qkvtest::gzip(""), "gz-empty"), std::string());
}

void TstIdxReader::readsFolder() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Mixed spellings and compression, as found in different MNIST mirrors.
    qkvtest::writeBytes(dir, "t10k-images-idx3-ubyte.gz", qkvtest::gzip(imagesFile(7, 2, 3)));
    qkvtest::writeBytes(dir, "t10k-labels.idx1-ubyte", labelsFile(7));
    qkvtest::writeBytes(dir, "train-images-idx3-ubyte", imagesFile(3, 2, 3));
    qkvtest::writeBytes(dir, "train-labels-idx1-ubyte.gz", qkvtest::gzip(labelsFile(4)));

    const qkv::ImageSplit split = qkv::readIdxFolder(dir.path().toStdString(), "t10k");
    QCOMPARE(split.images.count, 7);
    QCOMPARE(split.images.rows, 2);
    QCOMPARE(split.images.cols, 3);
    QCOMPARE(split.labels.size(), size_t(7));
    QCOMPARE(split.images.pixels, qkv::parseIdxImages(imagesFile(7, 2, 3), "x").pixels);

    expectDataError([&] { qkv::readIdxFolder(dir.path().toStdString(), "train"); },
                    "3 images but 4 labels");
}

void TstIdxReader::rejectsBrokenFiles_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("labels");  // parse as a labels file instead of images
    QTest::addColumn<QString>("expected");

    auto add = [](const char* name, const std::string& b, bool labels, const char* expected) {
        QTest::newRow(name) << QByteArray(b.data(), qsizetype(b.size())) << labels
                            << QString(expected);
    };
    const std::string images = imagesFile(4, 5, 5);
    const std::string labels = labelsFile(4);
    add("empty", "", false, "truncated IDX file");
    add("header cut", images.substr(0, 10), false, "truncated IDX file: header needs 16 bytes");
    add("images data cut", images.substr(0, images.size() - 1), false,
        "truncated IDX file: expected 100 bytes of data, found 99");
    add("labels data cut", labels.substr(0, 10), true,
        "truncated IDX file: expected 4 bytes of data, found 2");
    add("labels read as images", labels, false, "magic 0x00000801, expected 0x00000803");
    add("images read as labels", images, true, "magic 0x00000803, expected 0x00000801");
    add("int32 element type", std::string("\0\0\x0c\x03", 4) + images.substr(4), false,
        "magic 0x00000c03");
    std::string huge = images;
    huge[10] = 0x20;  // rows = 0x2005 = 8197
    add("absurd rows", huge, false, "implausible IDX image size 8197x5");
    std::string zero = images;
    zero[15] = 0;  // cols = 0
    add("zero cols", zero, false, "implausible");
    std::string many = images;
    many[4] = char(0xff);  // count ≈ 4.3 billion
    add("count beyond int", many, false, "too large");
    std::string countHigh = images;
    countHigh[6] = 0x01;  // count = 260: the data are far too short
    add("count larger than data", countHigh, false, "expected 6500 bytes of data, found 100");
}

void TstIdxReader::rejectsBrokenFiles() {
    QFETCH(QByteArray, bytes);
    QFETCH(bool, labels);
    QFETCH(QString, expected);
    const std::string b = bytes.toStdString();
    expectDataError(
        [&] {
            if (labels)
                qkv::parseIdxLabels(b, "t.idx");
            else
                qkv::parseIdxImages(b, "t.idx");
        },
        expected);
    // The same bytes behind gzip give the same verdict.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = qkvtest::writeBytes(dir, "t.gz", qkvtest::gzip(b));
    expectDataError(
        [&] {
            if (labels)
                qkv::readIdxLabels(path);
            else
                qkv::readIdxImages(path);
        },
        expected);
}

void TstIdxReader::rejectsCorruptGzip() {
    const std::string gz = qkvtest::gzip(imagesFile(20, 8, 8));
    QVERIFY(gz.size() > 40);

    expectDataError([&] { qkv::maybeGunzip(gz.substr(0, gz.size() / 2), "half.gz"); },
                    "half.gz: truncated gzip");
    expectDataError([&] { qkv::maybeGunzip(gz.substr(0, gz.size() - 4), "tail.gz"); },
                    "truncated gzip");
    expectDataError([&] { qkv::maybeGunzip(gz.substr(0, 2), "magic.gz"); }, "truncated gzip");

    std::string badMethod = gz;
    badMethod[2] = 7;  // compression method other than deflate
    expectDataError([&] { qkv::maybeGunzip(badMethod, "m.gz"); }, "corrupt gzip");

    std::string badCrc = gz;
    badCrc[gz.size() - 6] = char(badCrc[gz.size() - 6] ^ 0x5a);  // inside the CRC-32 trailer
    expectDataError([&] { qkv::maybeGunzip(badCrc, "crc.gz"); }, "corrupt gzip");

    std::string garbage = gz.substr(0, 10) + std::string(100, '\xff');
    expectDataError([&] { qkv::maybeGunzip(garbage, "g.gz"); }, "corrupt gzip");

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = qkvtest::writeBytes(dir, "x-images-idx3-ubyte.gz", badCrc);
    expectDataError([&] { qkv::readIdxImages(path); }, "x-images-idx3-ubyte.gz");
}

void TstIdxReader::reportsMissingFiles() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string folder = dir.path().toStdString();
    expectDataError([&] { qkv::readIdxFolder(folder, "t10k"); }, "t10k-images-idx3-ubyte.gz");
    expectDataError([&] { qkv::readIdxFolder(folder, "t10k"); }, QString::fromStdString(folder));

    qkvtest::writeBytes(dir, "t10k-images-idx3-ubyte", imagesFile(1, 1, 1));
    expectDataError([&] { qkv::readIdxFolder(folder, "t10k"); }, "t10k-labels-idx1-ubyte");

    expectDataError([&] { qkv::readIdxFolder(folder + "/absent", "t10k"); }, "does not exist");
    expectDataError([&] { qkv::readIdxImages(folder + "/none-images-idx3-ubyte"); },
                    "none-images-idx3-ubyte");
}

void TstIdxReader::readsFashionMnist() {
    const QString folder = "/usr/share/datasets/fashion-mnist";
    if (!QFileInfo(folder).isDir()) QSKIP("dataset-fashion-mnist is not installed");
    const qkv::ImageSplit split = qkv::readIdxFolder(folder.toStdString(), "t10k");
    QCOMPARE(split.images.count, 10000);
    QCOMPARE(split.images.rows, 28);
    QCOMPARE(split.images.cols, 28);
    QCOMPARE(split.images.pixels.size(), size_t(10000 * 28 * 28));
    QCOMPARE(split.labels.size(), size_t(10000));
    std::vector<int> perClass(10, 0);
    for (uint8_t l : split.labels) {
        QVERIFY(l < 10);
        ++perClass[l];
    }
    for (int c : perClass) QCOMPARE(c, 1000);  // the test split is balanced
    // Not all black: a wrong offset or failed decompression would show here.
    QVERIFY(*std::max_element(split.images.pixels.begin(), split.images.pixels.end()) > 200);
}

QTEST_GUILESS_MAIN(TstIdxReader)
#include "tst_idx_reader.moc"
