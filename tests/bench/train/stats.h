#pragma once
// Step times: the clock, per-step CPU time, and the summary each side's samples reduce to.

#include <QJsonObject>

#include <chrono>
#include <vector>

namespace trainbench {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0);

// CPU time of every thread of this process. Other engineers' builds share the 2 cores: time a
// step loses while descheduled shows in wall time but not here, so the ratio of CPU times is a
// cross-check of the wall-time ratio (exact for 1 + 1 threads; with more, spinning pool threads
// add to it).
double processCpuSeconds();

struct Stats {
    int steps = 0;
    double median = 0, mean = 0, min = 0, p10 = 0, p90 = 0;  // ms per step
};

Stats summarize(std::vector<double> ms);
QJsonObject statsJson(const Stats& s);

}  // namespace trainbench
