#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "train/train_config.h"

namespace qkv {

double learningRateAt(const TrainConfig& c, int step) {
    if (c.warmupSteps > 0 && step < c.warmupSteps) return c.lr * double(step + 1) / c.warmupSteps;
    const int decaySteps = std::max(1, c.steps - 1 - c.warmupSteps);
    const double progress = std::clamp(double(step - c.warmupSteps) / decaySteps, 0.0, 1.0);
    const double floor = c.lr * c.minLrFraction;
    return floor + 0.5 * (c.lr - floor) * (1.0 + std::cos(M_PI * progress));
}


}  // namespace qkv
