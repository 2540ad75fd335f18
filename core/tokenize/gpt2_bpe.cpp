#include "tokenize/gpt2_bpe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <climits>
#include <mutex>
#include <unordered_map>

#include "common/errors.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"
#include "io/json_fields.h"
#include "tokenize/gpt2_pretokenize.h"

namespace qkv {

namespace {

struct AddedToken {
    std::string content;
    int64_t id = 0;
};

class Gpt2Bpe : public Tokenizer {
public:
    Gpt2Bpe(std::unordered_map<std::string, int64_t> vocab,
            std::unordered_map<std::string, int> mergeRanks, std::vector<AddedToken> added,
            bool addPrefixSpace, std::string origin)
        : m_vocab(std::move(vocab)),
          m_ranks(std::move(mergeRanks)),
          m_added(std::move(added)),
          m_addPrefixSpace(addPrefixSpace),
          m_origin(std::move(origin)) {
        int64_t maxId = -1;
        for (const auto& [piece, id] : m_vocab) maxId = std::max(maxId, id);
        for (const AddedToken& a : m_added) maxId = std::max(maxId, a.id);
        m_pieces.assign(size_t(maxId + 1), std::string());
        for (const auto& [piece, id] : m_vocab) m_pieces[size_t(id)] = piece;
        m_special.assign(m_pieces.size(), false);
        // An added token may repeat a piece of the vocabulary under another id (a damaged or
        // hand-edited file): its own id names it, the vocabulary's id keeps the piece.
        for (const AddedToken& a : m_added) {
            m_vocab.emplace(a.content, a.id);
            m_pieces[size_t(a.id)] = a.content;
            m_special[size_t(a.id)] = true;
        }
        const std::u32string& table = gpt2ByteToUnicode();
        for (int b = 0; b < 256; ++b) m_byteOf[table[size_t(b)]] = char(b);
        auto it = m_vocab.find("<|endoftext|>");
        if (it != m_vocab.end()) m_endOfText = it->second;
    }

    std::string kind() const override { return "gpt2-bpe"; }
    int vocabSize() const override { return int(m_pieces.size()); }
    std::optional<int64_t> bos() const override { return m_endOfText; }
    std::optional<int64_t> eos() const override { return m_endOfText; }
    std::string description() const override {
        return "GPT-2 byte-level BPE (" + std::to_string(m_pieces.size()) + " tokens) from " +
               m_origin;
    }

    std::vector<int64_t> encode(const std::string& text) const override {
        std::vector<int64_t> ids;
        // Added tokens are found in the raw text first; BPE runs on what lies between them.
        size_t from = 0;
        while (from <= text.size()) {
            size_t best = std::string::npos;
            const AddedToken* found = nullptr;
            for (const AddedToken& a : m_added) {
                const size_t at = text.find(a.content, from);
                if (at != std::string::npos &&
                    (at < best || (at == best && a.content.size() > found->content.size())))
                    best = at, found = &a;
            }
            std::string span =
                text.substr(from, best == std::string::npos ? std::string::npos : best - from);
            if (from == 0 && m_addPrefixSpace && !span.empty() && span[0] != ' ')
                span.insert(0, 1, ' ');
            for (const std::string& word : gpt2PreTokenize(span)) encodeWord(word, ids);
            if (!found) break;
            ids.push_back(found->id);
            from = best + found->content.size();
        }
        return ids;
    }

    std::string tokenBytes(int64_t id) const override {
        if (id < 0 || id >= int64_t(m_pieces.size())) return {};
        const std::string& piece = m_pieces[size_t(id)];
        if (m_special[size_t(id)]) return piece;
        std::string bytes;
        for (char32_t c : utf8ToCodePoints(piece)) {
            auto it = m_byteOf.find(c);
            if (it != m_byteOf.end()) bytes.push_back(it->second);
        }
        return bytes;
    }

private:
    // encoder.py's bpe(): merge the lowest-ranked adjacent pair everywhere, until none is left.
    std::vector<std::string> merge(std::vector<std::string> symbols) const {
        while (symbols.size() > 1) {
            int bestRank = INT_MAX;
            size_t bestAt = 0;
            for (size_t i = 0; i + 1 < symbols.size(); ++i) {
                auto it = m_ranks.find(symbols[i] + ' ' + symbols[i + 1]);
                if (it != m_ranks.end() && it->second < bestRank) bestRank = it->second, bestAt = i;
            }
            if (bestRank == INT_MAX) break;
            const std::string a = symbols[bestAt], b = symbols[bestAt + 1];
            std::vector<std::string> merged;
            for (size_t i = 0; i < symbols.size();) {
                if (i + 1 < symbols.size() && symbols[i] == a && symbols[i + 1] == b) {
                    merged.push_back(a + b);
                    i += 2;
                } else {
                    merged.push_back(symbols[i++]);
                }
            }
            symbols = std::move(merged);
        }
        return symbols;
    }

