#pragma once
// A published results table, shipped as data (resources/published/*.json): each number with its
// source and the setup it came from, the variant set-ups it compares, the claims a reader takes
// from it, and the settings QKV Lab measures it with at each scale.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "train/train_config.h"

namespace qkv {

// One compared set-up (a column): a variant, its KV heads and positional bias.
struct TableConfig {
    std::string id, label;
    Variant variant = Variant::Qkv;
    std::string kvHeads = "H";  // "H", "H/4", or a number of KV heads
    std::optional<PosBiasMode> posBias;
    int kvHeadsFor(int heads) const;  // ConfigError when it does not divide
};

// A statement the table supports, checked against the measured means.
struct Claim {
    std::string id, text;
    std::string kind;  // "best", "worst" (config a among all), "beats" (a better than b),
                       // "solved" (every config reaches threshold)
    std::string task, a, b;
    double threshold = 0;
};

struct PublishedTable {
    std::string id, title, paper, location, setup, differences;
    std::string metric;          // "accuracy" or "perplexity"
    bool higherIsBetter = true;  // accuracy: higher; perplexity: lower
    std::vector<std::string> tasks;
    std::vector<TableConfig> configs;
    std::map<std::string, std::map<std::string, double>> published;  // task → config → value
    int cacheHeads = 0;                             // H of the cache reductions (0: none)
    std::map<std::string, double> cacheReductions;  // config → published reduction
    std::vector<Claim> claims;
    std::map<std::string, RunConfig> scales;  // "quick", "full": model, task and train settings

    const TableConfig& config(const std::string& id) const;  // ConfigError when absent
    bool better(double x, double y) const { return higherIsBetter ? x > y : x < y; }
};

// Throws ConfigError naming the file and the field.
PublishedTable parsePublishedTable(const std::string& json, const std::string& source);
PublishedTable loadPublishedTable(const std::string& path);  // a file or a ":/published/…" resource

}  // namespace qkv
