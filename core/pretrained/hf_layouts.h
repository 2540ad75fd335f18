#pragma once
// Where each parameter of a Hugging Face GPT-2 or Llama model lives in its safetensors files,
// as recipes for loadWeights (names, orientation, the parts of packed projections).

#include <string>
#include <vector>

#include "pretrained/weight_files.h"
#include "pretrained/weight_loader.h"

namespace qkv {

// GPT-2: Conv1D weights are stored (in, out) and transposed; c_attn packs [Q; K; V] along its
// output; the names may carry the "transformer." prefix of GPT2LMHeadModel.
std::vector<WeightRecipe> gpt2Recipes(const ModelConfig& c, const WeightFiles& files);
// Buffers and tied copies a GPT-2 file may hold besides its weights.
bool gpt2Ignorable(const std::string& name);

// Llama: q/k/v/o_proj, gate/up/down_proj stored (out, in) as nn.Linear; "model." prefixes.
std::vector<WeightRecipe> llamaRecipes(const ModelConfig& c, const WeightFiles& files);
bool llamaIgnorable(const std::string& name);

}  // namespace qkv
