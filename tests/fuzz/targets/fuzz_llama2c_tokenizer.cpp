// llama2.c's tokenizer.bin: max token length, then (score, length, bytes) per token.
#include "fuzz_target.h"
#include "tokenize/llama2c_tokenizer.h"
#include "tokenizer_exercise.h"

QKV_FUZZ_TARGET(llama2c_tokenizer) {
    return qkv::fuzz::refusalAllowed([&] {
        const auto tokenizer = qkv::parseLlama2cTokenizer(bytes, "fuzz");
        qkv::fuzz::exerciseTokenizer(*tokenizer, bytes.substr(bytes.size() / 2, 256));
    });
}
