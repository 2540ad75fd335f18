// Precompiled header for core's LibTorch translation units.
#pragma once
#include <torch/torch.h>
