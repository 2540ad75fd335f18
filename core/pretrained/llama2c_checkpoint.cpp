#include "pretrained/llama2c_checkpoint.h"

#include <fstream>

#include "common/errors.h"
#include "pretrained/llama2c_header.h"

namespace qkv {

bool looksLikeLlama2c(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char buf[36] = {};
    in.read(reinterpret_cast<char*>(buf), sizeof buf);
    return looksLikeLlama2cHeader(buf, uint64_t(in.gcount()));
}

Llama2cCheckpoint openLlama2c(const std::string& path) {
    auto file = std::make_shared<MappedFile>(path);
    const Llama2cLayout layout = parseLlama2cLayout(file->data(), file->size(), path);
    Llama2cCheckpoint ck;
    ck.version = layout.version;
    ck.config = layout.config;
    for (const Llama2cArray& a : layout.arrays) {
        SourceTensor t;
        t.name = a.name;
        t.dtypeText = "F32";
        t.shape = a.shape;
        t.offset = a.offset;
        t.bytes = a.bytes;
        ck.files.addTensor(file, t);
    }

    auto& r = ck.recipes;
    r = {{"tok_emb.weight", "tok_embeddings"}, {"ln_f.weight", "norm"}};
    if (!layout.sharedClassifier) r.push_back({"lm_head.weight", "output"});
    for (int i = 0; i < layout.config.layers; ++i) {
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
