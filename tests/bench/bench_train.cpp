// Training step time per attention variant: core's TrainStep against the same model written in
// PyTorch (tests/bench/pytorch_reference.py on Debian's python3-torch, so the same libtorch, the
// same BLAS, the same kernels and the same thread counts). Issue 2, "Benchmark".
//
//   bench_train OUT_DIR [--torch-threads N] [--seconds S] [--rounds N] [--wait-idle S]
//               [--malloc app|default|tuned] [--shapes demo,large] [--variants qkv,...]
//               [--no-python] [--no-check] [--json NAME] [--thread-sweep [--sweep-repeats N]]
//
// Prints one table and writes OUT_DIR/bench_train.json. --thread-sweep instead re-runs itself
// for torch intra-op threads × OPENBLAS_NUM_THREADS ∈ {1, 2}² and writes thread_sweep.json.
//
// --malloc app (the default) measures each side as it is run for real: the C++ process keeps
// freed memory for reuse like app/main.cpp (qkv::keepFreedMemoryForReuse), the PyTorch child
// runs on glibc's defaults. "default" tunes neither side, "tuned" both (the child through
// GLIBC_TUNABLES), which takes the allocator out of the ratio.
//
// Model FLOPs per step = 3 × summarize(cfg).flopsPerToken × B × T: the backward pass costs about
// twice the forward (one product for the input gradient, one for the weight gradient per forward
// product). flopsPerToken counts the attention products at the full context, also for the
// causal model, which is what a dense implementation computes. MFU = achieved model FLOP/s /
// the sgemm (n = 1024) throughput measured in the same process, with the same threads.
//
// The parts live in tests/bench/train/: the models and the C++ side (cases), the PyTorch side
// (python_peer), the same-model check, the machine's other load, the run and its report, the
// thread sweep.

#include <signal.h>
#include <unistd.h>
#include <QDir>
#include <QString>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "runtime/blas_runtime.h"
#include "train/options.h"
#include "train/run_benchmark.h"
#include "train/thread_sweep.h"

namespace trainbench {
namespace {

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t comma = s.find(',', start);
        const size_t n = comma == std::string::npos ? std::string::npos : comma - start;
        const std::string item = s.substr(start, n);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

const char* const kUsage =
    "usage: bench_train OUT_DIR [--torch-threads N] [--seconds S] [--rounds N] "
    "[--wait-idle S]\n    [--malloc app|default|tuned] [--shapes demo,large] "
    "[--variants qkv,...] [--no-python] [--no-check]\n    [--json NAME] "
    "[--thread-sweep [--sweep-repeats N]]\n";

[[noreturn]] void usage(const char* why) {
    std::cerr << "bench_train: " << why << "\n" << kUsage;
    std::exit(2);
}

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value after " + a).c_str());
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            std::exit(0);
        } else if (a == "--torch-threads")
            o.torchThreads = std::atoi(value().c_str());
        else if (a == "--seconds")
            o.seconds = std::atof(value().c_str());
        else if (a == "--rounds")
            o.rounds = std::atoi(value().c_str());
        else if (a == "--wait-idle")
            o.waitIdle = std::atof(value().c_str());
        else if (a == "--shapes")
            o.shapes = splitList(value());
        else if (a == "--variants")
            o.variants = splitList(value());
        else if (a == "--json")
            o.jsonName = value();
        else if (a == "--no-python")
            o.python = false;
        else if (a == "--no-check")
            o.check = false;
        else if (a == "--malloc") {
            const auto m = parseMallocMode(value());
            if (!m) usage("--malloc takes app, default or tuned");
            o.mallocMode = *m;
        } else if (a == "--thread-sweep")
            o.sweep = true;
        else if (a == "--sweep-repeats")
            o.sweepRepeats = std::atoi(value().c_str());
        else if (!a.empty() && a[0] == '-')
            usage(("unknown option " + a).c_str());
        else if (o.outDir.empty())
            o.outDir = a;
        else
            usage("more than one output folder");
    }
    if (o.outDir.empty()) usage("no output folder");
    if (o.torchThreads < 1) usage("--torch-threads must be at least 1");
    if (o.rounds < 1) usage("--rounds must be at least 1");
    if (o.sweepRepeats < 1) usage("--sweep-repeats must be at least 1");
    return o;
}

}  // namespace
}  // namespace trainbench

int main(int argc, char** argv) {
    // OpenBLAS picks its kernels and sizes its thread pool when it loads, before main: settle
    // both in the environment and start again (once: the second start finds them set). The
    // PyTorch child inherits the same environment.
    bool restart = qkv::setOpenblasCoreTypeForThisCpu();
    if (!std::getenv("OPENBLAS_NUM_THREADS")) {
        setenv("OPENBLAS_NUM_THREADS", trainbench::kDefaultBlasThreads, 1);
        restart = true;
    }
    if (restart) execv("/proc/self/exe", argv);  // returns only on failure: go on as we are

    signal(SIGPIPE, SIG_IGN);  // a PyTorch child that dies must not take us with it
    const trainbench::Options o = trainbench::parseArgs(argc, argv);
    QDir().mkpath(QString::fromStdString(o.outDir));
    try {
        return o.sweep ? trainbench::runThreadSweep(o) : trainbench::runBenchmark(o);
    } catch (const std::exception& e) {
        std::cerr << "bench_train: " << e.what() << "\n";
        return 1;
    }
}
