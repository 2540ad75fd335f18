#include "cli_models.h"

#include <cctype>
#include <sstream>

namespace qkvapp {

qkv::OpenedModel openModelArgument(const std::string& path, const CliOptions& o, bool loadWeights) {
    qkv::OpenOptions options;
    options.loadWeights = loadWeights;
    options.tokenizerPath = o.text("tokenizer");
    return qkv::openModel(path, options);
}

std::vector<int64_t> parseTokenIds(const std::string& text, const std::string& option) {
    std::vector<int64_t> ids;
    std::string word;
    std::istringstream in(text + ",");
    for (char c; in.get(c);) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            word += c;
            if (word.size() > 9)
                throw UsageError(option + ": token id '" + word + "...' is too large");
        } else if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
            if (!word.empty()) ids.push_back(std::stoll(word)), word.clear();
        } else {
            throw UsageError(option + " takes token ids such as \"3,1,4\", got '" + text + "'");
        }
    }
    if (ids.empty()) throw UsageError(option + " holds no token ids");
    return ids;
}

std::string tokenizerText(const qkv::OpenedModel& m) {
    if (m.tokenizer) return m.tokenizer->description();
    if (!m.tokenizerNote.empty()) return "none (" + m.tokenizerNote + ")";
    return "none (token ids)";
}

}  // namespace qkvapp
