#include "pretrained/hf_config.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

#include "common/errors.h"
#include "io/json_fields.h"

namespace qkv {

namespace {

class ConfigReader {
public:
    ConfigReader(QJsonObject o, std::string source)
        : m_o(std::move(o)), m_source(std::move(source)) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw ConfigError(m_source + ": " + what);
    }
    bool has(const char* key) const { return m_o.contains(key) && !m_o.value(key).isNull(); }

    int integer(const char* key, std::optional<int> fallback = std::nullopt) const {
        if (!has(key)) {
            if (fallback) return *fallback;
            fail(std::string("\"") + key + "\" is missing");
        }
        const double v = m_o.value(key).toDouble(std::nan(""));
        if (!(v >= 0 && v <= 1e9 && v == std::floor(v)))
            fail(std::string("\"") + key + "\" is not a non-negative integer");
        return int(v);
    }
    double number(const char* key, double fallback) const {
        if (!has(key)) return fallback;
        if (!m_o.value(key).isDouble()) fail(std::string("\"") + key + "\" is not a number");
        return m_o.value(key).toDouble();
    }
    bool boolean(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        if (!m_o.value(key).isBool()) fail(std::string("\"") + key + "\" is not true or false");
        return m_o.value(key).toBool();
    }
    std::string text(const char* key, const std::string& fallback) const {
        if (!has(key)) return fallback;
        if (!m_o.value(key).isString()) fail(std::string("\"") + key + "\" is not a string");
        return m_o.value(key).toString().toStdString();
    }
    std::optional<int64_t> tokenId(const char* key) const {
        // Absent, null, or a list (several ids): none.
        return exactInteger(m_o.value(key), 0, std::numeric_limits<int32_t>::max());
    }
    const QJsonObject& object() const { return m_o; }

private:
    QJsonObject m_o;
    std::string m_source;
};

void readGpt2(const ConfigReader& r, ModelConfig& c) {
    applyFamily(c, "gpt2");
    c.dModel = r.integer("n_embd");
    c.layers = r.integer("n_layer");
    c.heads = r.integer("n_head");
    c.vocab = r.integer("vocab_size");
    c.context = r.integer("n_positions", r.integer("n_ctx", 1024));
    c.mlpHidden = r.has("n_inner") ? r.integer("n_inner") : 0;  // null means 4·d
    c.normEps = r.number("layer_norm_epsilon", 1e-5);
    const std::string act = r.text("activation_function", "gelu_new");
    if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast")
        c.mlp = MlpKind::GeluTanh;
    else if (act == "gelu")
        c.mlp = MlpKind::Gelu;
    else
        r.fail("activation_function \"" + act + "\" is not implemented (gelu_new, gelu)");
    if (!r.boolean("tie_word_embeddings", true))
        r.fail("an untied GPT-2 head is not implemented (tie_word_embeddings is false)");
    if (!r.boolean("scale_attn_weights", true))
        r.fail("scale_attn_weights false (unscaled logits) is not implemented");
    if (r.boolean("scale_attn_by_inverse_layer_idx", false))
        r.fail("scale_attn_by_inverse_layer_idx is not implemented");
    if (r.boolean("add_cross_attention", false)) r.fail("cross-attention is not implemented");
}

void readLlama(const ConfigReader& r, ModelConfig& c) {
    c.dModel = r.integer("hidden_size");  // before applyFamily: the MLP width rule reads it
    applyFamily(c, "llama");
    c.layers = r.integer("num_hidden_layers");
    c.heads = r.integer("num_attention_heads");
    c.kvHeads = r.integer("num_key_value_heads", c.heads);
    c.vocab = r.integer("vocab_size");
    c.context = r.integer("max_position_embeddings", 2048);
    c.mlpHidden = r.integer("intermediate_size");
    c.normEps = r.number("rms_norm_eps", 1e-6);
    c.ropeTheta = r.number("rope_theta", 10000);
    c.ropePairs = RotaryPairs::Half;
    c.attnBias = r.boolean("attention_bias", false);
    c.mlpBias = r.boolean("mlp_bias", false);
    c.tiedHead = r.boolean("tie_word_embeddings", false);
    if (r.has("head_dim")) {
        const int headDim = r.integer("head_dim");
        c.headDimOverride = c.heads > 0 && headDim * c.heads == c.dModel ? 0 : headDim;
    }
    const std::string act = r.text("hidden_act", "silu");
    if (act != "silu") r.fail("hidden_act \"" + act + "\" is not implemented (silu)");
    const QJsonValue scaling = r.object().value("rope_scaling");
    if (!scaling.isNull() && !scaling.isUndefined()) {
        const QJsonObject s = scaling.toObject();
        const std::string type =
            s.value(s.contains("rope_type") ? "rope_type" : "type").toString().toStdString();
        const double factor = s.value("factor").toDouble(0);
        if (type == "linear" && factor > 0)
            c.ropeLinearScale = factor;
        else if (type != "default")
            r.fail("rope_scaling of type \"" + type +
                   "\" is not implemented (only \"linear\" is); QKV Lab will not approximate it");
    }
}

}  // namespace

HfModelInfo parseHfConfig(const std::string& json, const std::string& source) {
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw ConfigError(source + ": not a JSON object (" + err.errorString().toStdString() + ")");
    const ConfigReader r(doc.object(), source);
    HfModelInfo info;
    info.modelType = r.text("model_type", "");
    ModelConfig& c = info.config;
    c.arch = Architecture::Decoder;
    c.variant = Variant::Qkv;
    if (info.modelType == "gpt2")
        readGpt2(r, c);
    else if (info.modelType == "llama")
        readLlama(r, c);
    else
        r.fail("model_type \"" + info.modelType +
               "\" is not supported (supported: " + kSupportedModelTypes + ")");
    info.bosTokenId = r.tokenId("bos_token_id");
    info.eosTokenId = r.tokenId("eos_token_id");
    try {
        validate(c);
    } catch (const ConfigError& e) {
        r.fail(e.what());
    }
    return info;
}

}  // namespace qkv