    void encodeWord(const std::string& word, std::vector<int64_t>& ids) const {
        std::vector<std::string> pieces;
        {
            std::lock_guard<std::mutex> lock(m_cacheMutex);
            auto hit = m_cache.find(word);
            if (hit != m_cache.end()) pieces = hit->second;
        }
        if (pieces.empty()) {
            const std::u32string& table = gpt2ByteToUnicode();
            std::vector<std::string> symbols;
            for (unsigned char b : word)
                symbols.push_back(codePointsToUtf8(std::u32string(1, table[b])));
            pieces = merge(std::move(symbols));
            std::lock_guard<std::mutex> lock(m_cacheMutex);
            if (m_cache.size() < 100000) m_cache.emplace(word, pieces);
        }
        for (const std::string& p : pieces) {
            auto it = m_vocab.find(p);
            if (it == m_vocab.end())
                throw DataError("the tokenizer's vocabulary has no piece '" + p +
                                "' (it should hold every byte)");
            ids.push_back(it->second);
        }
    }

    std::unordered_map<std::string, int64_t> m_vocab;
    std::unordered_map<std::string, int> m_ranks;
    std::vector<AddedToken> m_added;
    bool m_addPrefixSpace = false;
    std::string m_origin;
    std::vector<std::string> m_pieces;
    std::vector<bool> m_special;
    std::unordered_map<char32_t, char> m_byteOf;
    std::optional<int64_t> m_endOfText;
    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<std::string>> m_cache;
};

QJsonDocument parseJson(const std::string& bytes, const std::string& source) {
    QJsonParseError err{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(bytes), &err);
    if (err.error != QJsonParseError::NoError)
        throw DataError(source + ": not valid JSON (" + err.errorString().toStdString() +
                        " at byte " + std::to_string(err.offset) + ")");
    return doc;
}

std::unordered_map<std::string, int64_t> readVocab(const QJsonValue& value,
                                                   const std::string& source) {
    if (!value.isObject()) throw DataError(source + ": the vocabulary is not a JSON object");
    const QJsonObject obj = value.toObject();
    std::unordered_map<std::string, int64_t> vocab;
    vocab.reserve(size_t(obj.size()));
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const std::optional<int64_t> id = exactInteger(it.value(), 0, 16777216);
        if (!id)
            throw DataError(source + ": piece '" + it.key().toStdString() +
                            "' has no valid id (a non-negative integer)");
        vocab[it.key().toStdString()] = *id;
    }
    if (vocab.empty()) throw DataError(source + ": the vocabulary is empty");
    return vocab;
}

void addMerge(std::unordered_map<std::string, int>& ranks, const std::string& a,
              const std::string& b, const std::string& source, size_t line) {
    if (a.empty() || b.empty())
        throw DataError(source + ": merge " + std::to_string(line) + " is not two pieces");
    ranks.emplace(a + ' ' + b, int(ranks.size()));
}

}  // namespace

