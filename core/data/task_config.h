#pragma once
// What a run learns from: a synthetic task, an IDX image folder, or a text corpus.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qkv {

enum class TaskKind {
    Copy,      // y = x
    Reverse,   // y_i = x_{T−1−i}
    Sort,      // y = x sorted ascending
    Swap,      // the two halves exchanged
    Sub,       // y_i = (V − 1) − x_i  ("9 − x" for V = 10)
    Follow,    // y_i = the token after the first occurrence of x_i (directed: needs "j+1 of j")
    Images,    // IDX image classification (Fashion-MNIST by default), ViT
    Text,      // character-level language model, decoder
};

std::string taskId(TaskKind k);                      // "copy", ..., "fashion-mnist", "text"
std::optional<TaskKind> parseTask(const std::string& id);
const std::vector<TaskKind>& syntheticTasks();
bool isSynthetic(TaskKind k);

struct TaskConfig {
    TaskKind kind = TaskKind::Copy;
    std::string dataPath;      // IDX folder or text file/folder; empty = the Debian default
    int vocab = 10;            // synthetic alphabet size
    int seqLen = 16;           // synthetic length / LM context
    uint64_t seed = 1;         // data generation and splits
    int validationSize = 512;  // held-out sequences (synthetic, text windows) or images
    double validationFraction = 0.1;  // text: share of the corpus held out
    std::string alphabet;      // text: the characters of the vocabulary (UTF-8), filled on load
};

std::string defaultDataPath(TaskKind k);  // /usr/share/datasets/fashion-mnist, .../fortunes

}  // namespace qkv
