// The safetensors reader/writer: bit-exact round trips, foreign dtypes, and hostile files.

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "test_helpers.h"

using qkv::IoError;
using qkv::NamedTensor;
using qkv::SafetensorsFile;

namespace {

std::string le64(uint64_t v) {
    std::string out;
    for (int i = 0; i < 8; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
    return out;
}

// A file from a hand-written header and `dataSize` zero bytes of data.
std::string withHeader(const std::string& json, size_t dataSize) {
    return le64(json.size()) + json + std::string(dataSize, '\0');
}

void appendLe(std::string& out, uint64_t bits, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(char((bits >> (8 * i)) & 0xff));
}

uint32_t floatBits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}

uint64_t doubleBits(double d) {
    uint64_t b;
    std::memcpy(&b, &d, sizeof b);
    return b;
}

// Bitwise equality, so that NaN, -0 and subnormals count as preserved only when they are.
bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
    // memcmp of two empty vectors may see null pointers, which it must not be given.
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

}  // namespace

class TstSafetensors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripIsBitExact();
    void headerIsPaddedToEightBytes();
    void decodesHalfBfloatAndDouble();
    void rejectsCorruptFiles_data();
    void rejectsCorruptFiles();
    void randomCorruptionNeverCrashes();
    void atomicWriteReplacesAndReadFailsCleanly();
};

void TstSafetensors::roundTripIsBitExact() {
    const float inf = std::numeric_limits<float>::infinity();
    SafetensorsFile in;
    in.tensors = {
        {"embed.weight", {3, 2}, {1.0f, -2.5f, 0.1f, 1e-40f, -0.0f, 3.4e38f}},
        {"scalar", {}, {42.0f}},
        {"empty", {0, 4}, {}},
        {"specials", {3}, {inf, -inf, std::numeric_limits<float>::quiet_NaN()}},
        {"a.bias", {2}, {7.0f, -7.0f}},  // sorts first alphabetically, but must stay last here
    };
    in.metadata = {{"format", "pt"}, {"note", "grüße, \"quoted\"\nnewline"}, {"empty", ""}};

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("model.safetensors").toStdString();
    qkv::writeSafetensors(path, in);
    const SafetensorsFile out = qkv::readSafetensors(path);

    QCOMPARE(out.metadata, in.metadata);
    QCOMPARE(out.tensors.size(), in.tensors.size());
    for (size_t i = 0; i < in.tensors.size(); ++i) {
        QCOMPARE(out.tensors[i].name, in.tensors[i].name);
        QCOMPARE(out.tensors[i].shape, in.tensors[i].shape);
        QVERIFY2(sameBits(out.tensors[i].values, in.tensors[i].values), in.tensors[i].name.c_str());
    }
    // Decoding what was encoded gives the same bytes again.
    QCOMPARE(qkv::encodeSafetensors(out), qkv::readFile(path));
}

void TstSafetensors::headerIsPaddedToEightBytes() {
    for (int n = 0; n < 9; ++n) {
        SafetensorsFile f;
        f.tensors.push_back({std::string(size_t(n), 'w'), {1}, {1.0f}});
        const std::string bytes = qkv::encodeSafetensors(f);
        uint64_t headerSize = 0;
        for (int i = 7; i >= 0; --i) headerSize = (headerSize << 8) | uint8_t(bytes[size_t(i)]);
        QCOMPARE(headerSize % 8, uint64_t(0));
        QCOMPARE(bytes.size(), size_t(8 + headerSize + 4));
    }
}

