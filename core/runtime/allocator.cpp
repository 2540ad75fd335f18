#include "runtime/allocator.h"

#include <malloc.h>

namespace qkv {

namespace {
constexpr int kMmapThreshold = 32 << 20;
constexpr int kTrimThreshold = 256 << 20;
}  // namespace

bool keepFreedMemoryForReuse() {
    // mallopt returns 1 on success.
    const bool mmap = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1;
    const bool trim = mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
    return mmap && trim;
}

std::string reuseTunables() {
    return "glibc.malloc.mmap_threshold=" + std::to_string(kMmapThreshold) +
           ":glibc.malloc.trim_threshold=" + std::to_string(kTrimThreshold);
}

}  // namespace qkv
