// config.json of a Hugging Face model folder (GPT-2 and Llama layouts).
#include "fuzz_target.h"
#include "pretrained/hf_config.h"

QKV_FUZZ_TARGET(hf_config) {
    return qkv::fuzz::refusalAllowed([&] {
        const qkv::HfModelInfo info = qkv::parseHfConfig(bytes, "fuzz");
        qkv::validate(info.config);
    });
}
