#pragma once
// Value snapshots of the live KV-cache view and of its what-if sizing. Made by the app from
// core results; copied across threads.

#include <QColor>
#include <QString>
#include <QVector>

#include <cstdint>
#include <limits>

namespace qkvviews {

// One run generating from the prompt. The vectors are parallel, one entry per generated token.
struct KvCacheRun {
    QString runId;  // stable key (the run folder path)
    QString label;  // legend text, e.g. "shared-kv"
    QColor color;
    QString prompt;
    QString text;                  // generated so far (without the prompt)
    QVector<double> tokenIndex;    // 1, 2, ...: the n-th generated token
    QVector<double> bytesHeld;     // bytes the cache tensors hold after that token
    QVector<double> formulaBytes;  // L · c · g · d_h · T · B · bytes for the same T
    QVector<double> msPerToken;    // forward + sampling of that token
    double reductionVsQkv = std::numeric_limits<double>::quiet_NaN();  // in [0, 1]
    bool finished = false;
    QString note;  // why it stopped early or was skipped, one line
};

// What the what-if panel sizes: any configuration, no model needed.
struct KvCacheWhatIfConfig {
    int layers = 20;
    int dModel = 1024;
    int heads = 16;
    int kvHeads = 16;
    int context = 32768;  // cached tokens T
    int batch = 1;
    int bytesPerElement = 4;  // 4: fp32, 2: bf16
    int vocab = 50304;        // does not change the cache; kept for the presets' validation
};

// One variant of that configuration.
struct KvCacheWhatIfRow {
    QString variantId;    // "shared-kv"
    QString variantName;  // "Q-K=V"
    bool valid = false;
    QString reason;     // why the variant cannot take these kv heads (when !valid)
    int64_t bytes = 0;  // the whole cache at `context` tokens and `batch` sequences
    double reduction = std::numeric_limits<double>::quiet_NaN();  // vs QKV with g = H, [0, 1]
};

}  // namespace qkvviews
