#include "analysis/capture.h"

#include <chrono>
#include <cstdio>

#include "common/errors.h"
#include "data/dataset.h"
#include "data/text_corpus.h"
#include "analysis/analysis_parts.h"
#include "model/transformer.h"

namespace qkv {

AnalysisInput AnalysisInput::sample(int index) {
    AnalysisInput in;
    in.index = index;
    return in;
}

AnalysisInput AnalysisInput::fromText(std::string utf8) {
    AnalysisInput in;
    in.kind = Kind::Text;
    in.text = std::move(utf8);
    return in;
}

AnalysisInput AnalysisInput::fromTokens(std::vector<int64_t> ids) {
    AnalysisInput in;
    in.kind = Kind::Tokens;
    in.tokens = std::move(ids);
    return in;
}

const char* const kDefaultAnalysisText =
    "The old lighthouse keeper climbed the stairs every evening. He lit the lamp, wrote the "
    "weather in his book, and watched the ships pass in the dark. One night a small boat came "
    "too close to the rocks, and he rang the bell until the sailors turned away.";

namespace {

void labelTokens(PreparedInput& p, const TaskConfig& task, const Tokenizer* tokenizer) {
    p.labels.clear();
    if (task.kind == TaskKind::Text) {
        for (int64_t t : p.tokens)
            p.labels.push_back(tokenizer ? tokenizer->label(t) : "#" + std::to_string(t));
    } else {
        for (size_t i = 0; i < p.tokens.size(); ++i)
            p.labels.push_back("pos " + std::to_string(i) + ": " + std::to_string(p.tokens[i]));
    }
}

void labelPatches(PreparedInput& p, const ModelConfig& m) {
    const int side = m.imageSize / m.patchSize;
    p.labels = {"cls"};
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c)
            p.labels.push_back("patch " + std::to_string(r) + "," + std::to_string(c));
}

void checkTokens(const PreparedInput& p, const ModelConfig& m) {
    if (p.tokens.empty()) throw ConfigError("the input is empty");
    if (int64_t(p.tokens.size()) > m.context)
        throw ConfigError("input of " + std::to_string(p.tokens.size()) +
                          " tokens is longer than the model's context (" +
                          std::to_string(m.context) + ")");
    for (int64_t t : p.tokens)
        if (t < 0 || t >= m.vocab)
            throw ConfigError("token " + std::to_string(t) + " is outside the vocabulary [0, " +
                              std::to_string(m.vocab) + ")");
}

}  // namespace

PreparedInput prepareInput(const ModelConfig& model, const TaskConfig& taskIn,
                           const AnalysisInput& input, const Tokenizer* tokenizerIn) {
    TaskConfig task = taskIn;
    PreparedInput p;
    const bool vit = model.arch == Architecture::Vit;
    std::shared_ptr<Tokenizer> characters;
    const Tokenizer* tokenizer = tokenizerIn;
    if (!tokenizer && task.kind == TaskKind::Text && !task.alphabet.empty()) {
        characters = makeCharacterTokenizer(task.alphabet);
        tokenizer = characters.get();
    }
    const bool external = task.kind == TaskKind::Text && task.alphabet.empty();
    if (input.kind == AnalysisInput::Kind::Sample && external) {
        if (!tokenizer)
            throw ConfigError("this model has no tokenizer: give the input as token ids (3,1,4)");
        p.tokens = tokenizer->encode(kDefaultAnalysisText);
        if (tokenizer->promptStartsWithBos()) p.tokens.insert(p.tokens.begin(), *tokenizer->bos());
        if (int64_t(p.tokens.size()) > model.context) p.tokens.resize(size_t(model.context));
        p.description = "a sample paragraph (" + std::to_string(p.tokens.size()) + " tokens)";
    } else if (input.kind == AnalysisInput::Kind::Sample) {
        auto data = makeDataset(task);
        if (input.index < 0 || input.index >= data->validationCount())
            throw ConfigError("sample " + std::to_string(input.index) +
                              " is out of range: the validation split has " +
                              std::to_string(data->validationCount()) + " examples");
        const Batch b = data->validationBatch(input.index, 1);
        p.description = "validation " + std::string(vit ? "image " : "sample ") +
                        std::to_string(input.index) + " of " + taskId(task.kind);
        if (vit) {
            p.pixels = b.pixels;
            if (int(p.pixels.size()) != model.imageSize * model.imageSize)
                throw ConfigError("the run's images are not " + std::to_string(model.imageSize) +
                                  " pixels square");
            if (!b.targets.empty())
                p.description += " (label " + std::to_string(b.targets[0]) + ")";
            labelPatches(p, model);
            return p;
        }
        p.tokens = b.inputs;
    } else if (vit) {
        throw ConfigError("an image run takes --sample N (a validation image), not text or tokens");
    } else if (input.kind == AnalysisInput::Kind::Text) {
        if (task.kind != TaskKind::Text)
            throw ConfigError("text input needs a text (language-model) run; give token ids for " +
                              taskId(task.kind));
        if (!tokenizer)
            throw ConfigError("this model has no tokenizer: give the input as token ids (3,1,4)");
        p.tokens = tokenizer->encode(input.text);
        if (tokenizer->promptStartsWithBos()) p.tokens.insert(p.tokens.begin(), *tokenizer->bos());
        p.description = "text prompt (" + std::to_string(p.tokens.size()) +
                        (tokenizer->kind() == "characters" ? " characters)" : " tokens)");
    } else {
        p.tokens = input.tokens;
        p.description = "explicit tokens (" + std::to_string(p.tokens.size()) + ")";
    }
    checkTokens(p, model);
    labelTokens(p, task, tokenizer);
    return p;
}

