// qkvlab: with a command, the CLI; without one, the window.
#include <unistd.h>
#include <QtGlobal>

#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "gui_main.h"
#include "runtime/allocator.h"
#include "runtime/blas_runtime.h"

int main(int argc, char** argv) {
    // OpenBLAS picks its kernels when it loads, before main: fix the choice and start again.
    if (qkv::tuneOpenblasEnvironment()) {
        execv("/proc/self/exe", argv);  // returns only on failure; then go on with slow kernels
    }
    qkv::keepFreedMemoryForReuse();  // before the first large allocation
    Q_INIT_RESOURCE(qkvlab);
    // Once per start, for the window and the CLI alike: the reference BLAS is 7-14x slower.
    const std::string blas = qkv::blasWarning(qkv::detectBlas());
    if (!blas.empty()) std::cerr << "qkvlab: warning: " << blas << '\n';
    std::vector<std::string> args(argv + 1, argv + argc);
    if (qkvapp::isCliInvocation(args)) return qkvapp::runCli(args, std::cout, std::cerr);
    return qkvapp::runGui(argc, argv);
}
