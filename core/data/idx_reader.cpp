#include "data/idx_reader.h"

#include <QDir>
#include <QFileInfo>
#include <QString>

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include "common/errors.h"
#include "io/atomic_file.h"

namespace qkv {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr uint32_t kMaxSide = 4096;
constexpr size_t kMaxInflated = size_t(1) << 30;  // 1 GiB: a full MNIST train split is ~47 MB

uint32_t loadBe32(const std::string& bytes, size_t at) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data()) + at;
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

// Checks magic and header length and returns the dimensions.
std::vector<uint32_t> parseHeader(const std::string& bytes, const std::string& source,
                                  uint32_t expectedMagic, const char* kind) {
    if (bytes.size() < 4)
        throw DataError(source + ": truncated IDX file: no header (" + std::to_string(bytes.size())
                        + " bytes)");
    const uint32_t magic = loadBe32(bytes, 0);
    if (magic != expectedMagic)
        throw DataError(source + ": not an IDX " + kind + " file (magic " + hex32(magic)
                        + ", expected " + hex32(expectedMagic) + ")");
    const size_t dimCount = magic & 0xff;
    const size_t headerSize = 4 + 4 * dimCount;
    if (bytes.size() < headerSize)
        throw DataError(source + ": truncated IDX file: header needs " + std::to_string(headerSize)
                        + " bytes, found " + std::to_string(bytes.size()));
    std::vector<uint32_t> dims(dimCount);
    for (size_t i = 0; i < dimCount; ++i) dims[i] = loadBe32(bytes, 4 + 4 * i);
    if (dims[0] > uint32_t(INT_MAX))
        throw DataError(source + ": IDX item count " + std::to_string(dims[0]) + " is too large");
    return dims;
}

void checkDataSize(const std::string& bytes, const std::string& source, size_t headerSize,
                   uint64_t expected) {
    const uint64_t found = bytes.size() - headerSize;
    if (found < expected)
        throw DataError(source + ": truncated IDX file: expected " + std::to_string(expected)
                        + " bytes of data, found " + std::to_string(found));
}

// The first candidate that exists in `dir`, or an empty string.
QString findFile(const QDir& dir, const QStringList& names) {
    for (const QString& name : names)
        if (QFileInfo(dir.filePath(name)).isFile()) return dir.filePath(name);
    return {};
}

QStringList candidates(const QString& split, const QString& kind, const QString& idx) {
    // Both spellings occur in the wild: "t10k-images-idx3-ubyte" and "t10k-images.idx3-ubyte".
    const QStringList stems{split + "-" + kind + "-" + idx + "-ubyte",
                            split + "-" + kind + "." + idx + "-ubyte"};
    QStringList out;
    for (const QString& stem : stems) out << stem << stem + ".gz";
    return out;
}

// IDX loaders report every input problem as DataError, including an unreadable file.
std::string readInput(const std::string& path) {
    try {
        return readFile(path);
    } catch (const IoError& e) {
        throw DataError(e.what());
    }
}

}  // namespace

