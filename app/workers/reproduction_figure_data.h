#pragma once
// core's Reproduction as the figure view's snapshot (values only: it crosses threads and layers).

#include "reproduce/reproduction.h"
#include "reproduction_figure_view.h"

namespace qkvapp {

qkvviews::ReproductionFigureData reproductionFigureData(const qkv::Reproduction& r);

}  // namespace qkvapp
