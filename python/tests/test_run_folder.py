"""Run folders and safetensors files: written, read back, same tensors and configuration;
NaN as null; the history thinned as core thins it; malformed files refused by name."""

import json
import math
import os
import struct
import tempfile
import unittest

import torch

from tests import support  # noqa: F401
from qkvlab_torch import run_folder as rf
from qkvlab_torch.config import ModelConfig, apply_family
from qkvlab_torch.model import Transformer
from qkvlab_torch.run_config import RunConfig, TaskConfig, TrainConfig, run_to_json
from qkvlab_torch.safetensors_io import (SafetensorsError, encode_header, read_safetensors,
                                         tensor_bytes, write_safetensors)


def sample_run():
    model = ModelConfig(arch="decoder", variant="mlp-q", d_model=16, heads=2, layers=2,
                        vocab=7, context=8, pos_bias=True, pos_bias_mode="absolute", kv_heads=1)
    apply_family(model, "llama")
    return RunConfig(name="mlp-q", model=model,
                     task=TaskConfig(kind="text", seq_len=8, alphabet="abc\u00e9\n", seed=2 ** 60),
                     train=TrainConfig(steps=10, batch=4, decay_all=True, beta2=0.95))


class RunFolders(unittest.TestCase):
    def test_round_trip(self):
        run = sample_run()
        model = Transformer(run.model, seed=9)
        result = rf.new_result()
        result.update(steps_done=4, checkpoint_step=4, seconds=1.5,
                      final={"loss": 1.25, "accuracy": 0.5, "perplexity": math.exp(1.25)},
                      train_log=[(2, 2.0), (4, math.nan)],
                      curve=[{"step": 0, "train_loss": math.nan, "lr": 0.0, "elapsed_s": 0.1,
                              "validation": {"loss": 2.0, "accuracy": 0.1,
                                             "perplexity": math.inf}}])
        with tempfile.TemporaryDirectory() as tmp:
            folder = os.path.join(tmp, "run")
            rf.save_run_folder(folder, run, model, result)
            rf.save_checkpoint_history(folder, run, model, 4)
            self.assertEqual(sorted(os.listdir(folder)),
                             ["checkpoints", "config.json", "metrics.json", "model.safetensors"])
            run2, result2 = rf.read_run_folder(folder)
            self.assertEqual(run_to_json(run2), run_to_json(run))
            self.assertEqual(run2.model.mlp_width(), run.model.mlp_width())
            self.assertEqual(run2.task.seed, 2 ** 60)  # above 2^53: a decimal string
            raw = rf.read_json_object(os.path.join(folder, "metrics.json"))
            self.assertIsNone(raw["train_log"][1][1])
            self.assertIsNone(raw["curve"][0]["validation"]["perplexity"])
            self.assertTrue(math.isnan(result2["curve"][0]["train_loss"]))
            self.assertEqual(result2["final"]["loss"], 1.25)
            for step in (None, 4):
                _, loaded = rf.load_run_model(folder, step)
                for (n, a), (_, b) in zip(model.named_parameters(), loaded.named_parameters()):
                    self.assertTrue(torch.equal(a, b), n)
            tensors, meta = read_safetensors(os.path.join(folder, "model.safetensors"))
            self.assertEqual(meta["variant"], "mlp-q")
            self.assertEqual(meta["step"], "4")
            self.assertEqual(json.loads(meta["model"]), run_to_json(run)["model"])

    def test_history_is_thinned_like_cores(self):
        run = sample_run()
        model = Transformer(run.model, seed=1)
        with tempfile.TemporaryDirectory() as tmp:
            for step in range(0, 41):
                rf.save_checkpoint_history(tmp, run, model, step)
            steps = rf.checkpoint_steps(tmp)
            self.assertLessEqual(len(steps), rf.MAX_CHECKPOINT_HISTORY)
            self.assertEqual((steps[0], steps[-1]), (0, 40))
            rf.clear_checkpoint_history(tmp)
            self.assertEqual(rf.checkpoint_steps(tmp), [])

    def test_variant_mismatch_and_foreign_folders_are_refused(self):
        run = sample_run()
        with tempfile.TemporaryDirectory() as tmp:
            rf.save_run_folder(tmp, run, Transformer(run.model, seed=1), rf.new_result())
            path = os.path.join(tmp, "config.json")
            config = rf.read_json_object(path)
            config["model"]["variant"] = "qkv"
            config["model"]["unknown_field"] = 1
            rf.write_json_atomic(path, config)
            with self.assertRaisesRegex(Exception, "unknown field 'unknown_field'"):
                rf.read_run_folder(tmp)
            del config["model"]["unknown_field"]
            rf.write_json_atomic(path, config)
            with self.assertRaisesRegex(IOError, "holds a 'mlp-q' model"):
                rf.load_run_model(tmp)
            rf.write_json_atomic(path, {"model_type": "gpt2"})
            self.assertFalse(rf.is_run_folder(tmp))


class Safetensors(unittest.TestCase):
    def test_f32_and_bf16_round_trip(self):
        t = {"b": torch.randn(3, 5), "a": torch.arange(6.0).view(2, 3), "e": torch.zeros(0, 4)}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.safetensors")
            write_safetensors(path, t, {"format": "qkvlab"})
            back, meta = read_safetensors(path)
            self.assertEqual(list(back), ["b", "a", "e"])  # data order kept
            for k in t:
                self.assertTrue(torch.equal(back[k], t[k]))
            self.assertEqual(meta, {"format": "qkvlab"})
            with open(path, "rb") as fh:
                n = struct.unpack("<Q", fh.read(8))[0]
            self.assertEqual(n % 8, 0)
            write_safetensors(path, t, dtype="BF16")
            raw, _ = read_safetensors(path, as_float32=False)
            self.assertEqual(raw["b"].dtype, torch.bfloat16)
            self.assertTrue(torch.equal(raw["b"], t["b"].bfloat16()))
            self.assertEqual(os.listdir(tmp), ["x.safetensors"])  # no temporaries left

    def test_f16_and_f64_read(self):
        h = torch.tensor([[1.5, -2.0], [65504.0, 2 ** -24]], dtype=torch.float16)
        d = torch.tensor([1e-3, 3.0], dtype=torch.float64)
        head = encode_header([("h", "F16", (2, 2), 8), ("d", "F64", (2,), 16)], None)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.safetensors")
            with open(path, "wb") as fh:
                fh.write(head + tensor_bytes(h) + tensor_bytes(d))
            back, _ = read_safetensors(path)
            self.assertTrue(torch.equal(back["h"], h.float()))
            self.assertTrue(torch.equal(back["d"], d.float()))

    def test_malformed_files_are_refused(self):
        good = encode_header([("w", "F32", (2, 2), 16)], None) + bytes(16)
        cases = {"too short": b"1234",
                 "exceeds the file size": struct.pack("<Q", 1000) + b"{}",
                 "span 16 bytes": encode_header([("w", "F32", (3, 2), 16)], None) + bytes(16),
                 "outside the data": good[:-4],
                 "unknown dtype": encode_header([("w", "Q7", (2,), 8)], None) + bytes(8),
                 "unsupported dtype 'I64'": encode_header([("w", "I64", (2,), 16)], None)
                 + bytes(16)}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.safetensors")
            for message, blob in cases.items():
                with open(path, "wb") as fh:
                    fh.write(blob)
                with self.subTest(message), self.assertRaisesRegex(SafetensorsError, message):
                    read_safetensors(path)


if __name__ == "__main__":
    unittest.main()
