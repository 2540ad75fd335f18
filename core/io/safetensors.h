#pragma once
// The safetensors format (8-byte little-endian header length, JSON header, raw data), without
// LibTorch. Writing always uses F32; reading accepts F32, F16, BF16 and F64 and converts to float.

#include <map>
#include <string>
#include <vector>

#include "model/named_tensor.h"

namespace qkv {

// Other: an integer, boolean or 8-bit float tensor, which no model weight QKV Lab reads is
// (position-id buffers and the like): its bytes are checked, never converted.
enum class TensorDType { F32, F16, BF16, F64, Other };
std::string dtypeName(TensorDType t);  // "F32", ...
uint64_t dtypeSize(TensorDType t);     // bytes per element; 0 for Other

// One tensor of a header; offsets are relative to the data section, checked against its size.
struct TensorEntry {
    std::string name;
    TensorDType dtype = TensorDType::F32;
    std::string dtypeText;  // as the header spells it: "F32", "I64", ...
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
    uint64_t elementBytes = 4;
    int64_t elements() const { return int64_t((end - begin) / elementBytes); }
};

struct SafetensorsHeader {
    std::vector<TensorEntry> tensors;            // sorted by data offset
    std::map<std::string, std::string> metadata;
    uint64_t dataOffset = 0;                     // where the data section starts in the file
};

// Parses the header of a file of `size` bytes starting at `bytes` (a buffer or a memory map);
// every offset and shape is checked against the size. Throws IoError naming `source`.
SafetensorsHeader parseSafetensorsHeader(const unsigned char* bytes, uint64_t size,
                                         const std::string& source);
// Converts `count` little-endian values of `dtype` to float32.
void convertToFloat(TensorDType dtype, const unsigned char* src, size_t count, float* dst);

struct SafetensorsFile {
    std::vector<NamedTensor> tensors;            // in file order (sorted by data offset)
    std::map<std::string, std::string> metadata; // "__metadata__" (string → string)
};

// Serialises to bytes (F32, tensors laid out in the given order, header padded to 8 bytes).
std::string encodeSafetensors(const SafetensorsFile& file);
// Parses bytes; every offset and shape is checked against the buffer size before any read.
// Throws IoError with a message naming the problem (and `source`, for messages).
SafetensorsFile decodeSafetensors(const std::string& bytes, const std::string& source = "buffer");

// Writes F32 tensors straight from their memory, atomically; the layout of encodeSafetensors.
void writeSafetensorsFrom(const std::string& path, const std::vector<TensorView>& tensors,
                          const std::map<std::string, std::string>& metadata);

SafetensorsFile readSafetensors(const std::string& path);                 // throws IoError
void writeSafetensors(const std::string& path, const SafetensorsFile& f); // atomic; IoError

}  // namespace qkv
