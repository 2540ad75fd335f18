#include "runtime/memory_guard.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/errors.h"

namespace qkv {

namespace {
int64_t parseLimit(const char* text) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end == text || !(v > 0)) return -1;
    double scale = 1;
    switch (*end) {
        case 'k':
        case 'K':
            scale = 1024.0;
            break;
        case 'm':
        case 'M':
            scale = 1024.0 * 1024;
            break;
        case 'g':
        case 'G':
            scale = 1024.0 * 1024 * 1024;
            break;
        default:
            break;
    }
    return int64_t(v * scale);
}
}  // namespace

int64_t availableMemoryBytes() {
    int64_t available = -1;
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
        if (line.rfind("MemAvailable:", 0) != 0) continue;
        std::istringstream fields(line.substr(13));
        int64_t kb = 0;
        if (fields >> kb) available = kb * 1024;
        break;
    }
    if (const char* limit = std::getenv("QKVLAB_MEMORY_LIMIT")) {
        const int64_t cap = parseLimit(limit);
        if (cap > 0 && (available < 0 || cap < available)) available = cap;
    }
    return available;
}

std::string byteSizeText(int64_t bytes) {
    const double b = double(bytes);
    char buf[32];
    if (b >= 1e9)
        std::snprintf(buf, sizeof buf, "%.1f GB", b / 1e9);
    else if (b >= 1e6)
        std::snprintf(buf, sizeof buf, "%.0f MB", b / 1e6);
    else
        std::snprintf(buf, sizeof buf, "%.0f KB", b / 1e3);
    return buf;
}

void requireMemory(int64_t bytes, const std::string& what) {
    const int64_t available = availableMemoryBytes();
    if (available < 0 || bytes <= available) return;
    throw ResourceError(what + ": " + byteSizeText(bytes) + " needed, but this machine has " +
                        byteSizeText(available) + " available");
}

}  // namespace qkv
