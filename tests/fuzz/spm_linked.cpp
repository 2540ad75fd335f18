// The fuzzers link the SentencePiece shim directly: they hold no LibTorch, so the protobuf clash
// that makes core load it privately (tokenize/spm_shim/spm_shim.h) cannot happen, and the
// sanitizers see the shim's code too.
#include "tokenize/spm_library.h"

namespace qkv {

const SpmLibrary& spmLibrary() {
    static const SpmLibrary library{qkv_spm_load,  qkv_spm_free,   qkv_spm_piece_count,
                                    qkv_spm_bos,   qkv_spm_eos,    qkv_spm_kind,
                                    qkv_spm_piece, qkv_spm_encode, qkv_spm_decode,
                                    qkv_spm_train};
    return library;
}

}  // namespace qkv
