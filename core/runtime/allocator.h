#pragma once
// glibc's allocator, set for training: activations are freed and reallocated every step.

#include <string>

namespace qkv {

// glibc gives freed blocks above 128 KiB back to the kernel (munmap, heap trimming), so every
// training step page-faults its activations in again: measured ~900 minor faults per demo step
// and ~34 000 per d128/L4/T128/B32 step, 10-20% of the larger step. After this call, blocks up
// to 32 MiB come from the heap, which is trimmed only beyond 256 MiB free. Process-wide; call
// it once, early in main. Returns false when glibc refused a setting.
bool keepFreedMemoryForReuse();

// The same settings as a GLIBC_TUNABLES value, for a child process (glibc reads it at start).
std::string reuseTunables();

}  // namespace qkv
