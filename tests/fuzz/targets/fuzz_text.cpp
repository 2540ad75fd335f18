// Text a user hands in (--task text --data, prompts): UTF-8 checks and decoding, GPT-2's
// pre-tokenizer, and the character tokenizer of a text run built on the text's alphabet.
#include <algorithm>

#include "data/text_corpus.h"
#include "fuzz_target.h"
#include "tokenize/gpt2_pretokenize.h"
#include "tokenize/utf8.h"
#include "tokenizer_exercise.h"

QKV_FUZZ_TARGET(text) {
    const bool valid = qkv::isValidUtf8(bytes);
    const std::u32string points = qkv::utf8ToCodePoints(bytes);
    const std::string back = qkv::codePointsToUtf8(points);
    if (valid && back != bytes) __builtin_trap();  // valid UTF-8 must round-trip
    std::string joined;
    for (const std::string& word : qkv::gpt2PreTokenize(back)) joined += word;
    if (joined != back) __builtin_trap();  // pre-tokens partition the text
    qkv::visibleText(bytes);
    std::u32string alphabet = points;
    std::sort(alphabet.begin(), alphabet.end());
    alphabet.erase(std::unique(alphabet.begin(), alphabet.end()), alphabet.end());
    qkv::fuzz::refusalAllowed([&] {
        const auto tokenizer = qkv::makeCharacterTokenizer(qkv::codePointsToUtf8(alphabet));
        qkv::fuzz::exerciseTokenizer(*tokenizer, back);
    });
    return valid;
}
