// keepFreedMemoryForReuse: a training step's freed activations must come back without page
// faults. Counted with getrusage's minor faults around a free-and-reallocate loop.
#include <QtTest>

#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/allocator.h"

namespace {

volatile long g_sink = 0;

long minorFaults() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

// Faults of `rounds` rounds of a step's pattern: allocate 16 blocks of 4 MiB (one activation of
// the larger benchmark model is 8 MiB), touch them, free them all.
long faultsOfSteps(int rounds) {
    constexpr size_t kBlock = 4u << 20;
    constexpr int kBlocks = 16;
    const long before = minorFaults();
    for (int i = 0; i < rounds; ++i) {
        std::vector<char*> blocks;
        for (int j = 0; j < kBlocks; ++j) {
            auto* p = static_cast<char*>(std::malloc(kBlock));
            std::memset(p, i + 1, kBlock);
            g_sink = g_sink + p[kBlock - 1];  // a use, so that the compiler keeps the block
            blocks.push_back(p);
        }
        for (char* p : blocks) std::free(p);
    }
    return minorFaults() - before;
}

}  // namespace

class TestAllocator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void freedBlocksAreReusedWithoutFaults();
};

void TestAllocator::freedBlocksAreReusedWithoutFaults() {
#ifdef QKV_SANITIZE
    QSKIP("make sanitize: AddressSanitizer replaces glibc's malloc, whose tunables this tests");
#endif
    constexpr int kRounds = 8;
    // glibc's default: after the first round the blocks come from the heap, but 64 MiB free at
    // its top exceeds the trim threshold (twice the largest block), so each round gives the
    // memory back and faults it in again (per 4 KiB page, or per 2 MiB with huge pages).
    faultsOfSteps(1);
    const long untuned = faultsOfSteps(kRounds);
    QVERIFY2(untuned >= kRounds * 16, qPrintable(QString::number(untuned)));
    QVERIFY(qkv::keepFreedMemoryForReuse());
    faultsOfSteps(1);  // the heap grows once
    const long tuned = faultsOfSteps(kRounds);
    qInfo("minor faults in %d rounds: %ld with glibc's defaults, %ld kept for reuse", kRounds,
          untuned, tuned);
    QVERIFY2(tuned * 10 < untuned && tuned < kRounds * 4,
             qPrintable(QString("%1 faults tuned, %2 untuned").arg(tuned).arg(untuned)));
    QVERIFY(qkv::reuseTunables().find("glibc.malloc.mmap_threshold=") == 0);
}

QTEST_GUILESS_MAIN(TestAllocator)
#include "tst_allocator.moc"
