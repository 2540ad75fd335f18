#include "report.h"

#include <unistd.h>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QString>

#include <cstdio>
#include <iostream>

#include "machine_load.h"

namespace trainbench {

void printTableHeader() {
    std::printf("\n%-6s %-10s %-22s %-22s %6s %6s %7s %6s %6s %-9s %s\n", "shape", "variant",
                "C++ ms/step (p10-p90)", "PyTorch ms (p10-p90)", "ratio", "r.cpu", "C++tok/s",
                "MFU", "MFUpt", "target", "other");
}

void printTableRow(const Case& c, double peak) {
    const Shape* s = c.shape;
    const double tokens = double(s->batch) * s->T;
    const double mfu = double(c.flopsPerStep) / (c.cpp.median * 1e-3) / (peak * 1e9);
    char pyCol[32] = "-", ratioCol[16] = "-", minCol[16] = "-", mfuPy[16] = "-", verdict[16] = "";
    if (c.hasPy) {
        const double ratio = c.py.median / c.cpp.median;
        std::snprintf(pyCol, sizeof pyCol, "%8.2f (%.1f-%.1f)", c.py.median, c.py.p10, c.py.p90);
        std::snprintf(ratioCol, sizeof ratioCol, "%.2fx", ratio);
        std::snprintf(minCol, sizeof minCol, "%.2fx", c.pyCpu.median / c.cppCpu.median);
        std::snprintf(mfuPy, sizeof mfuPy, "%.1f%%",
                      100.0 * double(c.flopsPerStep) / (c.py.median * 1e-3) / (peak * 1e9));
        std::snprintf(verdict, sizeof verdict, "%s", ratio >= s->target ? "PASS" : "MISS");
    }
    char cppCol[32];
    std::snprintf(cppCol, sizeof cppCol, "%8.2f (%.1f-%.1f)", c.cpp.median, c.cpp.p10, c.cpp.p90);
    std::printf("%-6s %-10s %-22s %-22s %6s %6s %7.0f %5.1f%% %6s %.1fx %-4s %3.0f%%\n",
                s->name.c_str(), qkv::variantId(c.variant).c_str(), cppCol, pyCol, ratioCol, minCol,
                tokens / (c.cpp.median * 1e-3), 100.0 * mfu, mfuPy, s->target, verdict,
                100.0 * c.otherLoad);
    std::fflush(stdout);
}

void printTableFooter(const std::string& loadBefore, const std::string& loadAfter) {
    std::cout << "ratio = PyTorch ms / C++ ms (medians of wall time; r.cpu: of process CPU time, "
                 "which time lost to other load leaves out)\nMFU = 3 x forward FLOPs per step / "
                 "time / sgemm peak; other = machine share used by other processes while timing."
                 "\nLoad average before/after: "
              << loadBefore << " / " << loadAfter << "\n";
}

namespace {

QJsonObject caseJson(const Case& c, double peak) {
    QJsonObject r;
    const double tokens = double(c.shape->batch) * c.shape->T;
    r["shape"] = QString::fromStdString(c.shape->name);
    r["variant"] = QString::fromStdString(qkv::variantId(c.variant));
    QJsonObject cfg = shapeJson(*c.shape);
    cfg.remove("name");
    r["config"] = cfg;
    r["parameters"] = qint64(c.parameters);
    r["model_flops_per_step"] = double(c.flopsPerStep);
    QJsonObject cpp = statsJson(c.cpp);
    cpp["tokens_per_s"] = tokens / (c.cpp.median * 1e-3);
    cpp["mfu"] = double(c.flopsPerStep) / (c.cpp.median * 1e-3) / (peak * 1e9);
    r["cpp"] = cpp;
    r["cpp_cpu_ms"] = statsJson(c.cppCpu);
    r["target"] = c.shape->target;
    r["other_load"] = c.otherLoad;
    r["waited_for_quiet_s"] = c.waited;
    if (c.hasPy) {
        QJsonObject p = statsJson(c.py);
        p["tokens_per_s"] = tokens / (c.py.median * 1e-3);
        p["mfu"] = double(c.flopsPerStep) / (c.py.median * 1e-3) / (peak * 1e9);
        r["pytorch"] = p;
        r["ratio"] = c.py.median / c.cpp.median;
        r["ratio_of_minimums"] = c.py.min / c.cpp.min;
        r["ratio_cpu_time"] = c.pyCpu.median / c.cppCpu.median;
        r["pytorch_cpu_ms"] = statsJson(c.pyCpu);
        r["pass"] = c.py.median / c.cpp.median >= c.shape->target;
    }
    return r;
}

}  // namespace

bool writeJson(const Options& o, const RunInfo& run, const std::vector<Case>& cases) {
    QJsonObject root;
    root["benchmark"] = "train_step";
    root["flops_note"] =
        "model FLOPs per step = 3 x summarize(cfg).flopsPerToken x B x T (backward ~ 2x "
        "forward); attention products counted at the full context, also when causal";
    QJsonObject machine;
    machine["cores"] = int(run.cores);
    machine["online_cpus"] = int(sysconf(_SC_NPROCESSORS_ONLN));
    machine["cpu"] = QString::fromStdString(cpuModel());
    root["machine"] = machine;
    QJsonObject blasJson;
    blasJson["description"] = QString::fromStdString(qkv::describeBlas(run.blas));
    blasJson["library"] = QString::fromStdString(run.blas.library);
    blasJson["openblas_core"] = QString::fromStdString(run.blas.openblasCore);
    blasJson["sgemm_gflops_n1024"] = run.peak;
    root["blas"] = blasJson;
    QJsonObject threads;
    threads["torch_intra_op"] = run.blas.torchThreads;
    threads["OPENBLAS_NUM_THREADS"] = QString::fromStdString(envOr("OPENBLAS_NUM_THREADS"));
    threads["OPENBLAS_CORETYPE"] = QString::fromStdString(envOr("OPENBLAS_CORETYPE"));
    threads["OMP_NUM_THREADS"] = QString::fromStdString(envOr("OMP_NUM_THREADS"));
    root["malloc"] = mallocModeName(o.mallocMode);
    root["GLIBC_TUNABLES"] = QString::fromStdString(envOr("GLIBC_TUNABLES"));
    root["threads"] = threads;
    if (!run.pytorch.isEmpty()) root["pytorch"] = run.pytorch;
    root["same_model_checks"] = run.checks;
    root["load_average_before"] = QString::fromStdString(run.loadBefore);
    root["load_average_after"] = QString::fromStdString(run.loadAfter);
    root["rounds"] = o.rounds;
    root["seconds_per_case_per_side"] = o.seconds;
    QJsonArray rows;
    for (const Case& c : cases) rows.append(caseJson(c, run.peak));
    root["cases"] = rows;
    const QString path =
        QDir(QString::fromStdString(o.outDir)).filePath(QString::fromStdString(o.jsonName));
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(root).toJson()) < 0) {
        std::cerr << "bench_train: cannot write " << path.toStdString() << "\n";
        return false;
    }
    std::cout << "wrote " << path.toStdString() << "\n";
    return true;
}

}  // namespace trainbench
