#pragma once
// Seeded generators for the synthetic sequence tasks (core/data/task_config.h).

#include <cstdint>
#include <random>
#include <vector>

#include "data/task_config.h"

namespace qkv {

// The target sequence the task defines for input x (tokens in [0, vocab)).
std::vector<int64_t> syntheticTarget(TaskKind kind, const std::vector<int64_t>& x, int vocab);

// A random input and its target; the same generator state gives the same pair.
struct SyntheticExample {
    std::vector<int64_t> input, target;
};
SyntheticExample sampleSynthetic(TaskKind kind, int vocab, int length, std::mt19937_64& rng);

}  // namespace qkv
