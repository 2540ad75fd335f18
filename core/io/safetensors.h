#pragma once
// The safetensors format (8-byte little-endian header length, JSON header, raw data), without
// LibTorch. Writing always uses F32; reading accepts F32, F16, BF16 and F64 and converts to float.

#include <map>
#include <string>
#include <vector>

#include "model/model.h"

namespace qkv {

struct SafetensorsFile {
    std::vector<NamedTensor> tensors;            // in file order (sorted by data offset)
    std::map<std::string, std::string> metadata; // "__metadata__" (string → string)
};

// Serialises to bytes (F32, tensors laid out in the given order, header padded to 8 bytes).
std::string encodeSafetensors(const SafetensorsFile& file);
// Parses bytes; every offset and shape is checked against the buffer size before any read.
// Throws IoError with a message naming the problem (and `source`, for messages).
SafetensorsFile decodeSafetensors(const std::string& bytes, const std::string& source = "buffer");

SafetensorsFile readSafetensors(const std::string& path);                 // throws IoError
void writeSafetensors(const std::string& path, const SafetensorsFile& f); // atomic; IoError

}  // namespace qkv
