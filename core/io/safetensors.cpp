#include "io/safetensors.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/errors.h"
#include "io/atomic_file.h"

namespace qkv {

namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;
const char* const kMetadataKey = "__metadata__";

enum class DType { F32, F16, BF16, F64 };

uint64_t dtypeSize(DType t) {
    switch (t) {
        case DType::F16:
        case DType::BF16: return 2;
        case DType::F32: return 4;
        case DType::F64: return 8;
    }
    return 0;
}

// Byte assembly instead of memcpy so the format stays little-endian on any host.
uint64_t loadLe(const unsigned char* p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

void storeLe(std::string& out, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

float bitsToFloat(uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

float halfToFloat(uint16_t h) {
    const bool negative = h & 0x8000;
    const int exponent = (h >> 10) & 0x1f;
    const int mantissa = h & 0x3ff;
    float v;
    if (exponent == 0)  // zero or subnormal: mantissa · 2⁻²⁴, exact in float
        v = std::ldexp(float(mantissa), -24);
    else if (exponent == 31)
        v = mantissa == 0 ? std::numeric_limits<float>::infinity()
                          : std::numeric_limits<float>::quiet_NaN();
    else
        v = std::ldexp(float(mantissa | 0x400), exponent - 25);
    return negative ? -v : v;
}

// bfloat16 is the upper half of a float32, so subnormals, inf and nan carry over unchanged.
float bfloat16ToFloat(uint16_t b) { return bitsToFloat(uint32_t(b) << 16); }

float doubleBitsToFloat(uint64_t bits) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return float(d);  // out-of-range values become ±inf, as a cast to float32 does elsewhere
}

std::string numberText(const QJsonValue& v) {
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).mid(1).chopped(1)
        .toStdString();
}

// An exact integer that fits in int64; JSON numbers are doubles, and toInteger() falls back to
// its default for fractions and out-of-range values, so two different defaults reveal those.
bool jsonInteger(const QJsonValue& v, int64_t& out) {
    if (!v.isDouble()) return false;
    const qint64 a = v.toInteger(0), b = v.toInteger(1);
    if (a != b) return false;
    out = a;
    return true;
}

// product(shape) · elementSize; false on overflow. A zero dimension makes the size zero whatever
// the other dimensions are, so it is checked before multiplying.
bool byteSize(const std::vector<int64_t>& shape, uint64_t elementSize, uint64_t& out) {
    if (std::find(shape.begin(), shape.end(), 0) != shape.end()) {
        out = 0;
        return true;
    }
    uint64_t n = elementSize;
    for (int64_t d : shape)
        if (d < 0 || __builtin_mul_overflow(n, uint64_t(d), &n)) return false;
    out = n;
    return true;
}

struct Entry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
};

class HeaderParser {
public:
    HeaderParser(const std::string& source, uint64_t dataSize)
        : m_source(source), m_dataSize(dataSize) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw IoError(m_source + ": " + what);
    }

    Entry parseEntry(const std::string& name, const QJsonValue& value) const {
        const std::string t = "tensor '" + name + "'";
        if (!value.isObject()) fail(t + " is not a JSON object");
        const QJsonObject obj = value.toObject();
        Entry e;
        e.name = name;

        const QJsonValue dtype = obj.value("dtype");
        if (!dtype.isString()) fail(t + " has no \"dtype\" string");
        const QString d = dtype.toString();
        if (d == "F32") e.dtype = DType::F32;
        else if (d == "F16") e.dtype = DType::F16;
        else if (d == "BF16") e.dtype = DType::BF16;
        else if (d == "F64") e.dtype = DType::F64;
        else
            fail(t + " has unsupported dtype '" + d.toStdString()
                 + "' (F32, F16, BF16, F64 only)");

        const QJsonValue shape = obj.value("shape");
        if (!shape.isArray()) fail(t + " has no \"shape\" array");
        for (const QJsonValue& dim : shape.toArray()) {
            int64_t n = 0;
            if (!jsonInteger(dim, n) || n < 0)
                fail(t + " has an invalid shape entry " + numberText(dim)
                     + " (expected a non-negative integer)");
            e.shape.push_back(n);
        }
        uint64_t expectedBytes = 0;
        if (!byteSize(e.shape, dtypeSize(e.dtype), expectedBytes))
            fail(t + " has a shape whose size overflows");

        const QJsonValue offsets = obj.value("data_offsets");
        const QJsonArray arr = offsets.toArray();
        int64_t begin = 0, end = 0;
        if (!offsets.isArray() || arr.size() != 2 || !jsonInteger(arr[0], begin)
            || !jsonInteger(arr[1], end) || begin < 0 || end < 0)
            fail(t + " has invalid \"data_offsets\" (expected two non-negative integers)");
        const std::string range = "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
        if (begin > end) fail(t + " data_offsets " + range + " have begin after end");
        if (uint64_t(end) > m_dataSize)
            fail(t + " data_offsets " + range + " exceed the data size ("
                 + std::to_string(m_dataSize) + " bytes)");
        e.begin = uint64_t(begin);
        e.end = uint64_t(end);
        if (e.end - e.begin != expectedBytes)
            fail(t + " data_offsets " + range + " span " + std::to_string(e.end - e.begin)
                 + " bytes but its shape and dtype need " + std::to_string(expectedBytes));
        return e;
    }

