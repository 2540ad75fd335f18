#pragma once
// What a benchmark run reports: one table row per case as it is timed, and bench_train.json.

#include <QJsonArray>
#include <QJsonObject>

#include <cstdint>
#include <string>
#include <vector>

#include "attention/variant.h"
#include "cases.h"
#include "options.h"
#include "runtime/blas_runtime.h"
#include "stats.h"

namespace trainbench {

// One shape × variant, timed on both sides.
struct Case {
    const Shape* shape = nullptr;
    qkv::Variant variant = qkv::Variant::Qkv;
    int64_t flopsPerStep = 0, parameters = 0;
    Stats cpp, py, cppCpu, pyCpu;  // wall and CPU ms per step
    bool hasPy = false;
    double otherLoad = 0;  // share of the machine other processes used while timing
    double waited = 0;     // seconds spent waiting for them to quiet down first
};

// Everything bench_train.json records besides the options and the cases.
struct RunInfo {
    qkv::BlasInfo blas;
    double peak = 0;  // sgemm GFLOP/s at n = 1024, in this process with its threads
    unsigned cores = 0;
    QJsonObject pytorch;  // the reference's info and sgemm; empty without a working reference
    QJsonArray checks;    // same_model_checks
    std::string loadBefore, loadAfter;
};

void printTableHeader();
// Printed (and flushed) as soon as the case is timed: a full run takes minutes.
void printTableRow(const Case& c, double peak);
void printTableFooter(const std::string& loadBefore, const std::string& loadAfter);

// Writes OUT_DIR/--json NAME; false, after saying so, when it cannot.
bool writeJson(const Options& o, const RunInfo& run, const std::vector<Case>& cases);

}  // namespace trainbench
