#include "pretrained/llama2c_checkpoint.h"

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "common/errors.h"

namespace qkv {

namespace {

constexpr uint32_t kMagic = 0x616b3432;  // "ak42", stored little-endian as "24ka"
constexpr uint64_t kVersionedHeaderBytes = 256, kLegacyHeaderBytes = 28;

struct Header {
    int32_t dim, hidden, layers, heads, kvHeads, vocab, seqLen;
};

bool plausible(const Header& h) {
    return h.dim > 0 && h.dim <= 65536 && h.hidden > 0 && h.hidden <= 1 << 20 && h.layers > 0 &&
           h.layers <= 256 && h.heads > 0 && h.heads <= h.dim && h.kvHeads > 0 &&
           h.kvHeads <= h.heads && h.vocab != 0 && std::abs(int64_t(h.vocab)) <= 1000000 &&
           h.seqLen > 0 && h.seqLen <= 1 << 20;
}

Header readHeader(const unsigned char* p) {
    Header h;
    std::memcpy(&h, p, sizeof h);
    return h;
}

}  // namespace

bool looksLikeLlama2c(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char buf[36] = {};
    in.read(reinterpret_cast<char*>(buf), sizeof buf);
    if (in.gcount() < 28) return false;
    uint32_t magic;
    std::memcpy(&magic, buf, 4);
    if (magic == kMagic) return true;
    return plausible(readHeader(buf));
}

Llama2cCheckpoint openLlama2c(const std::string& path) {
    auto file = std::make_shared<MappedFile>(path);
    auto fail = [&](const std::string& what) { throw IoError(path + ": " + what); };
    if (file->size() < kLegacyHeaderBytes) fail("too short for a llama2.c checkpoint");
    Llama2cCheckpoint ck;
    uint32_t magic;
    std::memcpy(&magic, file->data(), 4);
    uint64_t offset = kLegacyHeaderBytes;
    Header h{};
    bool shared = true;
    if (magic == kMagic) {
        if (file->size() < kVersionedHeaderBytes) fail("truncated inside its 256-byte header");
        int32_t version;
        std::memcpy(&version, file->data() + 4, 4);
        if (version == 2)
            fail(
                "llama2.c version 2 (int8 Q8_0 quantised) checkpoints are not supported; export "
                "version 1 (float32) instead");
        if (version != 1) fail("unknown llama2.c checkpoint version " + std::to_string(version));
        ck.version = 1;
        h = readHeader(file->data() + 8);
        shared = file->data()[36] != 0;
        offset = kVersionedHeaderBytes;
    } else {
        h = readHeader(file->data());
        shared = h.vocab > 0;
        h.vocab = std::abs(h.vocab);
    }
    if (!plausible(h)) fail("its header does not describe a model (not a llama2.c checkpoint?)");
    if (h.dim % h.heads != 0 || h.heads % h.kvHeads != 0)
        fail("dim " + std::to_string(h.dim) + ", heads " + std::to_string(h.heads) +
             " and kv heads " + std::to_string(h.kvHeads) + " do not divide");

    ModelConfig& c = ck.config;
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
    c.tiedHead = shared;
    validate(c);

    const int64_t d = h.dim, kv = int64_t(h.dim) / h.heads * h.kvHeads, L = h.layers,
                  hid = h.hidden, V = h.vocab, headSize = h.dim / h.heads;
    struct Array {
        std::string kind;  // per-layer kinds get "layers.N." names
        int64_t rows, cols;
        bool perLayer;
    };
    std::vector<Array> arrays;
    const Array tok{"tok_embeddings", V, d, false}, rmsAtt{"attention_norm", 1, d, true},
        rmsFfn{"ffn_norm", 1, d, true}, rmsFinal{"norm", 1, d, false}, wq{"wq", d, d, true},
        wk{"wk", kv, d, true}, wv{"wv", kv, d, true}, wo{"wo", d, d, true}, w1{"w1", hid, d, true},
        w2{"w2", d, hid, true}, w3{"w3", hid, d, true},
        freqs{"freq_cis", 2 * h.seqLen, headSize / 2, false}, cls{"output", V, d, false};
    if (ck.version == 0)
        arrays = {tok, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, freqs};
    else
        arrays = {rmsAtt, rmsFfn, rmsFinal, tok, wq, wk, wv, wo, w1, w2, w3};
    if (!shared) arrays.push_back(cls);

    uint64_t expected = offset;
    for (const Array& a : arrays) expected += uint64_t(a.rows * a.cols * (a.perLayer ? L : 1)) * 4;
    if (file->size() != expected)
        fail("holds " + std::to_string(file->size()) + " bytes but its header describes " +
             std::to_string(expected) + " (truncated, or not this format)");

    for (const Array& a : arrays) {
        const uint64_t bytes = uint64_t(a.rows * a.cols) * 4;
        for (int64_t i = 0; i < (a.perLayer ? L : 1); ++i) {
            SourceTensor t;
            t.name = a.perLayer ? "layers." + std::to_string(i) + "." + a.kind : a.kind;
            t.dtypeText = "F32";
            t.shape =
                a.rows == 1 ? std::vector<int64_t>{a.cols} : std::vector<int64_t>{a.rows, a.cols};
            t.offset = offset;
            t.bytes = bytes;
            ck.files.addTensor(file, t);
            offset += bytes;
        }
    }

    auto& r = ck.recipes;
    r = {{"tok_emb.weight", "tok_embeddings"}, {"ln_f.weight", "norm"}};
    if (!shared) r.push_back({"lm_head.weight", "output"});
    for (int i = 0; i < L; ++i) {
        const std::string ours = "blocks." + std::to_string(i) + ".",
                          theirs = "layers." + std::to_string(i) + ".";
        r.push_back({ours + "ln1.weight", theirs + "attention_norm"});
        r.push_back({ours + "ln2.weight", theirs + "ffn_norm"});
        for (const char* p : {"q", "k", "v", "o"})
            r.push_back({ours + "attn." + p + ".weight", theirs + "w" + p});
        r.push_back({ours + "mlp.gate.weight", theirs + "w1"});
        r.push_back({ours + "mlp.down.weight", theirs + "w2"});
        r.push_back({ours + "mlp.up.weight", theirs + "w3"});
    }
    return ck;
}

}  // namespace qkv
