// Spread over seeds against a hand computation: mean, sample standard deviation (n − 1), range,
// diverged runs (NaN) left out; and the runs an experiment with several seeds expands into.
#include <QtTest>

#include <cmath>

#include "data/dataset.h"
#include "train/experiment.h"
#include "train/seed_stats.h"

using namespace qkv;

class TestSeedStats : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void summary() {
        // 2, 4, 9: mean 5; squared deviations 9, 1, 16 → 26 / 2 = 13; std √13.
        const SeedSummary s = summarizeSeeds({2, 4, std::nan(""), 9});
        QCOMPARE(s.n, 3);
        QCOMPARE(s.mean, 5.0);
        QVERIFY(std::abs(s.std - std::sqrt(13.0)) < 1e-12);
        QCOMPARE(s.min, 2.0);
        QCOMPARE(s.max, 9.0);
        QCOMPARE(meanStdText(s, 2), std::string("5.00 ± 3.61 (n 3)"));
        QCOMPARE(summarizeSeeds({1.5}).std, 0.0);
        QCOMPARE(summarizeSeeds({}).n, 0);
        QCOMPARE(meanStdText(summarizeSeeds({std::nan("")}), 2), std::string("n/a"));
    }

    // Several seeds: one run per variant and seed, named by both, the seed setting the
    // initialisation and batch order while the data set stays the task's.
    void expandsVariantsTimesSeeds() {
        Experiment e;
        e.variants = {Variant::Qkv, Variant::SharedKv};
        e.seeds = {3, 7};
        e.base.task.kind = TaskKind::Copy;
        e.base.task.seed = 11;
        auto data = makeDataset(e.base.task);
        const auto runs = expandRuns(e, *data);
        QCOMPARE(int(runs.size()), 4);
        QCOMPARE(runs[0].name, std::string("qkv-seed3"));
        QCOMPARE(runs[3].name, std::string("shared-kv-seed7"));
        QCOMPARE(runs[3].train.seed, uint64_t(7));
        QCOMPARE(runs[3].task.seed, uint64_t(11));
        e.seeds = {5};
        QCOMPARE(expandRuns(e, *data)[1].name, std::string("shared-kv"));  // one seed: plain names
    }
};

QTEST_GUILESS_MAIN(TestSeedStats)
#include "tst_seed_stats.moc"
