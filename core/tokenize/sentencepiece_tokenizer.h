#pragma once
// SentencePiece models (tokenizer.model, a serialised ModelProto) through Debian's
// libsentencepiece: Llama's tokenizer, among others.

#include <memory>
#include <string>

#include "tokenize/tokenizer.h"

namespace qkv {

// Throws DataError when the file is not a SentencePiece model.
std::shared_ptr<Tokenizer> loadSentencePiece(const std::string& path);
std::shared_ptr<Tokenizer> parseSentencePiece(const std::string& serializedProto,
                                              const std::string& source);

// SentencePieceTrainer::Train with its flag string ("--input=... --model_prefix=..."), for tests
// that need a model of their own. Throws DataError.
void trainSentencePiece(const std::string& flags);

}  // namespace qkv
