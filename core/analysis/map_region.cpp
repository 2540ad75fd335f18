#include "analysis/map_region.h"

#include <string>

#include "analysis/analysis_parts.h"
#include "common/errors.h"

namespace qkv {

Eigen::MatrixXf captureMapRegion(const Model& model, const PreparedInput& input,
                                 const MapRegion& region, const std::atomic<bool>* cancel) {
    const ModelConfig& c = model.config();
    const int T = input.length();
    if (region.layer < 0 || region.layer >= c.layers || region.head < 0 || region.head >= c.heads)
        throw ConfigError("no head L" + std::to_string(region.layer) + " H" +
                          std::to_string(region.head) + " in this model (" +
                          std::to_string(c.layers) + " layers of " + std::to_string(c.heads) +
                          " heads)");
    if (region.row0 < 0 || region.row1 > T || region.row0 >= region.row1 || region.col0 < 0 ||
        region.col1 > T || region.col0 >= region.col1)
        throw ConfigError("the map region [" + std::to_string(region.row0) + ", " +
                          std::to_string(region.row1) + ") × [" + std::to_string(region.col0) +
                          ", " + std::to_string(region.col1) + ") is outside the input's " +
                          std::to_string(T) + " tokens");
    // The layers after the one asked for are not run: the stop flag is raised as soon as it is
    // captured, and the forward pass checks it before each layer.
    std::atomic<bool> stop{false};
    Eigen::MatrixXf out;
    forEachCapturedLayer(model, input, &stop, [&](int l, LayerCapture&& layer) {
        if (cancel && cancel->load()) {
            stop.store(true);
            return;
        }
        if (l != region.layer) return;
        const auto& maps = region.logits ? layer.logits : layer.attn;
        out = maps[size_t(region.head)].block(region.row0, region.col0, region.rows(),
                                              region.columns());
        stop.store(true);
    });
    if (out.size() == 0) throw CancelledError("computing the exact map was cancelled");
    return out;
}

}  // namespace qkv
