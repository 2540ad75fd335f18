#pragma once
// The machine the benchmark runs on. Its 2 cores are shared with other engineers' builds and
// tests, so what else ran while timing goes into the report, and each case waits for quiet.

#include <sys/types.h>

#include <string>

#include "stats.h"

namespace trainbench {

std::string envOr(const char* name, const char* fallback = "");
std::string cpuModel();
std::string loadAverage();  // /proc/loadavg's 1, 5 and 15 minute figures

// Busy CPU of everything but this benchmark and its PyTorch child, as a share of the machine.
class OtherLoad {
public:
    explicit OtherLoad(pid_t child);
    void reset();
    double share() const;

private:
    double ownSeconds() const;
    pid_t m_child;
    Clock::time_point m_t0;
    double m_busy0 = 0, m_own0 = 0;
};

// Waits (at most `limit` seconds) for a half-second in which other processes use under 10% of
// the machine; returns the seconds waited.
double waitForQuiet(double limit, pid_t child);

}  // namespace trainbench
