#pragma once
// Whole-file reads and atomic writes (QSaveFile: the old file stays until the new one is complete).

#include <functional>
#include <string>

namespace qkv {

void writeFileAtomic(const std::string& path, const std::string& bytes);  // throws IoError

// The same for a file produced in parts (a model's weights, never held whole in memory):
// `produce` calls the sink it is given for each part, in order.
using ByteSink = std::function<void(const char* data, size_t size)>;
void writeFileAtomicStreamed(const std::string& path, const std::function<void(const ByteSink&)>& produce);
std::string readFile(const std::string& path);                            // throws IoError

}  // namespace qkv