namespace {
// (T, n) float tensor → Eigen copy.
Eigen::MatrixXf toEigen(const torch::Tensor& t2d) {
    auto t = t2d.to(torch::kFloat32).contiguous();
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    return Eigen::Map<const RowMajor>(t.data_ptr<float>(), t.size(0), t.size(1));
}

std::vector<Eigen::MatrixXf> perHead(const torch::Tensor& t) {  // (1, n, T, m) → n × (T, m)
    std::vector<Eigen::MatrixXf> out;
    for (int64_t h = 0; h < t.size(1); ++h) out.push_back(toEigen(t[0][h]));
    return out;
}
}  // namespace

namespace {
LayerCapture captureLayer(const AttentionTrace& t) {
    LayerCapture layer;
    layer.q = perHead(t.q);  // (1, H, T, d_h)
    layer.k = perHead(t.k);  // (1, g, T, d_h)
    layer.v = perHead(t.v);  // (1, g, T, d_h), the same tensor as k when V = K
    layer.logits = perHead(t.logits);
    layer.attn = perHead(t.attn);
    return layer;
}

torch::Tensor modelInput(const ModelConfig& c, const PreparedInput& input) {
    if (c.arch == Architecture::Vit) {
        if (int(input.pixels.size()) != c.imageSize * c.imageSize)
            throw ConfigError("the image has " + std::to_string(input.pixels.size()) +
                              " pixels, the model expects " + std::to_string(c.imageSize) + "²");
        return torch::from_blob(const_cast<float*>(input.pixels.data()),
                                {1, c.imageSize, c.imageSize}, torch::kFloat32)
            .clone();
    }
    checkTokens(input, c);
    return torch::tensor(input.tokens, torch::kInt64).view({1, -1});
}
}  // namespace

void forEachCapturedLayer(const Model& model, const PreparedInput& input,
                          const std::atomic<bool>* cancel,
                          const std::function<void(int, LayerCapture&&)>& onLayer,
                          double* captureMs) {
    torch::NoGradGuard noGrad;
    const auto x = modelInput(model.config(), input);
    auto t0 = std::chrono::steady_clock::now();
    model.module()->traceLayers(
        x,
        [&](int l, AttentionTrace& t) {
            LayerCapture layer = captureLayer(t);
            t = AttentionTrace{};  // this layer's tensors go before the next one runs
            if (captureMs)
                *captureMs += std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count();
            onLayer(l, std::move(layer));
            t0 = std::chrono::steady_clock::now();
        },
        cancel);
}

Capture captureAttention(const Model& model, const PreparedInput& input) {
    Capture out;
    out.config = model.config();
    out.input = input;
    forEachCapturedLayer(model, input, nullptr,
                         [&](int, LayerCapture&& layer) { out.layers.push_back(std::move(layer)); });
    return out;
}

void poolMaps(LayerCapture& layer, int maxSide) {
    if (layer.attn.empty() || layer.attn[0].rows() <= maxSide) return;
    const Eigen::Index T = layer.attn[0].rows();
    const int stride = int((T + maxSide - 1) / maxSide);
    const Eigen::Index n = (T + stride - 1) / stride;
    auto pool = [&](std::vector<Eigen::MatrixXf>& maps) {
        for (Eigen::MatrixXf& m : maps) {
            Eigen::MatrixXf p = Eigen::MatrixXf::Zero(n, n);
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j) {
                    const Eigen::Index r = std::min<Eigen::Index>(stride, T - i * stride),
                                       c = std::min<Eigen::Index>(stride, T - j * stride);
                    p(i, j) = m.block(i * stride, j * stride, r, c).mean();
                }
            m = std::move(p);
        }
    };
    pool(layer.logits);
    pool(layer.attn);
    layer.mapStride = stride;
}

}  // namespace qkv
