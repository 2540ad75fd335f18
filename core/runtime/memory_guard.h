#pragma once
// Refusing work that cannot fit before allocating it: the kernel's out-of-memory killer gives a
// user nothing to act on, a message with both figures does.

#include <cstdint>
#include <string>

namespace qkv {

// MemAvailable from /proc/meminfo (bytes); the QKVLAB_MEMORY_LIMIT environment variable
// (bytes, or with a K/M/G suffix) lowers it, for tests and shared machines. -1 when unknown.
int64_t availableMemoryBytes();

// Throws ResourceError when `bytes` exceed the available memory, naming `what`:
// "the model's weights: 17.2 GB needed, but this machine has 9.8 GB available".
void requireMemory(int64_t bytes, const std::string& what);

// "17.2 GB", "512 MB", "900 KB".
std::string byteSizeText(int64_t bytes);

}  // namespace qkv
