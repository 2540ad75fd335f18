#pragma once
// Whole-file reads and atomic writes (QSaveFile: the old file stays until the new one is complete).

#include <string>

namespace qkv {

void writeFileAtomic(const std::string& path, const std::string& bytes);  // throws IoError
std::string readFile(const std::string& path);                            // throws IoError

}  // namespace qkv
