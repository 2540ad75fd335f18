#pragma once
// GPT-2's pre-tokenizer: the text is cut into words before BPE sees it, by the pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// (OpenAI's encoder.py and Hugging Face's ByteLevel pre-tokenizer), matched leftmost-first.
// Written out as a scanner over code points, with Unicode categories from Qt.

#include <string>
#include <vector>

namespace qkv {

// The words of `utf8`, in order; joined they give the text back.
std::vector<std::string> gpt2PreTokenize(const std::string& utf8);

// GPT-2's reversible map from bytes to printable code points (bytes_to_unicode): printable
// Latin-1 bytes map to themselves, the 68 others to U+0100 onwards.
const std::u32string& gpt2ByteToUnicode();  // 256 entries

}  // namespace qkv
