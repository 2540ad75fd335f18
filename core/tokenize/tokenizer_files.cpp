#include "tokenize/tokenizer_files.h"

#include <QDir>
#include <QFileInfo>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "tokenize/gpt2_bpe.h"
#include "tokenize/llama2c_tokenizer.h"
#include "tokenize/sentencepiece_tokenizer.h"

namespace qkv {

namespace {

std::string inFolder(const std::string& folder, const std::string& name) {
    return QDir(QString::fromStdString(folder))
        .filePath(QString::fromStdString(name))
        .toStdString();
}

bool isFile(const std::string& path) {
    return QFileInfo(QString::fromStdString(path)).isFile();
}

std::shared_ptr<Tokenizer> openVocabAndMerges(const std::string& vocabPath) {
    const std::string merges = inFolder(
        QFileInfo(QString::fromStdString(vocabPath)).absolutePath().toStdString(), "merges.txt");
    if (!isFile(merges))
        throw DataError(vocabPath + ": a GPT-2 vocab.json needs merges.txt beside it");
    return loadGpt2BpeFiles(vocabPath, merges);
}

// llama2.c's format has no magic: it is recognised by parsing to the end of the file.
std::shared_ptr<Tokenizer> openByContent(const std::string& path) {
    const std::string bytes = readFile(path);
    size_t first = bytes.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && bytes[first] == '{') {
        if (QFileInfo(QString::fromStdString(path)).fileName() == "vocab.json")
            return openVocabAndMerges(path);
        return parseTokenizerJson(bytes, path);
    }
    std::string llamaProblem;
    try {
        return parseLlama2cTokenizer(bytes, path);
    } catch (const DataError& e) {
        llamaProblem = e.what();
    }
    try {
        return parseSentencePiece(bytes, path);
    } catch (const DataError&) {
    }
    // A .bin that fails as llama2.c's format is most likely a damaged one: say what is wrong.
    if (QFileInfo(QString::fromStdString(path)).suffix() == "bin" && !bytes.empty())
        throw DataError(llamaProblem);
    throw DataError(path +
                    ": not a tokenizer QKV Lab reads (tokenizer.json, vocab.json + "
                    "merges.txt, a SentencePiece tokenizer.model or a llama2.c "
                    "tokenizer.bin)");
}

}  // namespace

std::shared_ptr<Tokenizer> openTokenizer(const std::string& path) {
    const QFileInfo info(QString::fromStdString(path));
    if (!info.exists()) throw DataError("tokenizer '" + path + "' does not exist");
    if (info.isDir()) {
        FoundTokenizer found = findTokenizer(path, 0);
        if (found.tokenizer) return found.tokenizer;
        throw DataError(found.problem.empty() ? "no tokenizer file in '" + path + "'"
                                              : found.problem);
    }
    return openByContent(path);
}

FoundTokenizer findTokenizer(const std::string& folder, int vocab) {
    FoundTokenizer found;
    std::vector<std::string> candidates = {"tokenizer.json", "vocab.json", "tokenizer.model",
                                           "tokenizer.bin"};
    if (vocab > 0) candidates.push_back("tok" + std::to_string(vocab) + ".bin");
    for (const std::string& name : candidates) {
        const std::string path = inFolder(folder, name);
        if (!isFile(path)) continue;
        try {
            auto t = name == "tokenizer.model"  ? loadSentencePiece(path)
                     : name == "vocab.json"     ? openVocabAndMerges(path)
                     : name == "tokenizer.json" ? loadTokenizerJson(path)
                                                : loadLlama2cTokenizer(path);
            if (vocab > 0) checkTokenizerFits(*t, vocab, path);
            found.tokenizer = std::move(t);
            found.path = path;
            found.problem.clear();
            return found;
        } catch (const Error& e) {
            // A tokenizer.json in another scheme may sit beside a usable tokenizer.model.
            if (found.problem.empty()) found.problem = e.what();
        }
    }
    return found;
}

void checkTokenizerFits(const Tokenizer& t, int vocab, const std::string& source) {
    const int n = t.vocabSize();
    // Models often pad their embedding to a multiple of 64 or 128 (GPT-2's 50257 → 50304).
    const int padded = (n + 127) / 128 * 128;
    if (n > vocab || vocab > padded)
        throw DataError(source + ": the tokenizer has " + std::to_string(n) +
                        " tokens but the model's vocabulary has " + std::to_string(vocab));
}

}  // namespace qkv
