#pragma once
// What every tokenizer must survive once its file has been read: encoding text (the input's own
// bytes and a fixed sentence), decoding, labelling and streaming every id it hands out, and ids
// it never hands out.
#include <memory>
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "tokenize/tokenizer.h"

namespace qkv::fuzz {

inline void exerciseTokenizer(const Tokenizer& t, const std::string& text) {
    for (const std::string& s : {text, std::string("Hello, world! \xC3\xA9\xE2\x96\x81 x\n")}) {
        refusalAllowed([&] {
            const std::vector<int64_t> ids = t.encode(s);
            t.decode(ids);
            int64_t previous = -1;
            for (int64_t id : ids) {
                t.label(id);
                t.decodeNext(previous, id);
                previous = id;
            }
        });
    }
    const int64_t n = t.vocabSize();
    for (int64_t id : {int64_t(-1), int64_t(0), n - 1, n, n + 7}) {
        t.tokenBytes(id);
        t.label(id);
    }
    t.decode({-5, 0, n, n - 1});
    // Every piece once, bounded so a large vocabulary stays fast.
    for (int64_t id = 0; id < n && id < 4096; ++id) t.label(id);
}

}  // namespace qkv::fuzz
