#include "spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <string>
#include <vector>

struct QkvSpm {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {
void setError(char* error, size_t size, const std::string& text) {
    if (!error || size == 0) return;
    const size_t n = std::min(size - 1, text.size());
    std::memcpy(error, text.data(), n);
    error[n] = '\0';
}
}  // namespace

extern "C" {

QkvSpm* qkv_spm_load(const char* proto, size_t size, char* error, size_t errorSize) {
    auto* sp = new QkvSpm;
    const auto status = sp->processor.LoadFromSerializedProto(std::string(proto, size));
    if (!status.ok() || sp->processor.GetPieceSize() <= 0) {
        setError(error, errorSize, status.ok() ? "no pieces" : status.ToString());
        delete sp;
        return nullptr;
    }
    return sp;
}

void qkv_spm_free(QkvSpm* sp) {
    delete sp;
}
int qkv_spm_piece_count(const QkvSpm* sp) {
    return sp->processor.GetPieceSize();
}
int qkv_spm_bos(const QkvSpm* sp) {
    return sp->processor.bos_id();
}
int qkv_spm_eos(const QkvSpm* sp) {
    return sp->processor.eos_id();
}

int qkv_spm_kind(const QkvSpm* sp, int id) {
    if (sp->processor.IsByte(id)) return 1;
    if (sp->processor.IsControl(id)) return 2;
    if (sp->processor.IsUnknown(id)) return 3;
    return 0;
}

size_t qkv_spm_piece(const QkvSpm* sp, int id, char* out, size_t capacity) {
    const std::string& piece = sp->processor.IdToPiece(id);
    std::memcpy(out, piece.data(), std::min(capacity, piece.size()));
    return piece.size();
}

long qkv_spm_encode(const QkvSpm* sp, const char* text, size_t size, int* ids, size_t capacity,
                    char* error, size_t errorSize) {
    std::vector<int> out;
    const auto status = sp->processor.Encode(std::string(text, size), &out);
    if (!status.ok()) {
        setError(error, errorSize, status.ToString());
        return -1;
    }
    std::memcpy(ids, out.data(), std::min(capacity, out.size()) * sizeof(int));
    return long(out.size());
}

long qkv_spm_decode(const QkvSpm* sp, const int* ids, size_t count, char* out, size_t capacity) {
    std::string text;
    if (!sp->processor.Decode(std::vector<int>(ids, ids + count), &text).ok()) return -1;
    std::memcpy(out, text.data(), std::min(capacity, text.size()));
    return long(text.size());
}

int qkv_spm_train(const char* flags, char* error, size_t errorSize) {
    const auto status = sentencepiece::SentencePieceTrainer::Train(flags);
    if (!status.ok()) setError(error, errorSize, status.ToString());
    return status.ok() ? 0 : -1;
}

}  // extern "C"
