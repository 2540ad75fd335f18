#pragma once
// UTF-8 validity: text files are refused when they are not text.

#include <cstdint>
#include <string>

namespace qkv {

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF) without NUL
// bytes, which text files do not hold.
bool isValidUtf8(const std::string& bytes);

}  // namespace qkv
