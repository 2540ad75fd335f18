#pragma once
// GPT-2's byte-level BPE (OpenAI's encoder.py; Hugging Face's BPE model with the ByteLevel
// pre-tokenizer): words from gpt2PreTokenize, their bytes mapped to printable code points, then
// merged pair by pair in the order of merges.txt.

#include <memory>
#include <string>

#include "tokenize/tokenizer.h"

namespace qkv {

// vocab.json (piece → id) and merges.txt ("a b" per line, an optional "#version" first line).
std::shared_ptr<Tokenizer> loadGpt2BpeFiles(const std::string& vocabJsonPath,
                                            const std::string& mergesPath);
// tokenizer.json of Hugging Face's tokenizers library: a "BPE" model with a "ByteLevel"
// pre-tokenizer (alone or in a "Sequence"); "added_tokens" are matched before BPE.
std::shared_ptr<Tokenizer> loadTokenizerJson(const std::string& path);

// The same from bytes already read (for tests and fuzzing); `source` names them in messages.
std::shared_ptr<Tokenizer> parseGpt2BpeFiles(const std::string& vocabJson,
                                             const std::string& merges, const std::string& source);
std::shared_ptr<Tokenizer> parseTokenizerJson(const std::string& json, const std::string& source);

}  // namespace qkv
