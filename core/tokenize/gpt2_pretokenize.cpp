#include "tokenize/gpt2_pretokenize.h"

#include <QChar>

#include "data/text_corpus.h"

namespace qkv {

namespace {

bool isLetter(char32_t c) {
    return QChar::isLetter(c);
}
bool isNumber(char32_t c) {
    return QChar::isNumber(c);
}
// Python's \s (Unicode White_Space); Qt's isSpace covers the same separators and controls.
bool isSpace(char32_t c) {
    return QChar::isSpace(c);
}
bool isOther(char32_t c) {
    return !isSpace(c) && !isLetter(c) && !isNumber(c);
}

// Length of the match at `i`, trying the pattern's alternatives in order.
size_t matchAt(const std::u32string& s, size_t i) {
    const size_t n = s.size();
    auto runOf = [&](size_t from, bool (*cls)(char32_t)) {
        size_t j = from;
        while (j < n && cls(s[j])) ++j;
        return j - from;
    };
    // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive, as in GPT-2)
    if (s[i] == U'\'' && i + 1 < n) {
        const char32_t a = s[i + 1], b = i + 2 < n ? s[i + 2] : 0;
        if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l'))
            return 3;
    }
    // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+'
    const size_t lead = s[i] == U' ' ? 1 : 0;
    if (i + lead < n) {
        for (auto cls : {isLetter, isNumber, isOther}) {
            const size_t run = runOf(i + lead, cls);
            if (run > 0) return lead + run;
        }
    }
    // '\s+(?!\S)': the whitespace run, less its last character when a word follows it.
    const size_t spaces = runOf(i, isSpace);
    if (spaces > 0) {
        if (i + spaces == n) return spaces;
        if (spaces > 1) return spaces - 1;
        return 1;  // '\s+'
    }
    return 1;  // unreachable: every code point is a letter, number, space or other
}

}  // namespace

std::vector<std::string> gpt2PreTokenize(const std::string& utf8) {
    const std::u32string s = utf8ToCodePoints(utf8);
    std::vector<std::string> words;
    for (size_t i = 0; i < s.size();) {
        const size_t len = matchAt(s, i);
        words.push_back(codePointsToUtf8(s.substr(i, len)));
        i += len;
    }
    return words;
}

const std::u32string& gpt2ByteToUnicode() {
    static const std::u32string table = [] {
        std::u32string t(256, 0);
        auto printable = [](int b) {
            return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        };
        int next = 256;
        for (int b = 0; b < 256; ++b) t[size_t(b)] = printable(b) ? char32_t(b) : char32_t(next++);
        return t;
    }();
    return table;
}

}  // namespace qkv
