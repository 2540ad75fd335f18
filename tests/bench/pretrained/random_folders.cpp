#include "random_folders.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace pretrainedbench {

Shape gpt2Small() {
    return {"gpt2-small", "gpt2", "F32", 12, 768, 12, 12, 3072, 50257, 1024};
}
Shape tinyLlama() {
    return {"tinyllama-1.1b", "llama", "BF16", 22, 2048, 32, 4, 5632, 32000, 2048};
}

namespace {

struct Tensor {
    std::string name;
    std::vector<int64_t> shape;
    float scale;  // values uniform in [−scale, scale] (std ≈ 0.58 · scale); 0: ones
};

std::vector<Tensor> tensorsOf(const Shape& s) {
    const int64_t d = s.dModel, dh = d / s.heads, kv = int64_t(s.kvHeads) * dh, w = s.intermediate,
                  V = s.vocab;
    const float std = 0.035f;  // uniform bound giving N(0, 0.02)-sized weights
    std::vector<Tensor> t;
    if (s.family == "gpt2") {
        t = {{"wte.weight", {V, d}, std}, {"wpe.weight", {s.context, d}, std}};
        for (int i = 0; i < s.layers; ++i) {
            const std::string p = "h." + std::to_string(i) + ".";
            t.push_back({p + "ln_1.weight", {d}, 0});
            t.push_back({p + "ln_1.bias", {d}, std});
            t.push_back({p + "attn.c_attn.weight", {d, 3 * d}, std});
            t.push_back({p + "attn.c_attn.bias", {3 * d}, std});
            t.push_back({p + "attn.c_proj.weight", {d, d}, std});
            t.push_back({p + "attn.c_proj.bias", {d}, std});
            t.push_back({p + "ln_2.weight", {d}, 0});
            t.push_back({p + "ln_2.bias", {d}, std});
            t.push_back({p + "mlp.c_fc.weight", {d, w}, std});
            t.push_back({p + "mlp.c_fc.bias", {w}, std});
            t.push_back({p + "mlp.c_proj.weight", {w, d}, std});
            t.push_back({p + "mlp.c_proj.bias", {d}, std});
        }
        t.push_back({"ln_f.weight", {d}, 0});
        t.push_back({"ln_f.bias", {d}, std});
        return t;
    }
    t = {{"model.embed_tokens.weight", {V, d}, std}};
    for (int i = 0; i < s.layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        t.push_back({p + "input_layernorm.weight", {d}, 0});
        t.push_back({p + "self_attn.q_proj.weight", {d, d}, std});
        t.push_back({p + "self_attn.k_proj.weight", {kv, d}, std});
        t.push_back({p + "self_attn.v_proj.weight", {kv, d}, std});
        t.push_back({p + "self_attn.o_proj.weight", {d, d}, std});
        t.push_back({p + "post_attention_layernorm.weight", {d}, 0});
        t.push_back({p + "mlp.gate_proj.weight", {w, d}, std});
        t.push_back({p + "mlp.up_proj.weight", {w, d}, std});
        t.push_back({p + "mlp.down_proj.weight", {d, w}, std});
    }
    t.push_back({"model.norm.weight", {d}, 0});
    t.push_back({"lm_head.weight", {V, d}, std});
    return t;
}

int64_t count(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t x : shape) n *= x;
    return n;
}

QJsonObject configJson(const Shape& s) {
    if (s.family == "gpt2")
        return {{"model_type", "gpt2"},       {"n_embd", s.dModel},
                {"n_layer", s.layers},        {"n_head", s.heads},
                {"n_positions", s.context},   {"vocab_size", s.vocab},
                {"n_inner", QJsonValue()},    {"activation_function", "gelu_new"},
                {"layer_norm_epsilon", 1e-5}, {"tie_word_embeddings", true}};
    return {{"model_type", "llama"},
            {"hidden_size", s.dModel},
            {"num_hidden_layers", s.layers},
            {"num_attention_heads", s.heads},
            {"num_key_value_heads", s.kvHeads},
            {"intermediate_size", s.intermediate},
            {"vocab_size", s.vocab},
            {"max_position_embeddings", s.context},
            {"rms_norm_eps", 1e-5},
            {"rope_theta", 10000.0},
            {"hidden_act", "silu"},
            {"tie_word_embeddings", false},
            {"torch_dtype", "bfloat16"}};
}

// xorshift64*: fast enough for a billion values, and the same folder on every machine.
struct Random {
    uint64_t state;
    float uniform() {  // [−1, 1)
        state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
        return float((state * 0x2545F4914F6CDD1DULL) >> 40) / float(1 << 23) - 1.0f;
    }
};

uint16_t toBf16(float f) {  // round to nearest even
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return uint16_t((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}

}  // namespace

int64_t Shape::parameters() const {
    int64_t n = 0;
    for (const Tensor& t : tensorsOf(*this)) n += count(t.shape);
    return n;
}

double ensureRandomFolder(const Shape& s, const std::string& dir) {
    const QString stamp = QDir(QString::fromStdString(dir)).filePath(".complete");
    const QString expected = QString::fromStdString(s.name + " " + std::to_string(s.parameters()));
    QFile stampFile(stamp);
    if (stampFile.open(QIODevice::ReadOnly) && stampFile.readAll() == expected.toUtf8()) return 0;
    const auto t0 = std::chrono::steady_clock::now();
    QDir().mkpath(QString::fromStdString(dir));
    QFile::remove(stamp);

    const std::vector<Tensor> tensors = tensorsOf(s);
    const int elem = s.dtype == "BF16" ? 2 : 4;
    QJsonObject header{{"__metadata__", QJsonObject{{"format", "pt"}}}};
    int64_t offset = 0;
    for (const Tensor& t : tensors) {
        const int64_t bytes = count(t.shape) * elem;
        QJsonArray shape;
        for (int64_t x : t.shape) shape.append(qint64(x));
        header.insert(
            QString::fromStdString(t.name),
            QJsonObject{{"dtype", QString::fromStdString(s.dtype)},
                        {"shape", shape},
                        {"data_offsets", QJsonArray{qint64(offset), qint64(offset + bytes)}}});
        offset += bytes;
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8) json.append(' ');
    std::ofstream out(dir + "/model.safetensors", std::ios::binary | std::ios::trunc);
    const uint64_t length = uint64_t(json.size());
    out.write(reinterpret_cast<const char*>(&length), 8);
    out.write(json.constData(), json.size());
    Random rng{0x9E3779B97F4A7C15ULL};
    std::vector<char> buffer;
    for (const Tensor& t : tensors) {
        const int64_t n = count(t.shape);
        buffer.resize(size_t(n * elem));
        for (int64_t i = 0; i < n; ++i) {
            const float v = t.scale == 0 ? 1.0f + 0.1f * rng.uniform() : t.scale * rng.uniform();
            if (elem == 2) {
                const uint16_t b = toBf16(v);
                std::memcpy(&buffer[size_t(i) * 2], &b, 2);
            } else {
                std::memcpy(&buffer[size_t(i) * 4], &v, 4);
            }
        }
        out.write(buffer.data(), std::streamsize(buffer.size()));
    }
    out.close();
    if (!out) throw std::runtime_error("cannot write " + dir + "/model.safetensors");
    QFile config(QString::fromStdString(dir + "/config.json"));
    config.open(QIODevice::WriteOnly);
    config.write(QJsonDocument(configJson(s)).toJson());
    config.close();
    stampFile.close();
    stampFile.open(QIODevice::WriteOnly);
    stampFile.write(expected.toUtf8());
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace pretrainedbench
