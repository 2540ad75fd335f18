#include "malloc_mode.h"

#include <cstdlib>
#include <iostream>

#include "runtime/allocator.h"

namespace trainbench {

const char* mallocModeName(MallocMode m) {
    switch (m) {
        case MallocMode::App:
            return "app";
        case MallocMode::Default:
            return "default";
        case MallocMode::Tuned:
            return "tuned";
    }
    return "?";
}

std::optional<MallocMode> parseMallocMode(const std::string& name) {
    for (MallocMode m : {MallocMode::App, MallocMode::Default, MallocMode::Tuned})
        if (name == mallocModeName(m)) return m;
    return std::nullopt;
}

void applyMallocMode(MallocMode m) {
    if (m == MallocMode::Default) return;
    // A refused setting would make the "malloc" label of the results wrong.
    if (!qkv::keepFreedMemoryForReuse())
        std::cerr << "bench_train: warning: glibc refused the allocator settings\n";
    if (m != MallocMode::Tuned) return;
    std::string t = qkv::reuseTunables();
    if (const char* old = std::getenv("GLIBC_TUNABLES")) t = std::string(old) + ":" + t;
    setenv("GLIBC_TUNABLES", t.c_str(), 1);
}

}  // namespace trainbench
