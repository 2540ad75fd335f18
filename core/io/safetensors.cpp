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

using DType = TensorDType;

constexpr bool kLittleEndianHost = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

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

using Entry = TensorEntry;

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
        static const std::map<QString, std::pair<DType, uint64_t>> kTypes = {
            {"F32", {DType::F32, 4}},   {"F16", {DType::F16, 2}},     {"BF16", {DType::BF16, 2}},
            {"F64", {DType::F64, 8}},   {"I8", {DType::Other, 1}},    {"U8", {DType::Other, 1}},
            {"BOOL", {DType::Other, 1}}, {"I16", {DType::Other, 2}},  {"U16", {DType::Other, 2}},
            {"I32", {DType::Other, 4}}, {"U32", {DType::Other, 4}},   {"I64", {DType::Other, 8}},
            {"U64", {DType::Other, 8}}, {"F8_E4M3", {DType::Other, 1}},
            {"F8_E5M2", {DType::Other, 1}}};
        const auto type = kTypes.find(dtype.toString());
        if (type == kTypes.end())
            fail(t + " has unknown dtype '" + dtype.toString().toStdString() + "'");
        e.dtype = type->second.first;
        e.elementBytes = type->second.second;
        e.dtypeText = dtype.toString().toStdString();

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
        if (!byteSize(e.shape, e.elementBytes, expectedBytes))
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
    std::vector<float> values(size_t((e.end - e.begin) / dtypeSize(e.dtype)));
    convertToFloat(e.dtype, data + e.begin, values.size(), values.data());
    return values;
}

}  // namespace

std::string dtypeName(TensorDType t) {
    switch (t) {
        case DType::F32: return "F32";
        case DType::F16: return "F16";
        case DType::BF16: return "BF16";
        case DType::F64: return "F64";
        case DType::Other: return "other";
    }
    return "?";
}

uint64_t dtypeSize(TensorDType t) {
    switch (t) {
        case DType::F16:
        case DType::BF16: return 2;
        case DType::F32: return 4;
        case DType::F64: return 8;
        case DType::Other: return 0;
    }
    return 0;
}

void convertToFloat(TensorDType dtype, const unsigned char* p, size_t count, float* out) {
    if (count == 0) return;  // `out` of an empty tensor may be null, which memcpy may not take
    switch (dtype) {
        case DType::F32:
            if (kLittleEndianHost) {
                std::memcpy(out, p, count * 4);
                return;
            }
            for (size_t i = 0; i < count; ++i, p += 4) out[i] = bitsToFloat(uint32_t(loadLe(p, 4)));
            return;
        case DType::F16:
            for (size_t i = 0; i < count; ++i, p += 2) out[i] = halfToFloat(uint16_t(loadLe(p, 2)));
            return;
        case DType::BF16:
            for (size_t i = 0; i < count; ++i, p += 2)
                out[i] = bfloat16ToFloat(uint16_t(p[0] | (p[1] << 8)));
            return;
        case DType::F64:
            for (size_t i = 0; i < count; ++i, p += 8) out[i] = doubleBitsToFloat(loadLe(p, 8));
            return;
        case DType::Other:
            throw IoError("cannot convert a non-float tensor to float32");
    }
}

