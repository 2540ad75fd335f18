#pragma once
// Reproducing a published table: the runs it needs at a scale and seeds, trained into a folder
// (finished runs are reused, so an interrupted reproduction resumes), the measured mean ± std of
// every cell beside the published number, and a verdict per claim.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "reproduce/published_table.h"
#include "train/seed_stats.h"

namespace qkv {

struct PlannedRun {
    std::string task, config;
    uint64_t seed = 1;
    RunConfig run;    // name: "<task>/<config>-seed<N>"
    std::string dir;  // outDir/<name>
};

struct CellResult {
    std::string task, config;
    double published = 0;
    std::vector<double> values;  // one per seed, in seed order; NaN where not (yet) measured
    SeedSummary measured;
};

struct ClaimVerdict {
    Claim claim;
    std::string verdict;       // "reproduced", "not reproduced", "not measured"
    std::string detail;        // "Δ = +0.021 (beyond the seeds' spread ±0.008)"
    std::string line() const;  // "Q=K=V has the highest perplexity: reproduced (…)"
};

struct CacheCheck {
    std::string config;
    double published = 0, computed = 0;
};

struct Reproduction {
    PublishedTable table;
    std::string scale;
    std::vector<uint64_t> seeds;
    std::vector<CellResult> cells;  // task-major, in the table's order
    std::vector<ClaimVerdict> verdicts;
    std::vector<CacheCheck> cache;
    int runsTotal = 0, runsFinished = 0, runsReused = 0, runsTrained = 0;
    bool cancelled = false;
    std::vector<std::string> problems;  // runs that failed (diverged, …), one line each
};

// The runs of a table at a scale ("quick", "full") and seeds, in the order they train: seed by
// seed, so the first complete set of cells comes early. ConfigError for an unknown scale.
std::vector<PlannedRun> planReproduction(const PublishedTable& table, const std::string& scale,
                                         const std::vector<uint64_t>& seeds,
                                         const std::string& outDir);

// (runs finished, runs total, the run training now or "", its progress or null)
using ReproduceProgress =
    std::function<void(int done, int total, const std::string& run, const TrainProgress* step)>;

// Trains what `outDir` does not already hold (a run folder with the same settings that
// completed is reused), then measures and judges. `cancel` stops between steps: the result then
// holds what was finished, and calling again resumes.
Reproduction reproduce(const PublishedTable& table, const std::string& scale,
                       const std::vector<uint64_t>& seeds, const std::string& outDir,
                       const ReproduceProgress& progress = {},
                       const std::atomic<bool>* cancel = nullptr);

// What `outDir` holds now, measured and judged, without training anything.
Reproduction assessReproduction(const PublishedTable& table, const std::string& scale,
                                const std::vector<uint64_t>& seeds, const std::string& outDir);

}  // namespace qkv
