#pragma once
// Spread over seeds: what makes a gap between two variants believable or not.

#include <string>
#include <vector>

namespace qkv {

struct SeedSummary {
    int n = 0;                                   // finite values
    double mean = 0, std = 0, min = 0, max = 0;  // std: sample (n − 1), 0 for one value
};

// NaN values (a diverged run) are left out of n.
SeedSummary summarizeSeeds(const std::vector<double>& values);

// "2.2887 ± 0.0123 (n 3)"; "n/a" when n is 0.
std::string meanStdText(const SeedSummary& s, int decimals);

}  // namespace qkv
