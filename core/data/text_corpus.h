#pragma once
// Character-level text: UTF-8 files in, code points and a sorted alphabet out.

#include <string>
#include <vector>

namespace qkv {

struct TextCorpus {
    std::u32string text;             // every file's text, concatenated in name order
    std::u32string alphabet;         // sorted unique code points
    std::vector<std::string> files;  // the files read
};

// A file, or every regular file at the top of a folder (skipping strfile's binary .dat indexes,
// hidden files, and links to files already read). Throws DataError when nothing readable is there.
TextCorpus readTextCorpus(const std::string& path);

std::u32string utf8ToCodePoints(const std::string& utf8);  // invalid sequences become U+FFFD
std::string codePointsToUtf8(const std::u32string& text);

// Maps characters to token ids of a given alphabet; throws DataError on a character outside it.
class CharTokenizer {
public:
    explicit CharTokenizer(std::u32string alphabet);
    std::vector<int64_t> encode(const std::u32string& text) const;
    std::u32string decode(const std::vector<int64_t>& ids) const;
    int size() const { return int(m_alphabet.size()); }
    const std::u32string& alphabet() const { return m_alphabet; }

private:
    std::u32string m_alphabet;  // sorted, so lookup is a binary search
};

}  // namespace qkv
