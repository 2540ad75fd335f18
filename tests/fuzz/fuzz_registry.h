#pragma once
// The fuzz targets compiled into the normal build, by name ("safetensors" for
// targets/fuzz_safetensors.cpp), for the replay test.
#include <map>
#include <string>

#include "fuzz_target.h"

namespace qkv::fuzz {

std::map<std::string, TargetFunction>& targets();

}  // namespace qkv::fuzz