namespace {
// The 8-byte length and the JSON header (padded to 8 bytes) of F32 tensors laid out in order.
std::string headerBytes(const std::vector<TensorView>& tensors,
                        const std::map<std::string, std::string>& metadata) {
    QJsonObject header;
    if (!metadata.empty()) {
        QJsonObject meta;
        for (const auto& [key, value] : metadata)
            meta.insert(QString::fromStdString(key), QString::fromStdString(value));
        header.insert(kMetadataKey, meta);
    }
    uint64_t offset = 0;
    for (const TensorView& t : tensors) {
        uint64_t bytes = 0;
        if (!byteSize(t.shape, 4, bytes))
            throw IoError("cannot encode tensor '" + t.name + "': its shape overflows");
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
    storeLe(out, uint64_t(json.size()), 8);
    out.append(json.constData(), size_t(json.size()));
    return out;
}

int64_t elementCount(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

void appendFloats(std::string& out, const float* values, size_t count) {
    if (kLittleEndianHost) {
        out.append(reinterpret_cast<const char*>(values), count * 4);
        return;
    }
    for (size_t i = 0; i < count; ++i) {
        uint32_t bits;
        std::memcpy(&bits, &values[i], sizeof bits);
        storeLe(out, bits, 4);
    }
}
}  // namespace

std::string encodeSafetensors(const SafetensorsFile& file) {
    std::vector<TensorView> views;
    for (const NamedTensor& t : file.tensors) {
        uint64_t bytes = 0;
        if (!byteSize(t.shape, 4, bytes) || bytes / 4 != t.values.size())
            throw IoError("cannot encode tensor '" + t.name + "': its shape does not hold its "
                          + std::to_string(t.values.size()) + " values");
        views.push_back({t.name, t.shape, t.values.data()});
    }
    std::string out = headerBytes(views, file.metadata);
    for (const NamedTensor& t : file.tensors) appendFloats(out, t.values.data(), t.values.size());
    return out;
}

void writeSafetensorsFrom(const std::string& path, const std::vector<TensorView>& tensors,
                          const std::map<std::string, std::string>& metadata) {
    const std::string header = headerBytes(tensors, metadata);
    writeFileAtomicStreamed(path, [&](const ByteSink& sink) {
        sink(header.data(), header.size());
        std::string chunk;
        for (const TensorView& t : tensors) {
            const size_t count = size_t(elementCount(t.shape));
            if (kLittleEndianHost) {
                sink(reinterpret_cast<const char*>(t.data), count * 4);
                continue;
            }
            chunk.clear();
            appendFloats(chunk, t.data, count);
            sink(chunk.data(), chunk.size());
        }
    });
}

SafetensorsHeader parseSafetensorsHeader(const unsigned char* raw, uint64_t size,
                                         const std::string& source) {
    if (size < 8)
        throw IoError(source + ": too short for a safetensors file (" + std::to_string(size)
                      + " bytes, need at least 8)");
    const uint64_t headerSize = loadLe(raw, 8);
    if (headerSize > size - 8)
        throw IoError(source + ": header length " + std::to_string(headerSize)
                      + " exceeds the file size (" + std::to_string(size) + " bytes)");
    if (headerSize > kMaxHeaderBytes)
        throw IoError(source + ": header length " + std::to_string(headerSize)
                      + " exceeds the 100 MB limit");

    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char*>(raw) + 8, qsizetype(headerSize)),
        &err);
    if (err.error != QJsonParseError::NoError)
        throw IoError(source + ": header is not valid JSON (" + err.errorString().toStdString()
                      + " at offset " + std::to_string(err.offset) + ")");
    if (!doc.isObject()) throw IoError(source + ": header is not a JSON object");

    SafetensorsHeader out;
    out.dataOffset = 8 + headerSize;
    const HeaderParser parser(source, size - out.dataOffset);
    const QJsonObject header = doc.object();
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == kMetadataKey)
            out.metadata = parser.parseMetadata(it.value());
        else
            out.tensors.push_back(parser.parseEntry(it.key().toStdString(), it.value()));
    }
    std::stable_sort(out.tensors.begin(), out.tensors.end(),
                     [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
    return out;
}

SafetensorsFile decodeSafetensors(const std::string& bytes, const std::string& source) {
    const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
    const SafetensorsHeader header = parseSafetensorsHeader(raw, bytes.size(), source);
    SafetensorsFile file;
    file.metadata = header.metadata;
    // Every entry was checked against the size, so the reads below stay inside the buffer.
    const unsigned char* data = raw + header.dataOffset;
    file.tensors.reserve(header.tensors.size());
    for (const Entry& e : header.tensors) {
        if (e.dtype == DType::Other)
            throw IoError(source + ": tensor '" + e.name + "' has unsupported dtype '" +
                          e.dtypeText + "' (F32, F16, BF16, F64 only)");
    }
    for (const Entry& e : header.tensors)
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
