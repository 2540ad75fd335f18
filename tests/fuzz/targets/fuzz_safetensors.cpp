// safetensors: the header parsed on a memory image (as a mapped file is), then every tensor's
// bytes converted as the weight loader converts them, and the whole-file decoder.
#include <vector>

#include "fuzz_target.h"
#include "io/safetensors.h"

QKV_FUZZ_TARGET(safetensors) {
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const bool accepted = qkv::fuzz::refusalAllowed([&] {
        const qkv::SafetensorsHeader header =
            qkv::parseSafetensorsHeader(data, bytes.size(), "fuzz");
        std::vector<float> values;
        for (const qkv::TensorEntry& t : header.tensors) {
            if (t.dtype == qkv::TensorDType::Other) continue;
            values.resize(size_t(t.elements()));
            qkv::convertToFloat(t.dtype, data + header.dataOffset + t.begin, values.size(),
                                values.data());
        }
    });
    qkv::fuzz::refusalAllowed([&] { qkv::decodeSafetensors(bytes, "fuzz"); });
    return accepted;
}
