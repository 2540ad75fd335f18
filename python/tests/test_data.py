"""Data and schedules: core's generator, the task definitions, the text windows, the learning
rate, and the preset format (resources/presets)."""

import glob
import math
import os
import tempfile
import unittest

from tests import support
from qkvlab_torch.config import ModelConfig
from qkvlab_torch.data import TextDataset, make_dataset, synthetic_target
from qkvlab_torch.json_fields import ConfigError
from qkvlab_torch.mt19937 import MT19937_64
from qkvlab_torch.optim import lr_at
from qkvlab_torch.run_config import (TaskConfig, TrainConfig, expand_runs, experiment_from_json,
                                     load_experiment)


class Generator(unittest.TestCase):
    def test_mt19937_64_is_the_standards(self):
        rng = MT19937_64()  # C++11 [rand.predef]: the 10000th value of the default engine
        for _ in range(9999):
            rng()
        self.assertEqual(rng(), 9981545732273789042)

    def test_uniform_int_stays_in_range_and_resumes_from_its_state(self):
        rng = MT19937_64(7)
        values = [rng.uniform_int(0, 9) for _ in range(2000)]
        self.assertEqual(set(values), set(range(10)))
        state = rng.getstate()
        a = [rng.uniform_int(-3, 2 ** 40) for _ in range(400)]
        rng.setstate(state)
        self.assertEqual(a, [rng.uniform_int(-3, 2 ** 40) for _ in range(400)])


class Tasks(unittest.TestCase):
    def test_definitions(self):
        x = [3, 1, 4, 1, 5]
        self.assertEqual(synthetic_target("copy", x, 10), x)
        self.assertEqual(synthetic_target("reverse", x, 10), [5, 1, 4, 1, 3])
        self.assertEqual(synthetic_target("sort", x, 10), [1, 1, 3, 4, 5])
        self.assertEqual(synthetic_target("swap", x, 10), [4, 1, 5, 3, 1])  # odd: middle first
        self.assertEqual(synthetic_target("swap", [1, 2, 3, 4], 10), [3, 4, 1, 2])
        self.assertEqual(synthetic_target("sub", x, 10), [6, 8, 5, 8, 4])
        # follow: the token after the first occurrence; the last position answers itself
        self.assertEqual(synthetic_target("follow", x, 10), [1, 4, 1, 4, 5])

    def test_synthetic_dataset_configures_an_encoder(self):
        data = make_dataset(TaskConfig(kind="sort", vocab=7, seq_len=6, validation_size=5))
        x, y = data.validation_batch(1, 3)
        self.assertEqual(tuple(x.shape), (3, 6))
        self.assertEqual(y.tolist(), [sorted(r) for r in x.tolist()])
        m = ModelConfig()
        data.configure_model(m)
        self.assertEqual((m.arch, m.vocab, m.context), ("encoder", 7, 6))

    def test_text_windows_never_cross_the_validation_slice(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "b.txt"), "w", encoding="utf-8") as fh:
                fh.write("zyx wvu " * 60 + "é\n")
            with open(os.path.join(tmp, "a.txt"), "w", encoding="utf-8") as fh:
                fh.write("hello world " * 40)
            with open(os.path.join(tmp, "a.dat"), "wb") as fh:
                fh.write(b"\xff\xfe binary index")
            task = TaskConfig(kind="text", data_path=tmp, seq_len=8, validation_size=4)
            data = TextDataset(task)
            self.assertEqual(task.alphabet, "".join(sorted(set("zyx wvu é\nhelo world"))))
            lo, hi = data.val_start, data.val_start + data.val_length
            starts = []
            take = data._windows
            data._windows = lambda s: (starts.extend(s), take(s))[1]
            rng = MT19937_64(1)
            for _ in range(100):
                x, y = data.train_batch(4, rng)
                self.assertTrue((x[:, 1:] == y[:, :-1]).all().item())  # next-token targets
            window = task.seq_len + 1
            self.assertTrue(all(s + window <= lo or s >= hi for s in starts))
            self.assertTrue(any(s < lo for s in starts) and any(s >= hi for s in starts))
            self.assertEqual(data.validation_count(), 4)
            vx, vy = take([lo])
            self.assertTrue((data.validation_batch(0, 1)[0] == vx).all().item())

    def test_a_binary_corpus_is_refused(self):
        with tempfile.NamedTemporaryFile(suffix=".txt") as fh:
            fh.write(b"\xff\xfe\x00 not text" * 50)
            fh.flush()
            with self.assertRaisesRegex(ValueError, "not UTF-8"):
                make_dataset(TaskConfig(kind="text", data_path=fh.name))


class Schedule(unittest.TestCase):
    def test_warmup_then_cosine_to_the_floor(self):
        c = TrainConfig(steps=101, lr=1.0, warmup_steps=10, min_lr_fraction=0.1)
        self.assertAlmostEqual(lr_at(c, 0), 0.1)
        self.assertAlmostEqual(lr_at(c, 9), 1.0)
        self.assertAlmostEqual(lr_at(c, 10), 1.0)
        self.assertAlmostEqual(lr_at(c, 55), 0.1 + 0.45 * (1 + math.cos(math.pi * 0.5)))
        self.assertAlmostEqual(lr_at(c, 100), 0.1)
        self.assertAlmostEqual(lr_at(c, 500), 0.1)


class Presets(unittest.TestCase):
    def test_the_repositorys_presets_load(self):
        paths = glob.glob(os.path.join(support.REPO, "resources", "presets", "*.json"))
        self.assertTrue(paths, "resources/presets holds the presets")
        for path in paths:
            with self.subTest(os.path.basename(path)):
                e = load_experiment(path)
                self.assertTrue(e.variants)
                if "paper" in path:
                    self.assertEqual((e.base.model.family, e.base.model.dropout),
                                     ("paper-gpt", 0.1))
                    self.assertTrue(e.base.train.decay_all)

    def test_strict_fields_and_run_names(self):
        with self.assertRaisesRegex(ConfigError, "unknown field 'lr_max'"):
            experiment_from_json({"variants": ["qkv"], "train": {"lr_max": 1}}, "x")
        with self.assertRaisesRegex(ConfigError, "'d_model' must be an integer"):
            experiment_from_json({"variants": ["qkv"], "model": {"d_model": 1.5}}, "x")
        with self.assertRaisesRegex(ConfigError, "names no variant"):
            experiment_from_json({"variants": ["qkvv"]}, "x")
        e = experiment_from_json({"variants": ["qkv", "single"], "seeds": [1, 2],
                                  "model": {"family": "llama", "d_model": 32},
                                  "task": {"kind": "copy", "vocab": 5, "seq_len": 6}}, "x")
        runs = expand_runs(e, make_dataset(e.base.task))
        self.assertEqual([r.name for r in runs],
                         ["qkv-seed1", "single-seed1", "qkv-seed2", "single-seed2"])
        self.assertEqual((runs[0].model.vocab, runs[0].model.context, runs[3].train.seed),
                         (5, 6, 2))
        self.assertEqual(runs[0].model.mlp_width(), 96)  # llama's width follows d


if __name__ == "__main__":
    unittest.main()
