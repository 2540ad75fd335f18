#pragma once
// model.safetensors.index.json of a sharded Hugging Face folder, parsed from its bytes: which
// shard file holds each tensor. Shard names must be plain file names in the model's folder.

#include <map>
#include <set>
#include <string>

namespace qkv {

struct ShardIndex {
    std::map<std::string, std::string> shardOf;  // tensor name -> shard file name
    std::set<std::string> shards;
};

// Throws IoError naming `source`: not a JSON object, no "weight_map", a shard that is not a plain
// file name (a path, "..", a hidden file).
ShardIndex parseShardIndex(const std::string& json, const std::string& source);

}  // namespace qkv
