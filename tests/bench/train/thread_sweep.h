#pragma once
// --thread-sweep: the benchmark at torch intra-op threads × OPENBLAS_NUM_THREADS ∈ {1, 2}²,
// each setting in its own process, since OpenBLAS sizes its pool when it loads.

#include "options.h"

namespace trainbench {

// Prints a table per pass and the fastest setting per case, writes OUT_DIR/thread_sweep.json
// (and each run's own sweep_t*_b*_r*.json); the process's exit code.
int runThreadSweep(const Options& o);

}  // namespace trainbench