std::shared_ptr<Tokenizer> parseGpt2BpeFiles(const std::string& vocabJson,
                                             const std::string& merges, const std::string& source) {
    auto vocab = readVocab(parseJson(vocabJson, source + " (vocab.json)").object(),
                           source + " (vocab.json)");
    std::unordered_map<std::string, int> ranks;
    size_t lineNo = 0, start = 0;
    while (start < merges.size()) {
        size_t end = merges.find('\n', start);
        if (end == std::string::npos) end = merges.size();
        std::string line = merges.substr(start, end - start);
        start = end + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || (lineNo == 1 && line.rfind("#version", 0) == 0)) continue;
        const size_t space = line.find(' ');
        if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
            throw DataError(source + " (merges.txt): line " + std::to_string(lineNo) +
                            " is not two pieces separated by one space");
        addMerge(ranks, line.substr(0, space), line.substr(space + 1), source, lineNo);
    }
    std::vector<AddedToken> added;
    return std::make_shared<Gpt2Bpe>(std::move(vocab), std::move(ranks), std::move(added), false,
                                     "vocab.json + merges.txt");
}

std::shared_ptr<Tokenizer> parseTokenizerJson(const std::string& json, const std::string& source) {
    const QJsonDocument doc = parseJson(json, source);
    if (!doc.isObject()) throw DataError(source + ": expected a JSON object");
    const QJsonObject root = doc.object();
    const QJsonObject model = root.value("model").toObject();
    const QString type = model.value("type").toString();
    if (type != "BPE")
        throw DataError(source + ": a '" + type.toStdString() +
                        "' model; QKV Lab reads byte-level BPE tokenizer.json files (GPT-2's)");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
        if (model.value(key).isString() && !model.value(key).toString().isEmpty())
            throw DataError(source + ": BPE with a '" + key + "' is not GPT-2's byte-level BPE");

    // The byte-level pre-tokenizer, alone or inside a Sequence; anything else is another scheme.
    bool byteLevel = false, prefixSpace = false;
    auto inspect = [&](const QJsonObject& p) {
        if (p.value("type").toString() == "ByteLevel") {
            byteLevel = true;
            prefixSpace = p.value("add_prefix_space").toBool(false);
        }
    };
    const QJsonObject pre = root.value("pre_tokenizer").toObject();
    if (pre.value("type").toString() == "Sequence") {
        const QJsonArray items = pre.value("pretokenizers").toArray();
        for (const QJsonValue& v : items) inspect(v.toObject());
        if (items.size() != 1) byteLevel = false;
    } else {
        inspect(pre);
    }
    if (!byteLevel)
        throw DataError(source +
                        ": its pre-tokenizer is not GPT-2's ByteLevel one (SentencePiece "
                        "models are read from tokenizer.model)");

    auto vocab = readVocab(model.value("vocab"), source);
    std::unordered_map<std::string, int> ranks;
    const QJsonArray merges = model.value("merges").toArray();
    for (qsizetype i = 0; i < merges.size(); ++i) {
        const QJsonValue m = merges[i];
        if (m.isString()) {
            const std::string line = m.toString().toStdString();
            const size_t space = line.find(' ');
            if (space == std::string::npos)
                throw DataError(source + ": merge " + std::to_string(i) + " is not two pieces");
            addMerge(ranks, line.substr(0, space), line.substr(space + 1), source, size_t(i));
        } else if (m.isArray() && m.toArray().size() == 2) {
            addMerge(ranks, m.toArray()[0].toString().toStdString(),
                     m.toArray()[1].toString().toStdString(), source, size_t(i));
        } else {
            throw DataError(source + ": merge " + std::to_string(i) + " is not two pieces");
        }
    }
    std::vector<AddedToken> added;
    for (const QJsonValue& v : root.value("added_tokens").toArray()) {
        const QJsonObject a = v.toObject();
        const std::optional<int64_t> id = exactInteger(a.value("id"), 0, 16777216);
        const std::string content = a.value("content").toString().toStdString();
        if (!id || content.empty())
            throw DataError(source + ": an added token without an id or content");
        added.push_back({content, *id});
    }
    return std::make_shared<Gpt2Bpe>(std::move(vocab), std::move(ranks), std::move(added),
                                     prefixSpace, "tokenizer.json");
}

std::shared_ptr<Tokenizer> loadGpt2BpeFiles(const std::string& vocabJsonPath,
                                            const std::string& mergesPath) {
    return parseGpt2BpeFiles(readFile(vocabJsonPath), readFile(mergesPath), vocabJsonPath);
}

std::shared_ptr<Tokenizer> loadTokenizerJson(const std::string& path) {
    return parseTokenizerJson(readFile(path), path);
}

}  // namespace qkv
