#pragma once

namespace qkv {

struct TrainConfig;

// Linear warm-up to lr over warmupSteps, then cosine decay to minLrFraction·lr at the last step.
double learningRateAt(const TrainConfig& c, int step);

}  // namespace qkv
