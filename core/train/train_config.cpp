#include "train/train_config.h"

namespace qkv {

std::string statusId(TrainStatus s) {
    switch (s) {
        case TrainStatus::Completed: return "completed";
        case TrainStatus::Cancelled: return "cancelled";
        case TrainStatus::Diverged: return "diverged";
    }
    return "completed";
}

}  // namespace qkv
