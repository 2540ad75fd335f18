#pragma once
// MNIST-format IDX files (raw or gzip), e.g. Fashion-MNIST from Debian's dataset-fashion-mnist.

#include <cstdint>
#include <string>
#include <vector>

namespace qkv {

struct IdxImages {
    int count = 0, rows = 0, cols = 0;
    std::vector<uint8_t> pixels;  // count · rows · cols, row-major
};

// Reads a file whose bytes may be gzip-compressed (detected by the 1f 8b magic). Throws
// DataError for a wrong magic number, a truncated file or sizes that do not add up.
IdxImages readIdxImages(const std::string& path);   // magic 0x00000803, unsigned byte
std::vector<uint8_t> readIdxLabels(const std::string& path);  // magic 0x00000801

// Same, from bytes already in memory (after gunzip when needed).
IdxImages parseIdxImages(const std::string& bytes, const std::string& source);
std::vector<uint8_t> parseIdxLabels(const std::string& bytes, const std::string& source);
// gunzip when the bytes start with the gzip magic, else return them unchanged; DataError if corrupt.
std::string maybeGunzip(const std::string& bytes, const std::string& source);

struct ImageSplit {
    IdxImages images;
    std::vector<uint8_t> labels;
};

// A folder with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-... .
// `split` is "train" or "t10k". Throws DataError naming the missing file.
ImageSplit readIdxFolder(const std::string& folder, const std::string& split);

}  // namespace qkv
