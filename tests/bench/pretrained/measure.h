#pragma once
// What bench_pretrained measures, each in a child process of its own so that the peak resident
// set (VmHWM) is the operation's and nothing else's.

#include <QJsonObject>

#include <string>

namespace pretrainedbench {

// Opens the folder: {"open_ms", "peak_rss_bytes", "baseline_rss_bytes", "parameters"}.
QJsonObject measureOpen(const std::string& dir);
// Opens, then the full analysis on `tokens` tokens with a progress callback and a cancel flag
// armed: {"analysis_ms", "capture_ms", "weights_ms", "activations_ms", "progress_calls", ...}.
QJsonObject measureAnalysis(const std::string& dir, int tokens);
// Opens, then cached greedy generation of `tokens` tokens after a fixed prompt:
// {"tokens_per_s" (decode steps after the first), "ids", "first_token_ms"}.
QJsonObject measureGeneration(const std::string& dir, int tokens);

// The fixed prompt both sides start from.
std::vector<int64_t> benchPrompt(int vocab);

}  // namespace pretrainedbench
