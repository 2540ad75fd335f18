// tokenizer.json of Hugging Face's tokenizers library (BPE model, byte-level pre-tokenizer,
// added tokens).
#include "fuzz_target.h"
#include "tokenize/gpt2_bpe.h"
#include "tokenizer_exercise.h"

QKV_FUZZ_TARGET(tokenizer_json) {
    return qkv::fuzz::refusalAllowed([&] {
        const auto tokenizer = qkv::parseTokenizerJson(bytes, "fuzz");
        qkv::fuzz::exerciseTokenizer(*tokenizer, bytes.substr(0, 256));
    });
}
