#pragma once
// bench_train's command line, parsed in bench_train.cpp.

#include <string>
#include <vector>

#include "malloc_mode.h"

namespace trainbench {

// The fastest setting of the thread sweep on this 2-core machine (tests/bench/README.md has the
// table): one torch intra-op thread, two OpenBLAS threads. The large model's matrix products
// run 10-40% faster on two cores; the demo model, too small to split, loses 5-25%; two torch
// threads on top of two BLAS threads oversubscribe the cores and take 2-8x as long.
// (The app runs one OpenBLAS thread to leave a core to the GUI: OPENBLAS_NUM_THREADS=1 measures
// that setting.)
constexpr int kDefaultTorchThreads = 1;
constexpr const char* kDefaultBlasThreads = "2";

struct Options {
    std::string outDir;
    int torchThreads = kDefaultTorchThreads;
    double seconds = 2.0;   // timed seconds per case
    int rounds = 5;         // alternating C++ / PyTorch chunks per case
    int minChunkSteps = 2;  // timed steps per chunk, at least
    double waitIdle = 10;   // seconds to wait, per case, for other processes to go quiet
    int warmup = 10;        // warm-up steps (at most ~1 s)
    std::vector<std::string> shapes = {"demo", "large"};
    std::vector<std::string> variants;
    bool python = true, check = true, sweep = false;
    MallocMode mallocMode = MallocMode::App;
    int sweepRepeats = 2;  // passes over the four thread settings
    std::string jsonName = "bench_train.json";
};

}  // namespace trainbench
