#include "tokenize/sentencepiece_tokenizer.h"

#include "common/errors.h"
#include "io/atomic_file.h"
#include "tokenize/spm_library.h"

namespace qkv {

namespace {

enum PieceKind { kNormal = 0, kByte = 1, kControl = 2, kUnknown = 3 };

class SentencePieceTokenizer : public Tokenizer {
public:
    SentencePieceTokenizer(QkvSpm* sp, std::string source)
        : m_lib(spmLibrary()), m_sp(sp, m_lib.free), m_source(std::move(source)) {
        const int n = m_lib.pieceCount(sp);
        m_pieces.reserve(size_t(n));
        m_kinds.reserve(size_t(n));
        std::string buffer(256, '\0');
        for (int id = 0; id < n; ++id) {
            size_t length = m_lib.piece(sp, id, buffer.data(), buffer.size());
            if (length > buffer.size()) {
                buffer.resize(length);
                length = m_lib.piece(sp, id, buffer.data(), buffer.size());
            }
            m_pieces.emplace_back(buffer.data(), length);
            m_kinds.push_back(m_lib.kind(sp, id));
        }
        m_bos = m_lib.bos(sp), m_eos = m_lib.eos(sp);
    }

    std::string kind() const override { return "sentencepiece"; }
    int vocabSize() const override { return int(m_pieces.size()); }
    std::optional<int64_t> bos() const override { return idOrNone(m_bos); }
    std::optional<int64_t> eos() const override { return idOrNone(m_eos); }
    bool promptStartsWithBos() const override { return bos().has_value(); }
    std::string description() const override {
        return "SentencePiece (" + std::to_string(vocabSize()) + " tokens) from " + m_source;
    }

    std::vector<int64_t> encode(const std::string& utf8) const override {
        std::vector<int> ids(utf8.size() + 16);
        char error[256] = {};
        long n = m_lib.encode(m_sp.get(), utf8.data(), utf8.size(), ids.data(), ids.size(), error,
                              sizeof error);
        if (n > long(ids.size())) {
            ids.resize(size_t(n));
            n = m_lib.encode(m_sp.get(), utf8.data(), utf8.size(), ids.data(), ids.size(), error,
                             sizeof error);
        }
        if (n < 0) throw DataError(std::string("SentencePiece cannot encode the text: ") + error);
        return std::vector<int64_t>(ids.begin(), ids.begin() + n);
    }

    std::string tokenBytes(int64_t id) const override {
        if (!valid(id)) return {};
        const std::string& p = m_pieces[size_t(id)];
        switch (m_kinds[size_t(id)]) {
            case kByte:
                return std::string(1, char(std::stoi(p.substr(3, 2), nullptr, 16)));
            case kControl:
            case kUnknown:
                return {};
            default:
                break;
        }
        std::string text = p;
        for (size_t at; (at = text.find("\xE2\x96\x81")) != std::string::npos;)
            text.replace(at, 3, " ");
        return text;
    }

    std::string decode(const std::vector<int64_t>& ids) const override {
        std::vector<int> v;
        for (int64_t id : ids)
            if (valid(id)) v.push_back(int(id));
        std::string text(v.size() * 8 + 16, '\0');
        long n = m_lib.decode(m_sp.get(), v.data(), v.size(), text.data(), text.size());
        if (n > long(text.size())) {
            text.resize(size_t(n));
            n = m_lib.decode(m_sp.get(), v.data(), v.size(), text.data(), text.size());
        }
        if (n < 0) return Tokenizer::decode(ids);
        text.resize(size_t(n));
        return text;
    }

    // SentencePiece drops the space it prefixed to the first word.
    std::string decodeNext(int64_t previous, int64_t id) const override {
        std::string bytes = tokenBytes(id);
        const bool first = previous < 0 || (m_bos >= 0 && previous == m_bos);
        if (first && !bytes.empty() && bytes[0] == ' ') bytes.erase(0, 1);
        return bytes;
    }

    std::string label(int64_t id) const override {
        if (valid(id) && (m_kinds[size_t(id)] == kControl || m_kinds[size_t(id)] == kUnknown))
            return m_pieces[size_t(id)];
        return Tokenizer::label(id);
    }

private:
    bool valid(int64_t id) const { return id >= 0 && id < vocabSize(); }
    std::optional<int64_t> idOrNone(int id) const {
        return id >= 0 && id < vocabSize() ? std::optional<int64_t>(id) : std::nullopt;
    }

    const SpmLibrary& m_lib;
    std::unique_ptr<QkvSpm, void (*)(QkvSpm*)> m_sp;
    std::string m_source;
    std::vector<std::string> m_pieces;
    std::vector<int> m_kinds;
    int m_bos = -1, m_eos = -1;
};

}  // namespace

std::shared_ptr<Tokenizer> parseSentencePiece(const std::string& serializedProto,
                                              const std::string& source) {
    const SpmLibrary& lib = spmLibrary();
    char error[256] = {};
    QkvSpm* sp = lib.load(serializedProto.data(), serializedProto.size(), error, sizeof error);
    if (!sp) throw DataError(source + ": not a SentencePiece model (" + error + ")");
    return std::make_shared<SentencePieceTokenizer>(sp, source);
}

std::shared_ptr<Tokenizer> loadSentencePiece(const std::string& path) {
    return parseSentencePiece(readFile(path), path);
}

void trainSentencePiece(const std::string& flags) {
    char error[512] = {};
    if (spmLibrary().train(flags.c_str(), error, sizeof error) != 0)
        throw DataError(std::string("SentencePiece training failed: ") + error);
}

}  // namespace qkv
