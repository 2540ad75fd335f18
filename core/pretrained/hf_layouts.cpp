#include "pretrained/hf_layouts.h"

namespace qkv {

namespace {
bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
std::string layer(int i) {
    return "blocks." + std::to_string(i) + ".";
}
}  // namespace

std::vector<WeightRecipe> gpt2Recipes(const ModelConfig& c, const WeightFiles& files) {
    const std::string p = files.find("transformer.wte.weight") ? "transformer." : "";
    const int64_t d = c.dModel;
    std::vector<WeightRecipe> r = {{"tok_emb.weight", p + "wte.weight"},
                                   {"pos_emb", p + "wpe.weight"},
                                   {"ln_f.weight", p + "ln_f.weight"},
                                   {"ln_f.bias", p + "ln_f.bias"}};
    for (int i = 0; i < c.layers; ++i) {
        const std::string ours = layer(i), theirs = p + "h." + std::to_string(i) + ".";
        for (const char* part : {"weight", "bias"}) {
            const std::string w = part;
            const bool matrix = w == "weight";
            r.push_back({ours + "ln1." + w, theirs + "ln_1." + w});
            r.push_back({ours + "ln2." + w, theirs + "ln_2." + w});
            // c_attn's output is [Q; K; V], d columns each (rows once transposed).
            const char* names[] = {"q", "k", "v"};
            for (int j = 0; j < 3; ++j)
                r.push_back({ours + "attn." + names[j] + "." + w, theirs + "attn.c_attn." + w,
                             matrix, j * d, d});
            r.push_back({ours + "attn.o." + w, theirs + "attn.c_proj." + w, matrix});
            r.push_back({ours + "mlp.fc." + w, theirs + "mlp.c_fc." + w, matrix});
            r.push_back({ours + "mlp.proj." + w, theirs + "mlp.c_proj." + w, matrix});
        }
    }
    return r;
}

bool gpt2Ignorable(const std::string& name) {
    return endsWith(name, ".attn.bias") || endsWith(name, ".attn.masked_bias") ||
           name == "lm_head.weight";  // tied: the same values as wte
}

std::vector<WeightRecipe> llamaRecipes(const ModelConfig& c, const WeightFiles& files) {
    std::vector<WeightRecipe> r = {{"tok_emb.weight", "model.embed_tokens.weight"},
                                   {"ln_f.weight", "model.norm.weight"}};
    if (!c.tiedHead) r.push_back({"lm_head.weight", "lm_head.weight"});
    if (!c.tiedHead && c.headBias) r.push_back({"lm_head.bias", "lm_head.bias"});
    for (int i = 0; i < c.layers; ++i) {
        const std::string ours = layer(i), theirs = "model.layers." + std::to_string(i) + ".";
        r.push_back({ours + "ln1.weight", theirs + "input_layernorm.weight"});
        r.push_back({ours + "ln2.weight", theirs + "post_attention_layernorm.weight"});
        for (const char* proj : {"q", "k", "v", "o"}) {
            const std::string name = std::string(proj);
            r.push_back(
                {ours + "attn." + name + ".weight", theirs + "self_attn." + name + "_proj.weight"});
            if (c.attnBias)
                r.push_back(
                    {ours + "attn." + name + ".bias", theirs + "self_attn." + name + "_proj.bias"});
        }
        for (const char* part : {"gate", "up", "down"}) {
            const std::string name = std::string(part);
            r.push_back(
                {ours + "mlp." + name + ".weight", theirs + "mlp." + name + "_proj.weight"});
            if (c.mlpBias)
                r.push_back(
                    {ours + "mlp." + name + ".bias", theirs + "mlp." + name + "_proj.bias"});
        }
    }
    (void)files;
    return r;
}

bool llamaIgnorable(const std::string& name) {
    return endsWith(name, ".rotary_emb.inv_freq") || name == "lm_head.weight";
}

}  // namespace qkv
