#pragma once
// One head's logits or attention, exact, over a rectangle of query rows and key columns. A long
// input's maps are kept pooled for drawing (LayerCapture::mapStride); when a view zooms into a
// pooled map, the rectangle on show is recomputed here at full resolution, running the model
// only up to the layer asked for.

#include <Eigen/Dense>

#include <atomic>

#include "analysis/capture.h"

namespace qkv {

struct MapRegion {
    int layer = 0, head = 0;
    bool logits = false;     // S (after the positional bias, pre-mask); else the attention A
    int row0 = 0, row1 = 0;  // query rows [row0, row1)
    int col0 = 0, col1 = 0;  // key columns [col0, col1)
    int rows() const { return row1 - row0; }
    int columns() const { return col1 - col0; }
};

// (row1 - row0) × (col1 - col0) values of the map; masked (future) attention cells are 0, as the
// softmax gives them. ConfigError for a layer, head or rectangle outside the model and input;
// CancelledError when `cancel` is set between layers.
Eigen::MatrixXf captureMapRegion(const Model& model, const PreparedInput& input,
                                 const MapRegion& region,
                                 const std::atomic<bool>* cancel = nullptr);

}  // namespace qkv
