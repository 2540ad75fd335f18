// model.safetensors.index.json of a sharded Hugging Face folder.
#include "fuzz_target.h"
#include "pretrained/shard_index.h"

QKV_FUZZ_TARGET(shard_index) {
    return qkv::fuzz::refusalAllowed([&] { qkv::parseShardIndex(bytes, "fuzz"); });
}
