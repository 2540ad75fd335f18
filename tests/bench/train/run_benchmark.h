#pragma once
// One benchmark run: every chosen shape × variant timed against PyTorch, printed and written.

#include "options.h"

namespace trainbench {

// The process's exit code.
int runBenchmark(const Options& o);

}  // namespace trainbench
