#pragma once
// A reproduction written out: Markdown for people (the table with published and measured values
// side by side, the setup, the differences, the verdicts), CSV with every seed's value, JSON
// with everything.

#include <string>

#include "reproduce/reproduction.h"

namespace qkv {

std::string reproductionMarkdown(const Reproduction& r);
// task,config,label,published,seed,value — one row per seed — then the mean, std and n rows.
std::string reproductionCsv(const Reproduction& r);
std::string reproductionJson(const Reproduction& r);

// Writes <dir>/<table id>.md, .csv and .json (atomically); returns the paths. Throws IoError.
std::vector<std::string> writeReproduction(const Reproduction& r, const std::string& dir);

}  // namespace qkv
