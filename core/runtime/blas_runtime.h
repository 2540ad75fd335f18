#pragma once
// Which BLAS kernels LibTorch runs on, and the settings that make them fast (docs/DESIGN.md §7).

#include <string>

namespace qkv {

struct BlasInfo {
    std::string library;        // the libblas.so.3 mapped into this process
    std::string openblasCore;   // OpenBLAS's kernel family ("SkylakeX", "Prescott"), or ""
    bool reference = false;     // Netlib's reference BLAS: 7–14× slower here
    int torchThreads = 1;
    int blasThreads = 0;        // OpenBLAS's pool size; 0 when unknown
};

BlasInfo detectBlas();
// One line for the user; empty when nothing is wrong.
std::string blasWarning(const BlasInfo& info);
std::string describeBlas(const BlasInfo& info);  // e.g. "OpenBLAS (SkylakeX kernels), 1 torch thread"

// OpenBLAS 0.3.21 mistakes AVX-512 CPUs for "Prescott". If OPENBLAS_CORETYPE is unset and the
// CPU has AVX-512 or AVX2, sets it and returns true: the caller must re-exec itself, since
// OpenBLAS reads the variable only when it loads.
bool setOpenblasCoreTypeForThisCpu();

// setOpenblasCoreTypeForThisCpu(), and one OpenBLAS thread unless OPENBLAS_NUM_THREADS is set:
// the models here are small, the pthread pool's workers spin (as much system time as user
// time) and take the core the GUI thread needs. Returns true when the caller must re-exec.
bool tuneOpenblasEnvironment();

// Torch intra-op threads; the pthread OpenBLAS keeps its own pool.
void setTorchThreads(int n);

// sgemm throughput (GFLOP/s) of an n×n×n float product through LibTorch.
double measureSgemmGflops(int n, double seconds = 0.5);

}  // namespace qkv
