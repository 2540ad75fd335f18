#include "data/synthetic_task.h"

#include <algorithm>

#include "common/errors.h"

namespace qkv {

std::vector<int64_t> syntheticTarget(TaskKind kind, const std::vector<int64_t>& x, int vocab) {
    const size_t T = x.size();
    std::vector<int64_t> y(T);
    switch (kind) {
        case TaskKind::Copy: y = x; break;
        case TaskKind::Reverse: std::reverse_copy(x.begin(), x.end(), y.begin()); break;
        case TaskKind::Sort:
            y = x;
            std::sort(y.begin(), y.end());
            break;
        case TaskKind::Swap: {
            const size_t h = T / 2;  // odd T: the middle token ends up first of the back half
            std::copy(x.begin() + h, x.end(), y.begin());
            std::copy(x.begin(), x.begin() + h, y.begin() + (T - h));
            break;
        }
        case TaskKind::Sub:
            for (size_t i = 0; i < T; ++i) y[i] = (vocab - 1) - x[i];
            break;
        case TaskKind::Follow:
            // Query at i must find position j of the first x_j = x_i and read x_{j+1}: the answer
            // sits one step after the match, a direction a symmetric score cannot express alone.
            for (size_t i = 0; i < T; ++i) {
                const size_t j = size_t(std::find(x.begin(), x.end(), x[i]) - x.begin());
                y[i] = j + 1 < T ? x[j + 1] : x[i];
            }
            break;
        default: throw ConfigError("task '" + taskId(kind) + "' is not a synthetic task");
    }
    return y;
}

SyntheticExample sampleSynthetic(TaskKind kind, int vocab, int length, std::mt19937_64& rng) {
    std::uniform_int_distribution<int64_t> token(0, vocab - 1);
    SyntheticExample ex;
    ex.input.resize(size_t(length));
    for (auto& t : ex.input) t = token(rng);
    ex.target = syntheticTarget(kind, ex.input, vocab);
    return ex;
}

}  // namespace qkv
