#pragma once
// One parser of outside input, exercised on arbitrary bytes. The same source builds two ways:
// with clang's libFuzzer (QKV_LIBFUZZER, tests/fuzz/CMakeLists.txt) as a fuzzer of its own, and
// in the normal build as an entry of a registry that tests/fuzz/tst_fuzz_replay.cpp runs on
// every seed and regression input. A parser may refuse its input only with qkv::Error; any
// other exception, crash, leak or sanitizer report is a finding.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/errors.h"

namespace qkv::fuzz {

// True when the input was accepted (the seeds named valid-* must be).
using TargetFunction = bool (*)(const std::string& bytes);
int registerTarget(const char* name, TargetFunction run);

// Runs `parse`, taking the typed refusal every parser is allowed; false when it refused.
template <class F>
bool refusalAllowed(F&& parse) {
    try {
        parse();
        return true;
    } catch (const qkv::Error&) {
        return false;
    }
}

}  // namespace qkv::fuzz

#ifdef QKV_LIBFUZZER
#define QKV_FUZZ_TARGET(name)                                                          \
    static bool fuzz_##name(const std::string& bytes);                                \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {          \
        fuzz_##name(std::string(reinterpret_cast<const char*>(data), size));           \
        return 0;                                                                      \
    }                                                                                  \
    static bool fuzz_##name(const std::string& bytes)
#else
#define QKV_FUZZ_TARGET(name)                                                          \
    static bool fuzz_##name(const std::string& bytes);                                \
    [[maybe_unused]] static const int registered_##name =                              \
        qkv::fuzz::registerTarget(#name, &fuzz_##name);                               \
    static bool fuzz_##name(const std::string& bytes)
#endif
