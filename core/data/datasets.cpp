// The three task families behind Dataset: synthetic sequences, IDX images, character text.
#include <algorithm>

#include "common/errors.h"
#include "data/dataset.h"
#include "data/idx_reader.h"
#include "data/synthetic_task.h"
#include "data/text_corpus.h"

namespace qkv {

namespace {

// Validation data come from their own stream, so the training stream is the same for any
// validation size.
constexpr uint64_t kValidationStream = 0x9E3779B97F4A7C15ull;

class SyntheticDataset : public Dataset {
public:
    explicit SyntheticDataset(const TaskConfig& cfg) : m_cfg(cfg) {
        if (cfg.vocab < 2 || cfg.vocab > 4096) throw ConfigError("vocab must be between 2 and 4096");
        if (cfg.seqLen < 2 || cfg.seqLen > 4096) throw ConfigError("seq-len must be between 2 and 4096");
        std::mt19937_64 rng(cfg.seed ^ kValidationStream);
        m_validation.reserve(size_t(cfg.validationSize));
        for (int i = 0; i < cfg.validationSize; ++i)
            m_validation.push_back(sampleSynthetic(cfg.kind, cfg.vocab, cfg.seqLen, rng));
    }
    Batch trainBatch(int batchSize, std::mt19937_64& rng) const override {
        Batch b = empty(batchSize);
        for (int i = 0; i < batchSize; ++i) append(b, sampleSynthetic(m_cfg.kind, m_cfg.vocab, m_cfg.seqLen, rng));
        return b;
    }
    int validationCount() const override { return int(m_validation.size()); }
    Batch validationBatch(int first, int count) const override {
        Batch b = empty(count);
        for (int i = first; i < first + count; ++i) append(b, m_validation[size_t(i)]);
        return b;
    }
    void configureModel(ModelConfig& m) const override {
        m.arch = Architecture::Encoder;
        m.vocab = m_cfg.vocab;
        m.context = m_cfg.seqLen;
    }

private:
    Batch empty(int n) const {
        Batch b;
        b.size = n;
        b.length = m_cfg.seqLen;
        return b;
    }
    static void append(Batch& b, const SyntheticExample& ex) {
        b.inputs.insert(b.inputs.end(), ex.input.begin(), ex.input.end());
        b.targets.insert(b.targets.end(), ex.target.begin(), ex.target.end());
    }
    TaskConfig m_cfg;
    std::vector<SyntheticExample> m_validation;
};

class ImageDataset : public Dataset {
public:
    explicit ImageDataset(const TaskConfig& cfg) {
        const std::string folder = cfg.dataPath.empty() ? defaultDataPath(cfg.kind) : cfg.dataPath;
        m_train = readIdxFolder(folder, "train");
        m_test = readIdxFolder(folder, "t10k");
        if (m_train.images.rows != m_test.images.rows || m_train.images.cols != m_test.images.cols)
            throw DataError("train and t10k images in '" + folder + "' differ in size");
        if (m_train.images.rows != m_train.images.cols)
            throw DataError("images in '" + folder + "' are not square");
        if (m_train.images.count == 0) throw DataError("'" + folder + "' has no training images");
        if (m_test.images.count == 0) throw DataError("'" + folder + "' has no test (t10k) images");
        for (const auto* split : {&m_train, &m_test})
            for (uint8_t l : split->labels) m_classes = std::max(m_classes, int(l) + 1);
        m_validationCount = std::min(cfg.validationSize, m_test.images.count);
    }
    Batch trainBatch(int batchSize, std::mt19937_64& rng) const override {
        std::uniform_int_distribution<int> pick(0, m_train.images.count - 1);
        Batch b = empty(batchSize);
        for (int i = 0; i < batchSize; ++i) append(b, m_train, pick(rng));
        return b;
    }
    int validationCount() const override { return m_validationCount; }
    Batch validationBatch(int first, int count) const override {
        Batch b = empty(count);
        for (int i = first; i < first + count; ++i) append(b, m_test, i);
        return b;
    }
    void configureModel(ModelConfig& m) const override {
        m.arch = Architecture::Vit;
        m.vocab = std::max(m_classes, 2);
        m.imageSize = m_train.images.rows;
        m.context = m.sequenceLength();
    }

private:
    Batch empty(int n) const {
        Batch b;
        b.size = n;
        b.length = m_train.images.rows * m_train.images.cols;
        b.pixels.reserve(size_t(n) * size_t(b.length));
        return b;
    }
    static void append(Batch& b, const ImageSplit& s, int index) {
        const size_t n = size_t(b.length), at = size_t(index) * n;
        for (size_t p = 0; p < n; ++p) b.pixels.push_back(s.images.pixels[at + p] / 255.0f);
        b.targets.push_back(s.labels[size_t(index)]);
    }
    ImageSplit m_train, m_test;
    int m_classes = 0, m_validationCount = 0;
};

class TextDataset : public Dataset {
public:
    explicit TextDataset(TaskConfig& cfg) : m_cfg(cfg) {
        const std::string path = cfg.dataPath.empty() ? defaultDataPath(cfg.kind) : cfg.dataPath;
        TextCorpus corpus = readTextCorpus(path);
        if (!cfg.alphabet.empty() && utf8ToCodePoints(cfg.alphabet) != corpus.alphabet)
            throw DataError("the corpus at '" + path + "' has a different alphabet than the run");
        cfg.alphabet = codePointsToUtf8(corpus.alphabet);
        m_cfg.alphabet = cfg.alphabet;
        m_vocab = int(corpus.alphabet.size());
        m_tokens = CharTokenizer(corpus.alphabet).encode(corpus.text);
        const int64_t window = cfg.seqLen + 1, n = int64_t(m_tokens.size());
        m_validationLength = std::max<int64_t>(window, int64_t(double(n) * cfg.validationFraction));
        if (n < m_validationLength + 2 * window)
            throw DataError("the corpus at '" + path + "' is too short for seq-len " +
                            std::to_string(cfg.seqLen));
        // The seed places one contiguous held-out slice; training windows never cross it.
        std::mt19937_64 rng(cfg.seed ^ kValidationStream);
        m_validationStart = std::uniform_int_distribution<int64_t>(0, n - m_validationLength)(rng);
        m_validationCount = int(std::min<int64_t>(cfg.validationSize, m_validationLength / window));
    }
    Batch trainBatch(int batchSize, std::mt19937_64& rng) const override {
        const int64_t window = m_cfg.seqLen + 1, n = int64_t(m_tokens.size());
        const int64_t before = std::max<int64_t>(0, m_validationStart - window + 1);
        const int64_t afterFirst = m_validationStart + m_validationLength;
        const int64_t after = std::max<int64_t>(0, n - afterFirst - window + 1);
        std::uniform_int_distribution<int64_t> pick(0, before + after - 1);
        Batch b = empty(batchSize);
        for (int i = 0; i < batchSize; ++i) {
            const int64_t r = pick(rng);
            append(b, r < before ? r : afterFirst + (r - before));
        }
        return b;
    }
    int validationCount() const override { return m_validationCount; }
    Batch validationBatch(int first, int count) const override {
        Batch b = empty(count);
        for (int i = first; i < first + count; ++i)
            append(b, m_validationStart + int64_t(i) * (m_cfg.seqLen + 1));
        return b;
    }
    void configureModel(ModelConfig& m) const override {
        m.arch = Architecture::Decoder;
        m.vocab = m_vocab;
        m.context = m_cfg.seqLen;
    }

private:
    Batch empty(int n) const {
        Batch b;
        b.size = n;
        b.length = m_cfg.seqLen;
        return b;
    }
    void append(Batch& b, int64_t start) const {
        auto it = m_tokens.begin() + start;
        b.inputs.insert(b.inputs.end(), it, it + m_cfg.seqLen);
        b.targets.insert(b.targets.end(), it + 1, it + 1 + m_cfg.seqLen);
    }
    TaskConfig m_cfg;
    std::vector<int64_t> m_tokens;
    int m_vocab = 0, m_validationCount = 0;
    int64_t m_validationStart = 0, m_validationLength = 0;
};

}  // namespace

std::unique_ptr<Dataset> makeDataset(TaskConfig& cfg) {
    if (cfg.validationSize < 1) throw ConfigError("the validation set needs at least one example");
    if (isSynthetic(cfg.kind)) return std::make_unique<SyntheticDataset>(cfg);
    if (cfg.kind == TaskKind::Images) return std::make_unique<ImageDataset>(cfg);
    return std::make_unique<TextDataset>(cfg);
}

}  // namespace qkv
