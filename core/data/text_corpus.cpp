#include "data/text_corpus.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QString>

#include <algorithm>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "tokenize/utf8.h"

namespace qkv {

std::u32string utf8ToCodePoints(const std::string& utf8) {
    const QString s = QString::fromUtf8(utf8.data(), qsizetype(utf8.size()));
    const QList<uint> ucs4 = s.toUcs4();
    return std::u32string(ucs4.begin(), ucs4.end());
}

std::string codePointsToUtf8(const std::u32string& text) {
    return QString::fromUcs4(text.data(), qsizetype(text.size())).toUtf8().toStdString();
}

TextCorpus readTextCorpus(const std::string& path) {
    const QFileInfo root(QString::fromStdString(path));
    if (!root.exists()) throw DataError("text corpus '" + path + "' does not exist");
    QStringList candidates;
    if (root.isDir()) {
        const QDir dir(root.absoluteFilePath());
        for (const QFileInfo& f : dir.entryInfoList(QDir::Files, QDir::Name))
            if (f.suffix() != "dat") candidates << f.absoluteFilePath();
    } else {
        candidates << root.absoluteFilePath();
    }
    TextCorpus corpus;
    QSet<QString> seen;  // fortunes ships foo.u8 as a link to foo
    for (const QString& file : candidates) {
        const QString target = QFileInfo(file).canonicalFilePath();
        if (target.isEmpty() || seen.contains(target)) continue;
        seen.insert(target);
        const std::string bytes = readFile(file.toStdString());
        // A binary file would become a vocabulary of replacement characters: refuse it.
        if (!isValidUtf8(bytes))
            throw DataError("'" + file.toStdString() + "' is not UTF-8 text (a binary file?)");
        corpus.text += utf8ToCodePoints(bytes);
        corpus.files.push_back(file.toStdString());
    }
    if (corpus.text.empty()) throw DataError("text corpus '" + path + "' holds no text");
    corpus.alphabet = corpus.text;
    std::sort(corpus.alphabet.begin(), corpus.alphabet.end());
    corpus.alphabet.erase(std::unique(corpus.alphabet.begin(), corpus.alphabet.end()),
                          corpus.alphabet.end());
    return corpus;
}

CharTokenizer::CharTokenizer(std::u32string alphabet) : m_alphabet(std::move(alphabet)) {
    std::sort(m_alphabet.begin(), m_alphabet.end());
    m_alphabet.erase(std::unique(m_alphabet.begin(), m_alphabet.end()), m_alphabet.end());
}

std::vector<int64_t> CharTokenizer::encode(const std::u32string& text) const {
    std::vector<int64_t> ids;
    ids.reserve(text.size());
    for (char32_t c : text) {
        auto it = std::lower_bound(m_alphabet.begin(), m_alphabet.end(), c);
        if (it == m_alphabet.end() || *it != c)
            throw DataError("character U+" + QString::number(uint(c), 16).toUpper().toStdString() +
                            " is not in the model's vocabulary");
        ids.push_back(int64_t(it - m_alphabet.begin()));
    }
    return ids;
}

std::u32string CharTokenizer::decode(const std::vector<int64_t>& ids) const {
    std::u32string out;
    for (int64_t id : ids)
        out += id >= 0 && id < int64_t(m_alphabet.size()) ? m_alphabet[size_t(id)] : U'\uFFFD';
    return out;
}

}  // namespace qkv
