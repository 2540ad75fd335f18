#include "tokenize/spm_library.h"

#include <dlfcn.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "common/errors.h"

namespace qkv {

namespace {

// Where the shim is: QKVLAB_SPM_SHIM, beside the executable (installed: ../lib/qkvlab), or the
// build tree that compiled this code.
std::vector<std::string> candidates() {
    std::vector<std::string> paths;
    if (const char* env = std::getenv("QKVLAB_SPM_SHIM")) paths.push_back(env);
    const QString exe = QFileInfo("/proc/self/exe").canonicalFilePath();
    if (!exe.isEmpty()) {
        const QDir dir = QFileInfo(exe).dir();
        paths.push_back(dir.filePath("../lib/qkvlab/libqkvspm.so").toStdString());
        paths.push_back(dir.filePath("libqkvspm.so").toStdString());
    }
    paths.push_back(QKVLAB_SPM_SHIM_BUILD_PATH);
    return paths;
}

template <class F>
void bind(void* handle, const char* name, F& slot) {
    void* symbol = dlsym(handle, name);
    if (!symbol) throw DataError(std::string("the SentencePiece shim lacks ") + name);
    slot = reinterpret_cast<F>(symbol);
}

SpmLibrary loadLibrary() {
#ifdef QKV_SANITIZE
    // ASan refuses RTLD_DEEPBIND, and without it the shim's protobuf meets LibTorch's (spm_shim.h).
    throw DataError("SentencePiece is not available in sanitizer builds (AddressSanitizer cannot "
                    "load its shim with RTLD_DEEPBIND)");
#endif
    std::string tried;
    void* handle = nullptr;
    for (const std::string& path : candidates()) {
        if (!QFileInfo(QString::fromStdString(path)).isFile()) continue;
        handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (handle) break;
        tried += (tried.empty() ? "" : "; ") + path + ": " + dlerror();
    }
    if (!handle)
        throw DataError("SentencePiece is not available (libqkvspm.so not found or not loadable" +
                        (tried.empty() ? std::string(")") : ": " + tried + ")"));
    SpmLibrary lib{};
    bind(handle, "qkv_spm_load", lib.load);
    bind(handle, "qkv_spm_free", lib.free);
    bind(handle, "qkv_spm_piece_count", lib.pieceCount);
    bind(handle, "qkv_spm_bos", lib.bos);
    bind(handle, "qkv_spm_eos", lib.eos);
    bind(handle, "qkv_spm_kind", lib.kind);
    bind(handle, "qkv_spm_piece", lib.piece);
    bind(handle, "qkv_spm_encode", lib.encode);
    bind(handle, "qkv_spm_decode", lib.decode);
    bind(handle, "qkv_spm_train", lib.train);
    return lib;  // the handle stays open for the life of the process
}

}  // namespace

const SpmLibrary& spmLibrary() {
    static std::once_flag once;
    static SpmLibrary lib;
    static std::string failure;
    std::call_once(once, [] {
        try {
            lib = loadLibrary();
        } catch (const DataError& e) {
            failure = e.what();
        }
    });
    if (!failure.empty()) throw DataError(failure);
    return lib;
}

}  // namespace qkv
