#pragma once
// Text ↔ token ids for every model QKV Lab studies: its own character vocabularies, GPT-2's
// byte-level BPE, llama2.c's tokenizer.bin and SentencePiece models. One interface, so prompts,
// axis labels and generated text go through the same calls whatever the model's origin.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qkv {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // "characters", "gpt2-bpe", "llama2c" or "sentencepiece".
    virtual std::string kind() const = 0;
    virtual int vocabSize() const = 0;
    // Throws DataError when the text cannot be spelled with the vocabulary (naming the character).
    virtual std::vector<int64_t> encode(const std::string& utf8) const = 0;
    // The bytes a token stands for on its own. A byte-level piece may be part of a UTF-8 character.
    virtual std::string tokenBytes(int64_t id) const = 0;
    // The text of a sequence: the tokens' bytes joined, with the format's rules (SentencePiece
    // drops the space it prefixes to the first word). Invalid UTF-8 is kept as bytes.
    virtual std::string decode(const std::vector<int64_t>& ids) const;
    // The text one token adds after `previous` (-1: none), for streaming generation.
    virtual std::string decodeNext(int64_t previous, int64_t id) const;
    // One line for an axis or a table: spaces as "␣", controls escaped ("\n"), bytes that are not
    // UTF-8 as "\xE2". Special tokens keep their names ("<s>", "<|endoftext|>").
    virtual std::string label(int64_t id) const;

    virtual std::optional<int64_t> bos() const { return std::nullopt; }
    virtual std::optional<int64_t> eos() const { return std::nullopt; }
    // Llama's tokenizers start every prompt with BOS (Hugging Face's add_bos_token, run.c's
    // generate); GPT-2's and QKV Lab's do not.
    virtual bool promptStartsWithBos() const { return false; }
    // "GPT-2 byte-level BPE (50257 tokens) from vocab.json + merges.txt".
    virtual std::string description() const = 0;
};

// Makes bytes printable on one line (see Tokenizer::label).
std::string visibleText(const std::string& bytes);

// Label of a character token of QKV Lab's text runs: printable characters quoted ("'a'"),
// control characters escaped ("'\n'", "'U+0007'").
std::string characterLabel(char32_t c);

// The character tokenizer of QKV Lab's text runs: token i is the i-th code point of the sorted
// alphabet the run was trained on.
std::shared_ptr<Tokenizer> makeCharacterTokenizer(const std::string& alphabetUtf8);

}  // namespace qkv
