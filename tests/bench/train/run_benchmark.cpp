#include "run_benchmark.h"

#include <sys/types.h>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "attention/variant.h"
#include "cases.h"
#include "machine_load.h"
#include "malloc_mode.h"
#include "model/model_summary.h"
#include "python_peer.h"
#include "report.h"
#include "runtime/blas_runtime.h"
#include "same_model.h"
#include "stats.h"

namespace trainbench {

namespace {

std::vector<qkv::Variant> chosenVariants(const Options& o) {
    if (o.variants.empty()) return qkv::allVariants();
    std::vector<qkv::Variant> variants;
    for (const auto& id : o.variants) {
        auto v = qkv::parseVariant(id);
        if (!v) throw std::runtime_error("unknown variant " + id);
        variants.push_back(*v);
    }
    return variants;
}

std::vector<const Shape*> chosenShapes(const Options& o) {
    std::vector<const Shape*> shapes;
    for (const auto& name : o.shapes) {
        auto it = std::find_if(allShapes().begin(), allShapes().end(),
                               [&](const Shape& s) { return s.name == name; });
        if (it == allShapes().end()) throw std::runtime_error("unknown shape " + name);
        shapes.push_back(&*it);
    }
    return shapes;
}

// `py` is null without a working PyTorch reference; then only the C++ side is timed.
Case timeCase(const Shape& s, qkv::Variant v, const Options& o, PythonPeer* py) {
    Case c;
    c.shape = &s;
    c.variant = v;
    const qkv::ModelSummary sum = qkv::summarize(modelConfig(s, v));
    c.flopsPerStep = 3 * sum.flopsPerToken * int64_t(s.batch) * s.T;
    c.parameters = sum.parameters;
    const pid_t child = py ? py->pid() : -1;
    if (o.waitIdle > 0) c.waited = waitForQuiet(o.waitIdle, child);
    CppSession cpp(s, v, o.warmup);
    if (py) {
        QJsonObject req;
        req["cmd"] = "prepare";
        req["shape"] = shapeJson(s);
        req["variant"] = QString::fromStdString(qkv::variantId(v));
        req["warmup"] = o.warmup;
        req["train"] = trainJson(trainConfig(s));
        const QJsonObject ans = py->request(req);
        c.hasPy = ans.contains("parameters");
        if (c.hasPy && qint64(ans.value("parameters").toDouble()) != c.parameters)
            std::cout << "warning: PyTorch model has " << qint64(ans.value("parameters").toDouble())
                      << " parameters, C++ " << c.parameters << "\n";
    }
    // Short alternating chunks, the order flipping each round: a burst of load from other
    // processes lands on both sides alike instead of on one of them.
    OtherLoad load(child);
    std::vector<double> cppMs, pyMs, cppCpu, pyCpu;
    const double chunk = o.seconds / o.rounds;
    // Before each chunk, a pause: OpenBLAS's idle pool threads spin for ~0.1 s after their last
    // product (2^28 cycles), so the side that just stopped would otherwise take a core from the
    // side that starts.
    auto settle = [] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); };
    auto runCpp = [&] {
        settle();
        cpp.run(chunk, o.minChunkSteps, cppMs, cppCpu);
    };
    auto runPy = [&] {
        if (!c.hasPy) return;
        settle();
        QJsonObject req;
        req["cmd"] = "run";
        req["seconds"] = chunk;
        req["min_steps"] = o.minChunkSteps;
        const QJsonObject ans = py->request(req);
        if (!ans.contains("ms")) {
            c.hasPy = false;
            return;
        }
        for (const auto& x : ans.value("ms").toArray()) pyMs.push_back(x.toDouble());
        for (const auto& x : ans.value("cpu_ms").toArray()) pyCpu.push_back(x.toDouble());
    };
    for (int r = 0; r < o.rounds; ++r) {
        if (r % 2 == 0) {
            runCpp();
            runPy();
        } else {
            runPy();
            runCpp();
        }
    }
    c.cpp = summarize(cppMs);
    c.cppCpu = summarize(cppCpu);
    if (c.hasPy) {
        c.py = summarize(pyMs);
        c.pyCpu = summarize(pyCpu);
    }
    c.otherLoad = load.share();
    return c;
}

}  // namespace

int runBenchmark(const Options& o) {
    applyMallocMode(o.mallocMode);
    qkv::setTorchThreads(o.torchThreads);
    RunInfo run;
    run.blas = qkv::detectBlas();
    run.peak = qkv::measureSgemmGflops(1024);
    run.cores = std::thread::hardware_concurrency();
    std::cout << "BLAS: " << qkv::describeBlas(run.blas)
              << "; OPENBLAS_NUM_THREADS=" << envOr("OPENBLAS_NUM_THREADS", "(unset)") << "; "
              << run.cores << " cores; malloc " << mallocModeName(o.mallocMode) << "\n";
    std::printf("sgemm peak (n = 1024, same threads): %.1f GFLOP/s\n", run.peak);
    std::fflush(stdout);
    if (const std::string warn = qkv::blasWarning(run.blas); !warn.empty())
        std::cout << "warning: " << warn << "\n";

    std::unique_ptr<PythonPeer> py;
    QJsonObject pyInfo;
    double pyPeak = 0;
    if (o.python) {
        py = std::make_unique<PythonPeer>(o.torchThreads);
        pyInfo = py->request(QJsonObject{{"cmd", "info"}});
        pyPeak = py->request(QJsonObject{{"cmd", "sgemm"}}).value("gflops").toDouble();
        if (py->ok() && !pyInfo.isEmpty())
            std::printf("PyTorch %s (%s), %s kernels, %d torch thread(s); its sgemm %.1f GFLOP/s\n",
                        pyInfo.value("torch").toString().toUtf8().constData(),
                        pyInfo.value("python").toString().toUtf8().constData(),
                        pyInfo.value("openblas_core").toString().toUtf8().constData(),
                        pyInfo.value("torch_threads").toInt(), pyPeak);
        else
            std::cout << "PyTorch reference unavailable: " << py->error() << "\n";
        std::fflush(stdout);
    }
    const bool havePy = py && py->ok() && !pyInfo.isEmpty();
    if (havePy) {
        run.pytorch = pyInfo;
        run.pytorch["sgemm_gflops_n1024"] = pyPeak;
    }

    const std::vector<qkv::Variant> variants = chosenVariants(o);
    const std::vector<const Shape*> shapes = chosenShapes(o);
    if (havePy && o.check) run.checks = checkEverySameModel(shapes, variants, *py, o.outDir);

    std::vector<Case> cases;
    run.loadBefore = loadAverage();
    printTableHeader();
    for (const Shape* s : shapes)
        for (qkv::Variant v : variants) {
            cases.push_back(timeCase(*s, v, o, havePy ? py.get() : nullptr));
            printTableRow(cases.back(), run.peak);
        }
    run.loadAfter = loadAverage();
    printTableFooter(run.loadBefore, run.loadAfter);
    return writeJson(o, run, cases) ? 0 : 1;
}

}  // namespace trainbench
