// IDX image and label files (Fashion-MNIST), raw or gzip-compressed.
#include "data/idx_reader.h"
#include "fuzz_target.h"

QKV_FUZZ_TARGET(idx) {
    bool accepted = false;
    qkv::fuzz::refusalAllowed([&] {
        const std::string raw = qkv::maybeGunzip(bytes, "fuzz");
        accepted |= qkv::fuzz::refusalAllowed([&] { qkv::parseIdxImages(raw, "fuzz"); });
        accepted |= qkv::fuzz::refusalAllowed([&] { qkv::parseIdxLabels(raw, "fuzz"); });
    });
    return accepted;
}
