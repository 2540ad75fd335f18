// GPT-2 byte-level BPE from vocab.json + merges.txt. The input holds both files, split at its
// first NUL byte (vocab.json first); the text encoded is the merges part.
#include "fuzz_target.h"
#include "tokenize/gpt2_bpe.h"
#include "tokenizer_exercise.h"

QKV_FUZZ_TARGET(gpt2_bpe) {
    const size_t split = bytes.find('\0');
    const std::string vocab = bytes.substr(0, split),
                      merges = split == std::string::npos ? "" : bytes.substr(split + 1);
    return qkv::fuzz::refusalAllowed([&] {
        const auto tokenizer = qkv::parseGpt2BpeFiles(vocab, merges, "fuzz");
        qkv::fuzz::exerciseTokenizer(*tokenizer, merges);
    });
}
