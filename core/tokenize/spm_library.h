#pragma once
// The SentencePiece shim (tokenize/spm_shim), loaded once, privately (see spm_shim.h for why).

#include <string>

#include "tokenize/spm_shim/spm_shim.h"

namespace qkv {

struct SpmLibrary {
    QkvSpm* (*load)(const char*, size_t, char*, size_t);
    void (*free)(QkvSpm*);
    int (*pieceCount)(const QkvSpm*);
    int (*bos)(const QkvSpm*);
    int (*eos)(const QkvSpm*);
    int (*kind)(const QkvSpm*, int);
    size_t (*piece)(const QkvSpm*, int, char*, size_t);
    long (*encode)(const QkvSpm*, const char*, size_t, int*, size_t, char*, size_t);
    long (*decode)(const QkvSpm*, const int*, size_t, char*, size_t);
    int (*train)(const char*, char*, size_t);
};

// Throws DataError when the shim cannot be found or loaded (naming where it looked).
const SpmLibrary& spmLibrary();

}  // namespace qkv
