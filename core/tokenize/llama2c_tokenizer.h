#pragma once
// llama2.c's tokenizer.bin: an int32 max_token_length, then per token a float32 score, an int32
// byte length and the bytes. The pieces are SentencePiece's with "▁" written as a space; token 0
// is <unk>, 1 BOS, 2 EOS, and 3..258 the bytes <0x00>..<0xFF>. Encoding is run.c's: a space
// prefixed to the text, code points looked up (or spelled as byte tokens), then the adjacent pair
// whose merge has the highest score merged until none is in the vocabulary.

#include <memory>
#include <string>

#include "tokenize/tokenizer.h"

namespace qkv {

// Throws DataError naming the problem (truncated, negative lengths, an empty vocabulary).
std::shared_ptr<Tokenizer> parseLlama2cTokenizer(const std::string& bytes,
                                                 const std::string& source);
std::shared_ptr<Tokenizer> loadLlama2cTokenizer(const std::string& path);

}  // namespace qkv
