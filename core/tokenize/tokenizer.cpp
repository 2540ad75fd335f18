#include "tokenize/tokenizer.h"

#include <algorithm>
#include <cstdio>

#include "common/errors.h"
#include "data/text_corpus.h"

namespace qkv {

namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not a valid one.
size_t utf8SequenceLength(const std::string& s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    if (n == 2 && c < 0xC2) return 0;  // overlong
    return n;
}

std::string hexByte(unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(c));
    return buf;
}

class CharacterTokenizer : public Tokenizer {
public:
    explicit CharacterTokenizer(const std::string& alphabetUtf8)
        : m_chars(utf8ToCodePoints(alphabetUtf8)) {}

    std::string kind() const override { return "characters"; }
    int vocabSize() const override { return m_chars.size(); }
    std::vector<int64_t> encode(const std::string& utf8) const override {
        const std::u32string text = utf8ToCodePoints(utf8);
        const std::u32string& alphabet = m_chars.alphabet();
        for (char32_t ch : text)
            if (!std::binary_search(alphabet.begin(), alphabet.end(), ch)) {
                char code[16];
                std::snprintf(code, sizeof code, "U+%04X", unsigned(ch));
                throw DataError("character " + characterLabel(ch) + " (" + code +
                                ") is not in the run's alphabet");
            }
        return m_chars.encode(text);
    }
    std::string tokenBytes(int64_t id) const override {
        if (id < 0 || id >= m_chars.size()) return "\xEF\xBF\xBD";  // U+FFFD
        return codePointsToUtf8(std::u32string(1, m_chars.alphabet()[size_t(id)]));
    }
    std::string label(int64_t id) const override {
        if (id < 0 || id >= m_chars.size()) return "#" + std::to_string(id);
        return characterLabel(m_chars.alphabet()[size_t(id)]);
    }
    std::string description() const override {
        return "characters (" + std::to_string(m_chars.size()) + ")";
    }

private:
    CharTokenizer m_chars;
};

}  // namespace

std::string characterLabel(char32_t c) {
    switch (c) {
        case U'\n':
            return "'\\n'";
        case U'\t':
            return "'\\t'";
        case U'\r':
            return "'\\r'";
        case U' ':
            return "' '";
        default:
            break;
    }
    if (c < 0x20 || c == 0x7f) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "'U+%04X'", unsigned(c));
        return buf;
    }
    return "'" + codePointsToUtf8(std::u32string(1, c)) + "'";
}

std::string visibleText(const std::string& bytes) {
    std::string out;
    for (size_t i = 0; i < bytes.size();) {
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        const size_t n = utf8SequenceLength(bytes, i);
        if (n == 0) {
            out += hexByte(c);
            ++i;
            continue;
        }
        if (n == 1) {
            switch (c) {
                case ' ':
                    out += "\xE2\x90\xA3";
                    break;  // ␣
                case '\n':
                    out += "\\n";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                default:
                    out += c < 0x20 || c == 0x7f ? hexByte(c) : std::string(1, char(c));
            }
        } else if (bytes.compare(i, n, "\xE2\x96\x81") == 0) {
            out += "\xE2\x90\xA3";  // SentencePiece's ▁ is a space
        } else {
            out.append(bytes, i, n);
        }
        i += n;
    }
    return out;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids) const {
    std::string out;
    int64_t previous = -1;
    for (int64_t id : ids) {
        out += decodeNext(previous, id);
        previous = id;
    }
    return out;
}

std::string Tokenizer::decodeNext(int64_t, int64_t id) const {
    return tokenBytes(id);
}

std::string Tokenizer::label(int64_t id) const {
    if (id < 0 || id >= vocabSize()) return "#" + std::to_string(id);
    const std::string text = visibleText(tokenBytes(id));
    return text.empty() ? "#" + std::to_string(id) : text;
}

std::shared_ptr<Tokenizer> makeCharacterTokenizer(const std::string& alphabetUtf8) {
    return std::make_shared<CharacterTokenizer>(alphabetUtf8);
}

}  // namespace qkv
