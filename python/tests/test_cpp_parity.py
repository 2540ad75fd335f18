"""Against run folders QKV Lab's C++ core wrote (fixtures/cpp_runs, see its README): the same
seeded initialisation bit for bit, the same validation set and metrics, and the same training
curve for every variant, both positional-bias modes, GQA/MQA, the llama and gpt2 layouts, the
synthetic tasks and the character-level text task."""

import os
import tempfile
import unittest

import torch

from tests import support
from qkvlab_torch import distributed, run_folder as rf
from qkvlab_torch.data import make_dataset
from qkvlab_torch.model import Transformer
from qkvlab_torch.run_config import run_from_json
from qkvlab_torch.safetensors_io import read_safetensors
from qkvlab_torch.training import Session, evaluate

RUNS = os.path.join(support.FIXTURES, "cpp_runs")


def fixture_runs():
    for group in sorted(os.listdir(RUNS)):
        path = os.path.join(RUNS, group)
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                yield os.path.join(path, name)


def read_fixture(folder):
    """The run's config with the text corpus taken from the fixtures, and its metrics."""
    run, result = rf.read_run_folder(folder) if os.path.exists(
        os.path.join(folder, "model.safetensors")) else (None, None)
    if run is None:  # only config.json and metrics.json were kept
        run = run_from_json(rf.read_json_object(os.path.join(folder, "config.json")), folder)
        result = rf.result_from_json(rf.read_json_object(os.path.join(folder, "metrics.json")))
    if run.task.kind == "text":
        run.task.data_path = os.path.join(RUNS, "corpus.txt")
    return run, result


class CppParity(unittest.TestCase):
    def test_seeded_initialisation_is_bitwise_cores(self):
        folder = os.path.join(RUNS, "a", "qkv")
        run, _ = read_fixture(folder)
        cpp, meta = read_safetensors(rf.history_file(folder, 0))
        model = Transformer(run.model, seed=run.train.seed)
        self.assertEqual(list(cpp), [n for n, _ in model.named_parameters()])
        for name, p in model.named_parameters():
            self.assertTrue(torch.equal(cpp[name], p.detach()), name)
        self.assertEqual(meta["format"], "qkvlab")
        with tempfile.TemporaryDirectory() as tmp:  # and our writer writes the same bytes
            rf.write_weights(os.path.join(tmp, "w.safetensors"), run, model, 0)
            with open(os.path.join(tmp, "w.safetensors"), "rb") as a, \
                    open(rf.history_file(folder, 0), "rb") as b:
                self.assertEqual(a.read(), b.read())

    def test_a_cpp_run_folder_loads_and_evaluates_to_its_recorded_metrics(self):
        folder = os.path.join(RUNS, "a", "qkv")
        run, model = rf.load_run_model(folder)
        _, result = rf.read_run_folder(folder)
        metrics = evaluate(model, make_dataset(run.task), run.train.eval_examples)
        self.assertAlmostEqual(metrics["loss"], result["final"]["loss"], delta=1e-6)
        self.assertAlmostEqual(metrics["accuracy"], result["final"]["accuracy"], delta=1e-9)

    def test_training_reproduces_cores_curves(self):
        for folder in fixture_runs():
            run, cpp = read_fixture(folder)
            with self.subTest(run=os.path.relpath(folder, RUNS)), \
                    tempfile.TemporaryDirectory() as tmp:
                session = Session(run, make_dataset(run.task), tmp, distributed.Context())
                while not session.finished:
                    session.advance()
                ours = session.result
                self.assertEqual([s for s, _ in ours["train_log"]],
                                 [s for s, _ in cpp["train_log"]])
                for (_, a), (_, b) in zip(ours["train_log"], cpp["train_log"]):
                    self.assertAlmostEqual(a, b, delta=1e-5)
                self.assertEqual([p["step"] for p in ours["curve"]],
                                 [p["step"] for p in cpp["curve"]])
                for p, q in zip(ours["curve"], cpp["curve"]):
                    for key in ("loss", "accuracy"):
                        self.assertAlmostEqual(p["validation"][key], q["validation"][key],
                                               delta=1e-5)
                    self.assertAlmostEqual(p["lr"], q["lr"], delta=1e-12)


if __name__ == "__main__":
    unittest.main()
