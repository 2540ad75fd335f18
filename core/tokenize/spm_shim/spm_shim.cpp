#include "spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <exception>
#include <memory>
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

// No exception may cross the C interface (the caller is another library, loaded privately), and
// libsentencepiece throws on some damaged models (Darts' trie builder on a piece holding a NUL
// byte, found by fuzzing): each entry point turns them into its failure value.
template <class F, class R>
R guarded(F&& call, R failure, char* error = nullptr, size_t errorSize = 0) {
    try {
        return call();
    } catch (const std::exception& e) {
        setError(error, errorSize, std::string("SentencePiece failed: ") + e.what());
    } catch (...) {
        setError(error, errorSize, "SentencePiece failed");
    }
    return failure;
}
}  // namespace

extern "C" {

QkvSpm* qkv_spm_load(const char* proto, size_t size, char* error, size_t errorSize) {
    return guarded(
        [&]() -> QkvSpm* {
            auto sp = std::make_unique<QkvSpm>();
            const auto status = sp->processor.LoadFromSerializedProto(std::string(proto, size));
            if (!status.ok() || sp->processor.GetPieceSize() <= 0) {
                setError(error, errorSize, status.ok() ? "no pieces" : status.ToString());
                return nullptr;
            }
            return sp.release();
        },
        static_cast<QkvSpm*>(nullptr), error, errorSize);
}

void qkv_spm_free(QkvSpm* sp) {
    delete sp;
}
int qkv_spm_piece_count(const QkvSpm* sp) {
    return guarded([&] { return sp->processor.GetPieceSize(); }, 0);
}
int qkv_spm_bos(const QkvSpm* sp) {
    return guarded([&] { return sp->processor.bos_id(); }, -1);
}
int qkv_spm_eos(const QkvSpm* sp) {
    return guarded([&] { return sp->processor.eos_id(); }, -1);
}

int qkv_spm_kind(const QkvSpm* sp, int id) {
    return guarded(
        [&] {
            if (sp->processor.IsByte(id)) return 1;
            if (sp->processor.IsControl(id)) return 2;
            if (sp->processor.IsUnknown(id)) return 3;
            return 0;
        },
        3);
}

size_t qkv_spm_piece(const QkvSpm* sp, int id, char* out, size_t capacity) {
    return guarded(
        [&] {
            const std::string& piece = sp->processor.IdToPiece(id);
            std::memcpy(out, piece.data(), std::min(capacity, piece.size()));
            return piece.size();
        },
        size_t(0));
}

long qkv_spm_encode(const QkvSpm* sp, const char* text, size_t size, int* ids, size_t capacity,
                    char* error, size_t errorSize) {
    return guarded(
        [&] {
            std::vector<int> out;
            const auto status = sp->processor.Encode(std::string(text, size), &out);
            if (!status.ok()) {
                setError(error, errorSize, status.ToString());
                return -1L;
            }
            std::memcpy(ids, out.data(), std::min(capacity, out.size()) * sizeof(int));
            return long(out.size());
        },
        -1L, error, errorSize);
}

long qkv_spm_decode(const QkvSpm* sp, const int* ids, size_t count, char* out, size_t capacity) {
    return guarded(
        [&] {
            std::string text;
            if (!sp->processor.Decode(std::vector<int>(ids, ids + count), &text).ok()) return -1L;
            std::memcpy(out, text.data(), std::min(capacity, text.size()));
            return long(text.size());
        },
        -1L);
}

int qkv_spm_train(const char* flags, char* error, size_t errorSize) {
    return guarded(
        [&] {
            const auto status = sentencepiece::SentencePieceTrainer::Train(flags);
            if (!status.ok()) setError(error, errorSize, status.ToString());
            return status.ok() ? 0 : -1;
        },
        -1, error, errorSize);
}

}  // extern "C"
