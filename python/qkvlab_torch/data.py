"""The synthetic tasks and the character-level text task of QKV Lab (core/data/).

Definitions follow core/data/synthetic_task.cpp and core/data/datasets.cpp: the same targets,
the same held-out split (drawn from its own stream, seed ^ 0x9E3779B97F4A7C15) and the same way
a training batch is drawn from the batch generator, with core's generators (mt19937.py), so a
run sees the examples a C++ run with the same seeds sees.
"""

import os

import torch

from .json_fields import ConfigError
from .mt19937 import GOLDEN, MT19937_64


class DataError(ValueError):
    """Data that do not match their format (core's DataError)."""


def synthetic_target(kind, x, vocab):
    """The target sequence the task defines for the input list x (tokens in [0, vocab))."""
    T = len(x)
    if kind == "copy":
        return list(x)
    if kind == "reverse":
        return x[::-1]
    if kind == "sort":
        return sorted(x)
    if kind == "swap":  # odd T: the middle token ends up first of the back half
        h = T // 2
        return x[h:] + x[:h]
    if kind == "sub":
        return [(vocab - 1) - t for t in x]
    if kind == "follow":  # the token after the first occurrence of x_i (itself at the end)
        first = {}
        for j, t in enumerate(x):
            first.setdefault(t, j)
        return [x[first[t] + 1] if first[t] + 1 < T else t for t in x]
    raise ConfigError(f"task '{kind}' is not a synthetic task")


def sample_synthetic(kind, vocab, length, rng):
    x = [rng.uniform_int(0, vocab - 1) for _ in range(length)]
    return x, synthetic_target(kind, x, vocab)


def batch_tensors(pairs):
    """[(input, target)] → (inputs, targets), int64 (B, T) each."""
    return (torch.tensor([p[0] for p in pairs], dtype=torch.int64),
            torch.tensor([p[1] for p in pairs], dtype=torch.int64))


class SyntheticDataset:
    """An encoder task: random inputs, targets by definition; a fixed validation set."""

    def __init__(self, task):
        if not 2 <= task.vocab <= 4096:
            raise ConfigError("vocab must be between 2 and 4096")
        if not 2 <= task.seq_len <= 4096:
            raise ConfigError("seq-len must be between 2 and 4096")
        self.task = task
        rng = MT19937_64(task.seed ^ GOLDEN)
        self.validation = [sample_synthetic(task.kind, task.vocab, task.seq_len, rng)
                           for _ in range(task.validation_size)]

    def train_batch(self, batch, rng):
        t = self.task
        return batch_tensors([sample_synthetic(t.kind, t.vocab, t.seq_len, rng)
                              for _ in range(batch)])

    def validation_count(self):
        return len(self.validation)

    def validation_batch(self, first, count):
        return batch_tensors(self.validation[first:first + count])

    def configure_model(self, m):
        m.arch, m.vocab, m.context = "encoder", self.task.vocab, self.task.seq_len


def read_text_corpus(path):
    """(text, files): a UTF-8 file, or every regular file at the top of a folder in name order,
    skipping strfile's .dat indexes, hidden files and links to files already read."""
    if not os.path.exists(path):
        raise DataError(f"text corpus '{path}' does not exist")
    if os.path.isdir(path):
        candidates = [os.path.join(path, n) for n in sorted(os.listdir(path))
                      if not n.startswith(".") and os.path.isfile(os.path.join(path, n))
                      and not n.endswith(".dat")]
    else:
        candidates = [path]
    text, files, seen = [], [], set()
    for file in candidates:
        target = os.path.realpath(file)
        if target in seen:
            continue
        seen.add(target)
        with open(file, "rb") as fh:
            raw = fh.read()
        try:
            text.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise DataError(f"'{file}' is not UTF-8 text (a binary file?)") from None
        files.append(file)
    text = "".join(text)
    if not text:
        raise DataError(f"text corpus '{path}' holds no text")
    return text, files


class TextDataset:
    """A character-level LM: the sorted alphabet of the corpus is the vocabulary; one
    contiguous held-out slice, placed by the seed; training windows never cross it."""

    DEFAULT_PATH = "/usr/share/games/fortunes"

    def __init__(self, task):
        path = task.data_path or self.DEFAULT_PATH
        text, _ = read_text_corpus(path)
        alphabet = "".join(sorted(set(text)))
        if task.alphabet and task.alphabet != alphabet:
            raise DataError(f"the corpus at '{path}' has a different alphabet than the run")
        task.alphabet = alphabet
        self.task = task
        index = {ch: i for i, ch in enumerate(alphabet)}
        self.tokens = torch.tensor([index[ch] for ch in text], dtype=torch.int64)
        self.vocab = len(alphabet)
        window, n = task.seq_len + 1, len(text)
        self.val_length = max(window, int(n * task.validation_fraction))
        if n < self.val_length + 2 * window:
            raise DataError(f"the corpus at '{path}' is too short for seq-len {task.seq_len}")
        rng = MT19937_64(task.seed ^ GOLDEN)
        self.val_start = rng.uniform_int(0, n - self.val_length)
        self.val_count = min(task.validation_size, self.val_length // window)

    def _windows(self, starts):
        T = self.task.seq_len
        idx = torch.tensor(starts, dtype=torch.int64).unsqueeze(1) + torch.arange(T + 1)
        w = self.tokens[idx]
        return w[:, :T].contiguous(), w[:, 1:].contiguous()

    def train_batch(self, batch, rng):
        window, n = self.task.seq_len + 1, len(self.tokens)
        before = max(0, self.val_start - window + 1)
        after_first = self.val_start + self.val_length
        after = max(0, n - after_first - window + 1)
        starts = []
        for _ in range(batch):
            r = rng.uniform_int(0, before + after - 1)
            starts.append(r if r < before else after_first + (r - before))
        return self._windows(starts)

    def validation_count(self):
        return self.val_count

    def validation_batch(self, first, count):
        window = self.task.seq_len + 1
        return self._windows([self.val_start + i * window for i in range(first, first + count)])

    def configure_model(self, m):
        m.arch, m.vocab, m.context = "decoder", self.vocab, self.task.seq_len


def make_dataset(task):
    """The dataset of a task; fills a text task's alphabet. Image tasks are not supported."""
    if task.validation_size < 1:
        raise ConfigError("the validation set needs at least one example")
    if task.kind == "text":
        return TextDataset(task)
    if task.kind == "fashion-mnist":
        raise ConfigError("the Python package has no image tasks (ViT); train them with qkvlab")
    return SyntheticDataset(task)


def batch_rng(task, train):
    """The batch-order generator of a run (core's TrainingSession): task seed mixed with the
    run's seed, so the variants of one seed see the same batches."""
    return MT19937_64(task.seed ^ ((train.seed * GOLDEN) & ((1 << 64) - 1)))
