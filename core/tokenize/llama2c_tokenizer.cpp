#include "tokenize/llama2c_tokenizer.h"

#include <cstring>
#include <unordered_map>

#include "common/errors.h"
#include "io/atomic_file.h"

namespace qkv {

namespace {

constexpr int64_t kBos = 1, kEos = 2, kFirstByteToken = 3;

// "<0x0A>" → 0x0A; -1 for any other piece.
int byteOfPiece(const std::string& p) {
    if (p.size() != 6 || p.compare(0, 3, "<0x") != 0 || p[5] != '>') return -1;
    auto hex = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    const int hi = hex(p[3]), lo = hex(p[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

class Llama2cTokenizer : public Tokenizer {
public:
    Llama2cTokenizer(std::vector<std::string> pieces, std::vector<float> scores)
        : m_pieces(std::move(pieces)), m_scores(std::move(scores)) {
        m_ids.reserve(m_pieces.size());
        // The first id of a duplicated piece wins, as run.c's sorted lookup finds it.
        for (size_t i = 0; i < m_pieces.size(); ++i) m_ids.emplace(m_pieces[i], int64_t(i));
    }

    std::string kind() const override { return "llama2c"; }
    int vocabSize() const override { return int(m_pieces.size()); }
    std::optional<int64_t> bos() const override {
        return m_pieces.size() > size_t(kBos) ? std::optional<int64_t>(kBos) : std::nullopt;
    }
    std::optional<int64_t> eos() const override {
        return m_pieces.size() > size_t(kEos) ? std::optional<int64_t>(kEos) : std::nullopt;
    }
    bool promptStartsWithBos() const override { return bos().has_value(); }
    std::string description() const override {
        return "llama2.c tokenizer.bin (" + std::to_string(m_pieces.size()) + " tokens)";
    }

    std::vector<int64_t> encode(const std::string& text) const override {
        std::vector<int64_t> ids;
        if (text.empty()) return ids;
        if (auto space = lookup(" ")) ids.push_back(*space);  // the dummy prefix
        for (size_t i = 0; i < text.size();) {
            size_t n = 1;  // a code point: a lead byte and its continuation bytes (at most 4)
            while (i + n < text.size() && n < 4 &&
                   (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80)
                ++n;
            if (auto id = lookup(text.substr(i, n))) {
                ids.push_back(*id);
            } else {
                for (size_t k = 0; k < n; ++k) {
                    const int64_t byteId =
                        static_cast<unsigned char>(text[i + k]) + kFirstByteToken;
                    if (byteId >= int64_t(m_pieces.size()))
                        throw DataError("the tokenizer has no byte tokens to spell '" +
                                        text.substr(i, n) + "'");
                    ids.push_back(byteId);
                }
            }
            i += n;
        }
        for (;;) {
            float bestScore = -1e10f;
            int64_t bestId = -1;
            size_t bestAt = 0;
            for (size_t i = 0; i + 1 < ids.size(); ++i) {
                auto id = lookup(m_pieces[size_t(ids[i])] + m_pieces[size_t(ids[i + 1])]);
                if (id && m_scores[size_t(*id)] > bestScore)
                    bestScore = m_scores[size_t(*id)], bestId = *id, bestAt = i;
            }
            if (bestId < 0) break;
            ids[bestAt] = bestId;
            ids.erase(ids.begin() + std::ptrdiff_t(bestAt) + 1);
        }
        return ids;
    }

    std::string tokenBytes(int64_t id) const override {
        if (id < 0 || id >= int64_t(m_pieces.size())) return {};
        const std::string& p = m_pieces[size_t(id)];
        const int byte = byteOfPiece(p);
        return byte >= 0 ? std::string(1, char(byte)) : p;
    }

    // run.c: after BOS the decoder drops the leading space of the first piece; BOS and EOS
    // themselves print nothing in a decoded text.
    std::string decodeNext(int64_t previous, int64_t id) const override {
        if (id == kBos || id == kEos) return {};
        std::string bytes = tokenBytes(id);
        if ((previous == kBos || previous < 0) && !bytes.empty() && bytes[0] == ' ')
            bytes.erase(0, 1);
        return bytes;
    }

    std::string label(int64_t id) const override {
        if (id == kBos) return "<s>";
        if (id == kEos) return "</s>";
        return Tokenizer::label(id);
    }

private:
    std::optional<int64_t> lookup(const std::string& piece) const {
        auto it = m_ids.find(piece);
        return it == m_ids.end() ? std::nullopt : std::optional<int64_t>(it->second);
    }

    std::vector<std::string> m_pieces;
    std::vector<float> m_scores;
    std::unordered_map<std::string, int64_t> m_ids;
};

}  // namespace

std::shared_ptr<Tokenizer> parseLlama2cTokenizer(const std::string& bytes,
                                                 const std::string& source) {
    auto fail = [&](const std::string& what) { throw DataError(source + ": " + what); };
    size_t at = 0;
    auto readInt = [&](const char* what) {
        if (bytes.size() - at < 4) fail(std::string("truncated: no ") + what);
        int32_t v;
        std::memcpy(&v, bytes.data() + at, 4);
        at += 4;
        return v;
    };
    const int32_t maxLength = readInt("max_token_length header");
    if (maxLength <= 0 || maxLength > 1 << 16)
        fail("max_token_length " + std::to_string(maxLength) +
             " is not a tokenizer.bin header (expected 1..65536)");
    std::vector<std::string> pieces;
    std::vector<float> scores;
    while (at < bytes.size()) {
        const std::string which = "token " + std::to_string(pieces.size());
        if (bytes.size() - at < 8) fail("truncated in " + which);
        float score;
        std::memcpy(&score, bytes.data() + at, 4);
        at += 4;
        const int32_t len = readInt("length");
        if (len < 0 || len > maxLength)
            fail(which + " has length " + std::to_string(len) + ", outside 0.." +
                 std::to_string(maxLength));
        if (bytes.size() - at < size_t(len)) fail("truncated in " + which + "'s bytes");
        pieces.emplace_back(bytes.data() + at, size_t(len));
        scores.push_back(score);
        at += size_t(len);
    }
    if (pieces.size() < 3)
        fail("holds " + std::to_string(pieces.size()) + " tokens (need <unk>, BOS, EOS at least)");
    return std::make_shared<Llama2cTokenizer>(std::move(pieces), std::move(scores));
}

std::shared_ptr<Tokenizer> loadLlama2cTokenizer(const std::string& path) {
    return parseLlama2cTokenizer(readFile(path), path);
}

}  // namespace qkv
