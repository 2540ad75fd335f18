#include "runtime/blas_runtime.h"

#include <dlfcn.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

namespace qkv {

namespace {
std::string mappedLibrary(const std::string& fragment) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash != std::string::npos && line.find(fragment, slash) != std::string::npos)
            return line.substr(slash);
    }
    return {};
}
}  // namespace

BlasInfo detectBlas() {
    BlasInfo info;
    info.library = mappedLibrary("libblas.so");
    if (info.library.empty()) info.library = mappedLibrary("libopenblas");
    using CoreName = char* (*)();
    if (auto f = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename")))
        info.openblasCore = f();
    info.reference = info.openblasCore.empty() && info.library.find("/blas/") != std::string::npos;
    info.torchThreads = at::get_num_threads();
    using ThreadCount = int (*)();
    if (auto f = reinterpret_cast<ThreadCount>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads")))
        info.blasThreads = f();
    return info;
}

std::string blasWarning(const BlasInfo& info) {
    if (info.reference)
        return "LibTorch is running on the reference BLAS (" + info.library +
               "), 7-14x slower than OpenBLAS here. Fix: apt-get install libopenblas0-pthread "
               "(or update-alternatives --config libblas.so.3-x86_64-linux-gnu).";
    if (info.openblasCore == "Prescott" && std::getenv("OPENBLAS_CORETYPE") == nullptr)
        return "OpenBLAS runs its generic Prescott kernels; set OPENBLAS_CORETYPE=Haswell or "
               "SkylakeX for a 2-4x faster BLAS.";
    return {};
}

std::string describeBlas(const BlasInfo& info) {
    std::string s = info.openblasCore.empty()
                        ? (info.reference ? "reference BLAS" : "BLAS " + info.library)
                        : "OpenBLAS (" + info.openblasCore + " kernels)";
    if (info.blasThreads > 0)
        s += ", " + std::to_string(info.blasThreads) + " BLAS thread" + (info.blasThreads == 1 ? "" : "s");
    return s + ", " + std::to_string(info.torchThreads) + " torch thread" +
           (info.torchThreads == 1 ? "" : "s");
}

bool setOpenblasCoreTypeForThisCpu() {
    if (std::getenv("OPENBLAS_CORETYPE")) return false;
    __builtin_cpu_init();
    const char* core = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                       : __builtin_cpu_supports("avx2") ? "Haswell"
                                                        : nullptr;
    if (!core) return false;
    setenv("OPENBLAS_CORETYPE", core, 1);
    return true;
}

bool tuneOpenblasEnvironment() {
    bool changed = setOpenblasCoreTypeForThisCpu();
    if (!std::getenv("OPENBLAS_NUM_THREADS")) {
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        changed = true;
    }
    return changed;
}

void setTorchThreads(int n) {
    if (n > 0) at::set_num_threads(n);
}

double measureSgemmGflops(int n, double seconds) {
    torch::NoGradGuard noGrad;
    auto a = torch::randn({n, n}), b = torch::randn({n, n});
    auto c = torch::mm(a, b);  // warm-up: thread pools, page faults
    int reps = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds || reps < 3) {
        torch::mm_out(c, a, b);
        ++reps;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    return 2.0 * double(n) * n * n * reps / elapsed / 1e9;
}

}  // namespace qkv