void TstSafetensors::decodesHalfBfloatAndDouble() {
    const float inf = std::numeric_limits<float>::infinity();
    // F16 bit patterns: 1, -2.5, 65504 (largest finite), smallest and largest subnormal, -0,
    // +inf, -inf, nan.
    const std::vector<uint16_t> half{0x3c00, 0xc100, 0x7bff, 0x0001, 0x03ff,
                                     0x8000, 0x7c00, 0xfc00, 0x7e00};
    const std::vector<float> halfExpected{1.0f, -2.5f, 65504.0f, std::ldexp(1.0f, -24),
                                          1023 * std::ldexp(1.0f, -24), -0.0f, inf, -inf};
    // BF16: 1, -2.5, 3.140625, a subnormal (2^-133), inf, nan.
    const std::vector<uint16_t> bf16{0x3f80, 0xc020, 0x4049, 0x0001, 0x7f80, 0x7fc0};
    const std::vector<float> bf16Expected{1.0f, -2.5f, 3.140625f, std::ldexp(1.0f, -133), inf};
    const std::vector<double> f64{1.0, -2.5, 0.1, 1e300, 65504.0, -1e-320};

    std::string data;
    for (uint16_t h : half) appendLe(data, h, 2);     // [0, 18)
    for (uint16_t b : bf16) appendLe(data, b, 2);     // [18, 30)
    data.append(2, '\0');                             // a gap the reader must skip
    for (double d : f64) appendLe(data, doubleBits(d), 8);  // [32, 80)
    std::string json = R"({"__metadata__":{"source":"hand"},)"
                       R"("d":{"dtype":"F64","shape":[2,3],"data_offsets":[32,80]},)"
                       R"("h":{"dtype":"F16","shape":[9],"data_offsets":[0,18]},)"
                       R"("b":{"dtype":"BF16","shape":[2,1,3],"data_offsets":[18,30]}})";
    const std::string bytes = le64(json.size()) + json + data;

    const SafetensorsFile f = qkv::decodeSafetensors(bytes, "hand.safetensors");
    QCOMPARE(f.metadata.at("source"), std::string("hand"));
    QCOMPARE(f.tensors.size(), size_t(3));
    QCOMPARE(f.tensors[0].name, std::string("h"));  // sorted by offset, not by name
    QCOMPARE(f.tensors[1].name, std::string("b"));
    QCOMPARE(f.tensors[2].name, std::string("d"));
    QCOMPARE(f.tensors[1].shape, (std::vector<int64_t>{2, 1, 3}));

    const std::vector<float>& h = f.tensors[0].values;
    QCOMPARE(h.size(), size_t(9));
    QVERIFY(sameBits({h.begin(), h.end() - 1}, halfExpected));
    QVERIFY(std::isnan(h.back()));

    const std::vector<float>& b = f.tensors[1].values;
    QCOMPARE(b.size(), size_t(6));
    QVERIFY(sameBits({b.begin(), b.end() - 1}, bf16Expected));
    QVERIFY(std::isnan(b.back()));

    const std::vector<float> dExpected{1.0f, -2.5f, float(0.1), inf, 65504.0f, -0.0f};
    QVERIFY(sameBits(f.tensors[2].values, dExpected));
    QCOMPARE(floatBits(f.tensors[2].values[2]), floatBits(0.1f));
}

