// metrics.json of a run folder, which another process (torchrun) may be writing.
#include "fuzz_target.h"
#include "io/run_metrics_json.h"

QKV_FUZZ_TARGET(run_metrics) {
    return qkv::fuzz::refusalAllowed([&] {
        const qkv::TrainResult result = qkv::parseRunMetrics(bytes, "fuzz");
        qkv::toJson(result);
    });
}
