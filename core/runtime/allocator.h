#pragma once
// glibc's allocator, set for training: activations are freed and reallocated every step.

#include <string>

namespace qkv {

// glibc gives freed blocks above its mmap threshold back to the kernel and trims the heap top
// beyond twice that, so a training step can page-fault its activations in again every time.
// Measured with the fused attention core, d128/L4/H4/T128/B32 (bench_train --no-python): about
// 16 000 fewer minor faults per step with this call; the step time moved less than the noise
// (±5%). Before that core, with more and larger temporaries, it was 10-20% of the step. After
// this call, blocks up to 32 MiB come from the heap, which is trimmed only beyond 256 MiB free.
// Process-wide; call it once, early in main. Returns false when glibc refused a setting.
bool keepFreedMemoryForReuse();

// The same settings as a GLIBC_TUNABLES value, for a child process (glibc reads it at start).
std::string reuseTunables();

}  // namespace qkv