    std::map<std::string, std::string> parseMetadata(const QJsonValue& value) const {
        if (!value.isObject()) fail("\"__metadata__\" is not a JSON object");
        std::map<std::string, std::string> out;
        const QJsonObject obj = value.toObject();
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            if (!it.value().isString())
                fail("metadata value '" + it.key().toStdString() + "' is not a string");
            out[it.key().toStdString()] = it.value().toString().toStdString();
        }
        return out;
    }

private:
    std::string m_source;
    uint64_t m_dataSize;
};

std::vector<float> decodeValues(const Entry& e, const unsigned char* data) {
    const uint64_t size = dtypeSize(e.dtype);
    const size_t count = size_t((e.end - e.begin) / size);
    std::vector<float> values(count);
    const unsigned char* p = data + e.begin;
    for (size_t i = 0; i < count; ++i, p += size) {
        switch (e.dtype) {
            case DType::F32: values[i] = bitsToFloat(uint32_t(loadLe(p, 4))); break;
            case DType::F16: values[i] = halfToFloat(uint16_t(loadLe(p, 2))); break;
            case DType::BF16: values[i] = bfloat16ToFloat(uint16_t(loadLe(p, 2))); break;
            case DType::F64: values[i] = doubleBitsToFloat(loadLe(p, 8)); break;
        }
    }
    return values;
}

}  // namespace

std::string encodeSafetensors(const SafetensorsFile& file) {
    QJsonObject header;
    if (!file.metadata.empty()) {
        QJsonObject meta;
        for (const auto& [key, value] : file.metadata)
            meta.insert(QString::fromStdString(key), QString::fromStdString(value));
        header.insert(kMetadataKey, meta);
    }
    uint64_t offset = 0;
    for (const NamedTensor& t : file.tensors) {
        uint64_t bytes = 0;
        if (!byteSize(t.shape, 4, bytes) || bytes / 4 != t.values.size())
            throw IoError("cannot encode tensor '" + t.name + "': its shape does not hold its "
                          + std::to_string(t.values.size()) + " values");
        const QString key = QString::fromStdString(t.name);
        if (t.name == kMetadataKey || header.contains(key))
            throw IoError("cannot encode tensor '" + t.name + "': duplicate or reserved name");
        QJsonArray shape;
        for (int64_t d : t.shape) shape.append(qint64(d));
        header.insert(key, QJsonObject{{"dtype", "F32"},
                                       {"shape", shape},
                                       {"data_offsets", QJsonArray{qint64(offset),
                                                                   qint64(offset + bytes)}}});
        offset += bytes;
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    // Padding keeps the data buffer 8-byte aligned for readers that map the file.
    while (json.size() % 8 != 0) json.append(' ');

    std::string out;
    out.reserve(8 + size_t(json.size()) + size_t(offset));
    storeLe(out, uint64_t(json.size()), 8);
    out.append(json.constData(), size_t(json.size()));
    for (const NamedTensor& t : file.tensors) {
        for (float v : t.values) {
            uint32_t bits;
            std::memcpy(&bits, &v, sizeof bits);
            storeLe(out, bits, 4);
        }
    }
    return out;
}

SafetensorsFile decodeSafetensors(const std::string& bytes, const std::string& source) {
    const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
    if (bytes.size() < 8)
        throw IoError(source + ": too short for a safetensors file (" + std::to_string(bytes.size())
                      + " bytes, need at least 8)");
    const uint64_t headerSize = loadLe(raw, 8);
    if (headerSize > bytes.size() - 8)
        throw IoError(source + ": header length " + std::to_string(headerSize)
                      + " exceeds the file size (" + std::to_string(bytes.size()) + " bytes)");
    if (headerSize > kMaxHeaderBytes)
        throw IoError(source + ": header length " + std::to_string(headerSize)
                      + " exceeds the 100 MB limit");

    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(bytes.data() + 8, qsizetype(headerSize)), &err);
    if (err.error != QJsonParseError::NoError)
        throw IoError(source + ": header is not valid JSON (" + err.errorString().toStdString()
                      + " at offset " + std::to_string(err.offset) + ")");
    if (!doc.isObject()) throw IoError(source + ": header is not a JSON object");

    const uint64_t dataSize = bytes.size() - 8 - headerSize;
    const HeaderParser parser(source, dataSize);
    SafetensorsFile file;
    std::vector<Entry> entries;
    const QJsonObject header = doc.object();
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == kMetadataKey)
            file.metadata = parser.parseMetadata(it.value());
        else
            entries.push_back(parser.parseEntry(it.key().toStdString(), it.value()));
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.begin < b.begin; });

    // Every entry was checked above, so the reads below stay inside the buffer.
    const unsigned char* data = raw + 8 + headerSize;
    file.tensors.reserve(entries.size());
    for (const Entry& e : entries)
        file.tensors.push_back(NamedTensor{e.name, e.shape, decodeValues(e, data)});
    return file;
}

SafetensorsFile readSafetensors(const std::string& path) {
    return decodeSafetensors(readFile(path), path);
}

void writeSafetensors(const std::string& path, const SafetensorsFile& f) {
    writeFileAtomic(path, encodeSafetensors(f));
}

}  // namespace qkv