void TstSafetensors::rejectsCorruptFiles_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");  // a fragment of the message

    auto add = [](const char* name, const std::string& bytes, const char* expected) {
        QTest::newRow(name) << QByteArray(bytes.data(), qsizetype(bytes.size()))
                            << QString(expected);
    };
    auto entry = [](const std::string& fields) { return R"({"x":{)" + fields + "}}"; };

    add("empty file", "", "too short");
    add("4 bytes", std::string("\x10\0\0\0", 4), "too short");
    add("header length larger than file", le64(1000) + "{}", "exceeds the file size");
    add("header length near 2^64", le64(~uint64_t(0)) + "{}", "exceeds the file size");
    add("header not JSON", withHeader("{not json", 0), "not valid JSON");
    add("header JSON array", withHeader("[1, 2]", 0), "not a JSON object");
    add("entry not an object", withHeader(R"({"x": 3})", 0), "not a JSON object");
    add("offsets past end",
        withHeader(entry(R"("dtype":"F32","shape":[4],"data_offsets":[0,99])"), 64),
        "'x' data_offsets [0, 99] exceed the data size (64 bytes)");
    add("offsets/shape size mismatch",
        withHeader(entry(R"("dtype":"F32","shape":[3],"data_offsets":[0,16])"), 16),
        "need 12");
    add("unknown dtype",
        withHeader(entry(R"("dtype":"I64","shape":[2],"data_offsets":[0,16])"), 16),
        "unsupported dtype 'I64'");
    add("dtype not a string",
        withHeader(entry(R"("dtype":4,"shape":[1],"data_offsets":[0,4])"), 4), "dtype");
    add("negative shape",
        withHeader(entry(R"("dtype":"F32","shape":[-1,4],"data_offsets":[0,16])"), 16),
        "invalid shape entry -1");
    add("fractional shape",
        withHeader(entry(R"("dtype":"F32","shape":[1.5],"data_offsets":[0,4])"), 4),
        "invalid shape entry");
    add("shape not an array",
        withHeader(entry(R"("dtype":"F32","shape":4,"data_offsets":[0,16])"), 16), "shape");
    add("begin after end",
        withHeader(entry(R"("dtype":"F32","shape":[1],"data_offsets":[8,4])"), 8),
        "begin after end");
    add("negative offset",
        withHeader(entry(R"("dtype":"F32","shape":[1],"data_offsets":[-4,0])"), 8),
        "data_offsets");
    add("three offsets",
        withHeader(entry(R"("dtype":"F32","shape":[1],"data_offsets":[0,4,8])"), 8),
        "data_offsets");
    add("huge shape overflows",
        withHeader(entry(R"("dtype":"F32","shape":[4294967296,4294967296,16],)"
                         R"("data_offsets":[0,0])"), 8),
        "overflows");
    add("shape beyond int64",
        withHeader(entry(R"("dtype":"F32","shape":[1e30],"data_offsets":[0,4])"), 4),
        "invalid shape entry");
    add("metadata value not a string",
        withHeader(R"({"__metadata__":{"epochs":3}})", 0), "metadata value 'epochs'");
    add("metadata not an object", withHeader(R"({"__metadata__":"x"})", 0), "__metadata__");
}

void TstSafetensors::rejectsCorruptFiles() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    try {
        qkv::decodeSafetensors(bytes.toStdString(), "model.safetensors");
        QFAIL("no IoError");
    } catch (const IoError& e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.startsWith("model.safetensors: "), e.what());
        QVERIFY2(message.contains(expected), e.what());
        QVERIFY2(!message.contains('\n'), e.what());
    }
}

void TstSafetensors::randomCorruptionNeverCrashes() {
    SafetensorsFile f;
    f.tensors = {{"w", {4, 3}, std::vector<float>(12, 0.5f)}, {"b", {3}, {1.0f, 2.0f, 3.0f}}};
    f.metadata = {{"k", "v"}};
    const std::string good = qkv::encodeSafetensors(f);
    std::mt19937 rng(1234);
    int rejected = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        std::string bytes = good;
        if (trial % 3 == 0) {
            bytes.resize(rng() % bytes.size());
        } else {
            const int flips = 1 + int(rng() % 4);
            for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = char(rng() & 0xff);
        }
        try {
            qkv::decodeSafetensors(bytes, "fuzz");
        } catch (const IoError&) {
            ++rejected;
        }
    }
    QVERIFY(rejected > 1000);  // truncations alone reject ~1000
}

void TstSafetensors::atomicWriteReplacesAndReadFailsCleanly() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("state.bin").toStdString();
    qkv::writeFileAtomic(path, std::string("first\0version", 13));
    qkv::writeFileAtomic(path, "second");
    QCOMPARE(qkv::readFile(path), std::string("second"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"state.bin"});

    const std::string missing = dir.filePath("nope/missing.safetensors").toStdString();
    QVERIFY_THROWS_EXCEPTION(IoError, qkv::readFile(missing));
    QVERIFY_THROWS_EXCEPTION(IoError, qkv::readSafetensors(missing));
    QVERIFY_THROWS_EXCEPTION(IoError, qkv::writeFileAtomic(missing, "x"));
    try {
        qkv::readFile(missing);
    } catch (const IoError& e) {
        QVERIFY2(QString(e.what()).contains("missing.safetensors"), e.what());
    }
}

QTEST_GUILESS_MAIN(TstSafetensors)
#include "tst_safetensors.moc"
