"""std::mt19937_64 and libstdc++'s std::uniform_int_distribution, in pure Python.

QKV Lab's C++ core draws its synthetic examples, its text windows and its batch order with
these. Reproducing them exactly (GCC 12's distribution is Lemire's nearly divisionless method
on a 128-bit product) makes a Python run see the very data a C++ run sees: the same validation
set, so `qkvlab eval` of a Python-written run recomputes the recorded validation loss, and the
same batches in the same order for the same seeds.
"""

MASK64 = (1 << 64) - 1
_N, _M = 312, 156
_MATRIX_A = 0xB5026F5AA96619E9
_UPPER, _LOWER = 0xFFFFFFFF80000000, 0x7FFFFFFF

# Core's constant for the validation stream and the batch-order mixing (0x9E3779B97F4A7C15).
GOLDEN = 0x9E3779B97F4A7C15


class MT19937_64:
    """The 64-bit Mersenne Twister of the C++ standard (default seed 5489)."""

    def __init__(self, seed=5489):
        self.seed(seed)

    def seed(self, seed):
        mt = [0] * _N
        mt[0] = seed & MASK64
        for i in range(1, _N):
            mt[i] = (6364136223846793005 * (mt[i - 1] ^ (mt[i - 1] >> 62)) + i) & MASK64
        self.mt, self.index = mt, _N

    def _twist(self):
        mt = self.mt
        for i in range(_N):
            x = (mt[i] & _UPPER) | (mt[(i + 1) % _N] & _LOWER)
            y = x >> 1
            if x & 1:
                y ^= _MATRIX_A
            mt[i] = mt[(i + _M) % _N] ^ y
        self.index = 0

    def __call__(self):
        if self.index >= _N:
            self._twist()
        x = self.mt[self.index]
        self.index += 1
        x ^= (x >> 29) & 0x5555555555555555
        x ^= (x << 17) & 0x71D67FFFEDA60000
        x ^= (x << 37) & 0xFFF7EEE000000000
        x ^= x >> 43
        return x

    def uniform_int(self, lo, hi):
        """std::uniform_int_distribution<int64_t>(lo, hi)(*this) as libstdc++ 12 computes it."""
        urange = (hi - lo) & MASK64
        if urange == MASK64:
            return lo + self()
        erange = urange + 1
        product = self() * erange
        low = product & MASK64
        if low < erange:
            threshold = (-erange & MASK64) % erange
            while low < threshold:
                product = self() * erange
                low = product & MASK64
        return lo + (product >> 64)

    def getstate(self):
        return {"mt": list(self.mt), "index": self.index}

    def setstate(self, state):
        mt = [int(x) for x in state["mt"]]
        if len(mt) != _N:
            raise ValueError("an mt19937_64 state has 312 words")
        self.mt, self.index = mt, int(state["index"])
