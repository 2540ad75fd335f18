#pragma once
// A C interface to Debian's libsentencepiece, built as its own shared library and loaded with
// dlopen(RTLD_LOCAL | RTLD_DEEPBIND). libsentencepiece carries its own copy of protobuf-lite and
// exports it; linked into the same process as LibTorch's libprotobuf.so.32, the two bind to each
// other's symbols and the process crashes while loading (measured: a segfault in
// protobuf::ReflectionOps during static initialisation). Loaded privately, each keeps its own.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct QkvSpm QkvSpm;

// A processor from a serialised ModelProto; null on failure with the reason in `error`.
QkvSpm* qkv_spm_load(const char* proto, size_t size, char* error, size_t errorSize);
void qkv_spm_free(QkvSpm* sp);
int qkv_spm_piece_count(const QkvSpm* sp);
int qkv_spm_bos(const QkvSpm* sp);  // -1 when the model has none
int qkv_spm_eos(const QkvSpm* sp);
// 1 byte, 2 control, 3 unknown, 0 a normal piece.
int qkv_spm_kind(const QkvSpm* sp, int id);
// Copies the piece into `out` (up to `capacity` bytes) and returns its full length.
size_t qkv_spm_piece(const QkvSpm* sp, int id, char* out, size_t capacity);
// Encodes into `ids` (up to `capacity`) and returns the count, or -1 with `error` set.
long qkv_spm_encode(const QkvSpm* sp, const char* text, size_t size, int* ids, size_t capacity,
                    char* error, size_t errorSize);
// Decodes into `out` (up to `capacity` bytes) and returns the full length, or -1.
long qkv_spm_decode(const QkvSpm* sp, const int* ids, size_t count, char* out, size_t capacity);
// Trains a model with SentencePieceTrainer's flag string (tests build their own models).
int qkv_spm_train(const char* flags, char* error, size_t errorSize);

#ifdef __cplusplus
}
#endif