std::string maybeGunzip(const std::string& bytes, const std::string& source) {
    if (bytes.size() < 2 || uint8_t(bytes[0]) != 0x1f || uint8_t(bytes[1]) != 0x8b) return bytes;

    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK)  // +32: detect the gzip wrapper from its header
        throw DataError(source + ": cannot initialise zlib");
    std::string out(std::min(std::max<size_t>(bytes.size() * 4, 1 << 16), kMaxInflated), '\0');
    size_t inPos = 0, outPos = 0;
    int rc = Z_OK;
    for (;;) {
        if (outPos == out.size()) {
            if (out.size() >= kMaxInflated) {
                inflateEnd(&zs);
                throw DataError(source + ": gzip content exceeds the 1 GiB limit");
            }
            out.resize(std::min(out.size() * 2, kMaxInflated));
        }
        // avail_in/avail_out are 32-bit: feed large buffers in slices.
        const size_t inSlice = std::min<size_t>(bytes.size() - inPos, UINT_MAX);
        const size_t outSlice = std::min<size_t>(out.size() - outPos, UINT_MAX);
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + inPos));
        zs.avail_in = uInt(inSlice);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + outPos);
        zs.avail_out = uInt(outSlice);
        rc = inflate(&zs, Z_NO_FLUSH);
        inPos += inSlice - zs.avail_in;
        outPos += outSlice - zs.avail_out;
        if (rc == Z_STREAM_END) {
            // gzip allows several members back to back (e.g. files joined with cat).
            const bool anotherMember = bytes.size() - inPos >= 2 && uint8_t(bytes[inPos]) == 0x1f
                                       && uint8_t(bytes[inPos + 1]) == 0x8b;
            if (!anotherMember) break;
            inflateReset(&zs);
            continue;
        }
        const bool stalled = rc == Z_BUF_ERROR && inPos == bytes.size();
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            const std::string reason = zs.msg ? zs.msg : "error " + std::to_string(rc);
            inflateEnd(&zs);
            throw DataError(source + ": corrupt gzip data (" + reason + ")");
        }
        if (stalled || (inPos == bytes.size() && outPos < out.size())) {
            inflateEnd(&zs);
            throw DataError(source + ": truncated gzip data");
        }
    }
    inflateEnd(&zs);
    out.resize(outPos);
    return out;
}

IdxImages parseIdxImages(const std::string& bytes, const std::string& source) {
    const std::vector<uint32_t> dims = parseHeader(bytes, source, kImagesMagic, "images");
    const uint32_t rows = dims[1], cols = dims[2];
    if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide)
        throw DataError(source + ": implausible IDX image size " + std::to_string(rows) + "x"
                        + std::to_string(cols) + " (1 to " + std::to_string(kMaxSide)
                        + " per side)");
    // count < 2³¹ and rows·cols ≤ 2²⁴, so the product fits in 64 bits.
    const uint64_t expected = uint64_t(dims[0]) * rows * cols;
    const size_t headerSize = 16;
    checkDataSize(bytes, source, headerSize, expected);
    IdxImages images;
    images.count = int(dims[0]);
    images.rows = int(rows);
    images.cols = int(cols);
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data()) + headerSize;
    images.pixels.assign(data, data + expected);
    return images;
}

std::vector<uint8_t> parseIdxLabels(const std::string& bytes, const std::string& source) {
    const std::vector<uint32_t> dims = parseHeader(bytes, source, kLabelsMagic, "labels");
    const size_t headerSize = 8;
    checkDataSize(bytes, source, headerSize, dims[0]);
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data()) + headerSize;
    return std::vector<uint8_t>(data, data + dims[0]);
}

IdxImages readIdxImages(const std::string& path) {
    return parseIdxImages(maybeGunzip(readInput(path), path), path);
}

std::vector<uint8_t> readIdxLabels(const std::string& path) {
    return parseIdxLabels(maybeGunzip(readInput(path), path), path);
}

ImageSplit readIdxFolder(const std::string& folder, const std::string& split) {
    const QDir dir(QString::fromStdString(folder));
    if (!dir.exists()) throw DataError("IDX folder " + folder + " does not exist");
    const QString s = QString::fromStdString(split);
    const QStringList imageNames = candidates(s, "images", "idx3");
    const QStringList labelNames = candidates(s, "labels", "idx1");
    const QString imagesPath = findFile(dir, imageNames);
    if (imagesPath.isEmpty())
        throw DataError("no " + split + " images in " + folder + " (looked for "
                        + imageNames.join(", ").toStdString() + ")");
    const QString labelsPath = findFile(dir, labelNames);
    if (labelsPath.isEmpty())
        throw DataError("no " + split + " labels in " + folder + " (looked for "
                        + labelNames.join(", ").toStdString() + ")");

    ImageSplit result;
    result.images = readIdxImages(imagesPath.toStdString());
    result.labels = readIdxLabels(labelsPath.toStdString());
    if (size_t(result.images.count) != result.labels.size())
        throw DataError(folder + ": " + split + " has " + std::to_string(result.images.count)
                        + " images but " + std::to_string(result.labels.size()) + " labels");
    return result;
}

}  // namespace qkv
