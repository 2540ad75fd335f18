#pragma once
// Finding and opening a tokenizer by what its files hold, not by their names alone.

#include <memory>
#include <string>

#include "tokenize/tokenizer.h"

namespace qkv {

struct FoundTokenizer {
    std::shared_ptr<Tokenizer> tokenizer;  // null when none was found
    std::string path;                      // the file read (vocab.json for vocab + merges)
    std::string problem;                   // why a tokenizer file beside the model was not used
};

// A tokenizer file of any supported kind: tokenizer.json, vocab.json (with merges.txt beside
// it), a SentencePiece tokenizer.model, or a llama2.c tokenizer.bin; a folder is searched as
// below. Throws DataError (unreadable, unknown kind) naming the file.
std::shared_ptr<Tokenizer> openTokenizer(const std::string& path);

// Looks in `folder` for the tokenizer of a model of `vocab` tokens, in the order tokenizer.json,
// vocab.json + merges.txt, tokenizer.model, tokenizer.bin, tok<vocab>.bin. A file that cannot be
// read is reported in `problem` rather than thrown: the model still opens without it.
FoundTokenizer findTokenizer(const std::string& folder, int vocab);

// Throws DataError when a tokenizer cannot serve a model of `vocab` tokens (its ids would run
// past the embedding, or the model's ids past its pieces).
void checkTokenizerFits(const Tokenizer& t, int vocab, const std::string& source);

}  // namespace qkv
