#include "pretrained/llama2c_header.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "common/errors.h"

namespace qkv {

namespace {

constexpr uint32_t kMagic = 0x616b3432;  // "ak42", stored little-endian as "24ka"
constexpr uint64_t kVersionedHeaderBytes = 256, kLegacyHeaderBytes = 28;

struct Header {
    int32_t dim, hidden, layers, heads, kvHeads, vocab, seqLen;
};

// Bounds well beyond any published model; they keep every size product below 2^63.
bool plausible(const Header& h) {
    return h.dim > 0 && h.dim <= 65536 && h.hidden > 0 && h.hidden <= 1 << 20 && h.layers > 0 &&
           h.layers <= 256 && h.heads > 0 && h.heads <= h.dim && h.kvHeads > 0 &&
           h.kvHeads <= h.heads && h.vocab != 0 && h.vocab != INT32_MIN &&
           std::abs(int64_t(h.vocab)) <= 1000000 && h.seqLen > 0 && h.seqLen <= 1 << 20;
}

Header readHeader(const unsigned char* p) {
    Header h;
    std::memcpy(&h, p, sizeof h);
    return h;
}

uint32_t readMagic(const unsigned char* p) {
    uint32_t magic;
    std::memcpy(&magic, p, 4);
    return magic;
}

}  // namespace

bool looksLikeLlama2cHeader(const unsigned char* bytes, uint64_t size) {
    if (size < kLegacyHeaderBytes) return false;
    return readMagic(bytes) == kMagic || plausible(readHeader(bytes));
}

Llama2cLayout parseLlama2cLayout(const unsigned char* bytes, uint64_t fileSize,
                                 const std::string& source) {
    auto fail = [&](const std::string& what) { throw IoError(source + ": " + what); };
    if (fileSize < kLegacyHeaderBytes) fail("too short for a llama2.c checkpoint");
    Llama2cLayout layout;
    uint64_t offset = kLegacyHeaderBytes;
    Header h{};
    if (readMagic(bytes) == kMagic) {
        if (fileSize < kVersionedHeaderBytes) fail("truncated inside its 256-byte header");
        int32_t version;
        std::memcpy(&version, bytes + 4, 4);
        if (version == 2)
            fail(
                "llama2.c version 2 (int8 Q8_0 quantised) checkpoints are not supported; export "
                "version 1 (float32) instead");
        if (version != 1) fail("unknown llama2.c checkpoint version " + std::to_string(version));
        layout.version = 1;
        h = readHeader(bytes + 8);
        layout.sharedClassifier = bytes[36] != 0;
        offset = kVersionedHeaderBytes;
    } else {
        h = readHeader(bytes);
        layout.sharedClassifier = h.vocab > 0;
        if (h.vocab != INT32_MIN) h.vocab = std::abs(h.vocab);
    }
    if (!plausible(h)) fail("its header does not describe a model (not a llama2.c checkpoint?)");
    if (h.dim % h.heads != 0 || h.heads % h.kvHeads != 0)
        fail("dim " + std::to_string(h.dim) + ", heads " + std::to_string(h.heads) +
             " and kv heads " + std::to_string(h.kvHeads) + " do not divide");

    ModelConfig& c = layout.config;
    c.arch = Architecture::Decoder;
    c.variant = Variant::Qkv;
    c.dModel = h.dim;
    applyFamily(c, "llama");
    c.layers = h.layers;
    c.heads = h.heads;
    c.kvHeads = h.kvHeads;
    c.vocab = h.vocab;
    c.context = h.seqLen;
    c.mlpHidden = h.hidden;
    c.normEps = 1e-5;
    c.ropePairs = RotaryPairs::Adjacent;
    c.tiedHead = layout.sharedClassifier;
    validate(c);

    const int64_t d = h.dim, kv = int64_t(h.dim) / h.heads * h.kvHeads, L = h.layers,
                  hid = h.hidden, V = h.vocab, headSize = h.dim / h.heads;
    struct Kind {
        std::string name;  // per-layer kinds get "layers.N." names
        int64_t rows, cols;
        bool perLayer;
    };
    const Kind tok{"tok_embeddings", V, d, false}, rmsAtt{"attention_norm", 1, d, true},
        rmsFfn{"ffn_norm", 1, d, true}, rmsFinal{"norm", 1, d, false}, wq{"wq", d, d, true},
        wk{"wk", kv, d, true}, wv{"wv", kv, d, true}, wo{"wo", d, d, true}, w1{"w1", hid, d, true},
        w2{"w2", d, hid, true}, w3{"w3", hid, d, true},
        freqs{"freq_cis", 2 * h.seqLen, headSize / 2, false}, cls{"output", V, d, false};
    std::vector<Kind> kinds;
    if (layout.version == 0)
        kinds = {tok, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, freqs};
    else
        kinds = {rmsAtt, rmsFfn, rmsFinal, tok, wq, wk, wv, wo, w1, w2, w3};
    if (!layout.sharedClassifier) kinds.push_back(cls);

    uint64_t expected = offset;
    for (const Kind& k : kinds) expected += uint64_t(k.rows * k.cols * (k.perLayer ? L : 1)) * 4;
    if (fileSize != expected)
        fail("holds " + std::to_string(fileSize) + " bytes but its header describes " +
             std::to_string(expected) + " (truncated, or not this format)");

    for (const Kind& k : kinds) {
        const uint64_t bytesPerArray = uint64_t(k.rows * k.cols) * 4;
        for (int64_t i = 0; i < (k.perLayer ? L : 1); ++i) {
            Llama2cArray a;
            a.name = k.perLayer ? "layers." + std::to_string(i) + "." + k.name : k.name;
            a.shape = k.rows == 1 ? std::vector<int64_t>{k.cols}
                                  : std::vector<int64_t>{k.rows, k.cols};
            a.offset = offset;
            a.bytes = bytesPerArray;
            layout.arrays.push_back(std::move(a));
            offset += bytesPerArray;
        }
    }
    return layout;
}

}  // namespace qkv
