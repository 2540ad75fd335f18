#include "train/seed_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace qkv {

SeedSummary summarizeSeeds(const std::vector<double>& values) {
    SeedSummary s;
    double sum = 0;
    for (double v : values)
        if (std::isfinite(v)) {
            s.min = s.n == 0 ? v : std::min(s.min, v);
            s.max = s.n == 0 ? v : std::max(s.max, v);
            sum += v;
            ++s.n;
        }
    if (s.n == 0) return s;
    s.mean = sum / s.n;
    double squares = 0;
    for (double v : values)
        if (std::isfinite(v)) squares += (v - s.mean) * (v - s.mean);
    s.std = s.n > 1 ? std::sqrt(squares / (s.n - 1)) : 0.0;
    return s;
}

std::string meanStdText(const SeedSummary& s, int decimals) {
    if (s.n == 0) return "n/a";
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.*f ± %.*f (n %d)", decimals, s.mean, decimals, s.std, s.n);
    return buf;
}

}  // namespace qkv
