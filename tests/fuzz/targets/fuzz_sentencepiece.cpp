// SentencePiece's tokenizer.model (a serialised ModelProto) through QKV Lab's wrapper of
// Debian's libsentencepiece.
#include "fuzz_target.h"
#include "tokenize/sentencepiece_tokenizer.h"
#include "tokenizer_exercise.h"

QKV_FUZZ_TARGET(sentencepiece) {
    return qkv::fuzz::refusalAllowed([&] {
        const auto tokenizer = qkv::parseSentencePiece(bytes, "fuzz");
        qkv::fuzz::exerciseTokenizer(*tokenizer, bytes.substr(0, 256));
    });
}
