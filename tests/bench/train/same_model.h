#pragma once
// Same model on both sides, before any timing: the C++ model's initial weights and a batch go to
// PyTorch, both train 3 steps, and the losses must agree.

#include <QJsonArray>

#include <string>
#include <vector>

#include "attention/variant.h"
#include "cases.h"
#include "python_peer.h"

namespace trainbench {

struct CheckResult {
    bool ok = false;
    std::string message;
    std::vector<double> cpp, py;
};

// `dir` holds the weights file for the moment the child reads it.
CheckResult checkSameModel(const Shape& s, qkv::Variant v, PythonPeer& py, const std::string& dir);

// Every shape × variant; prints mismatches and the verdict, returns same_model_checks' rows.
QJsonArray checkEverySameModel(const std::vector<const Shape*>& shapes,
                               const std::vector<qkv::Variant>& variants, PythonPeer& py,
                               const std::string& dir);

}  // namespace trainbench
