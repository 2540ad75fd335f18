#include "stats.h"

#include <time.h>

#include <algorithm>

namespace trainbench {

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double processCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

Stats summarize(std::vector<double> ms) {
    Stats s;
    if (ms.empty()) return s;
    std::sort(ms.begin(), ms.end());
    const size_t n = ms.size();
    auto q = [&](double f) { return ms[std::min(n - 1, size_t(f * double(n - 1) + 0.5))]; };
    s.steps = int(n);
    s.median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
    double sum = 0;
    for (double v : ms) sum += v;
    s.mean = sum / double(n);
    s.min = ms.front();
    s.p10 = q(0.1);
    s.p90 = q(0.9);
    return s;
}

QJsonObject statsJson(const Stats& s) {
    QJsonObject o;
    o["steps"] = s.steps;
    o["ms_median"] = s.median;
    o["ms_mean"] = s.mean;
    o["ms_min"] = s.min;
    o["ms_p10"] = s.p10;
    o["ms_p90"] = s.p90;
    return o;
}

}  // namespace trainbench
