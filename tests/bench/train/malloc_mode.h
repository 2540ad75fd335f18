#pragma once
// --malloc: which side keeps freed memory for reuse (qkv::keepFreedMemoryForReuse(),
// core/runtime/allocator.h, which has the measured page faults).

#include <optional>
#include <string>

namespace trainbench {

enum class MallocMode {
    // As each side is run for real: the C++ process tuned like app/main.cpp, the PyTorch child
    // on glibc's defaults, as a PyTorch user runs it.
    App,
    Default,  // glibc's defaults on both sides, as the app ran before it tuned its allocator
    Tuned,    // both tuned: the allocator's share of the ratio taken out
};

const char* mallocModeName(MallocMode m);
std::optional<MallocMode> parseMallocMode(const std::string& name);

// Tunes this process and, for Tuned, sets GLIBC_TUNABLES for the PyTorch child: glibc reads it
// only at start, so this must run before the child is forked.
void applyMallocMode(MallocMode m);

}  // namespace trainbench
