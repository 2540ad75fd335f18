// llama2.c checkpoints: legacy and versioned headers and the layout they describe. The input is
// the file's first bytes; its size is read from the input's last 8 bytes, so that the fuzzer can
// describe multi-gigabyte files without writing them.
#include <algorithm>
#include <cstring>
#include <vector>

#include "fuzz_target.h"
#include "pretrained/llama2c_header.h"

QKV_FUZZ_TARGET(llama2c_header) {
    if (bytes.size() < 8) return false;
    uint64_t fileSize;
    std::memcpy(&fileSize, bytes.data() + bytes.size() - 8, 8);
    std::vector<unsigned char> head(256, 0);
    std::memcpy(head.data(), bytes.data(), std::min<size_t>(bytes.size() - 8, head.size()));
    // The parser may read min(fileSize, 256) bytes: as many as a real file of that size holds.
    qkv::looksLikeLlama2cHeader(head.data(), std::min<uint64_t>(fileSize, head.size()));
    return qkv::fuzz::refusalAllowed([&] {
        const qkv::Llama2cLayout layout = qkv::parseLlama2cLayout(head.data(), fileSize, "fuzz");
        uint64_t end = 0;
        for (const qkv::Llama2cArray& a : layout.arrays) end = a.offset + a.bytes;
        if (end != fileSize) __builtin_trap();  // the layout must cover the file exactly
    });
}
