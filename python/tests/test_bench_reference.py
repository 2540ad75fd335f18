"""tests/bench/pytorch_reference.py takes its model from this package and still speaks
bench_train's protocol: a 'check' request with weights written as same_model.cpp writes them
gives the losses of this package's model."""

import json
import os
import subprocess
import tempfile
import unittest

import torch
import torch.nn.functional as F

from tests import support
from qkvlab_torch.config import ModelConfig
from qkvlab_torch.model import Transformer

SCRIPT = os.path.join(support.REPO, "tests", "bench", "pytorch_reference.py")
SHAPE = dict(name="tiny", arch="decoder", d=16, layers=1, heads=2, vocab=9, T=6, batch=3)
TRAIN = dict(lr=3e-3, min_lr_fraction=0.1, warmup=20, steps=1000000, weight_decay=0.01,
             beta1=0.9, beta2=0.99, clip=1.0)


class BenchReference(unittest.TestCase):
    def test_check_request_uses_this_packages_model(self):
        with open(SCRIPT) as fh:
            self.assertIn("from qkvlab_torch.model import Transformer", fh.read())
        for variant in ("mlp-q", "identity-q", "shared-kv"):
            model = Transformer(ModelConfig(arch="decoder", variant=variant, d_model=16,
                                            layers=1, heads=2, vocab=9, context=6), seed=4)
            gen = torch.Generator().manual_seed(0)
            x = torch.randint(0, 9, (3, 6), generator=gen)
            y = torch.randint(0, 9, (3, 6), generator=gen)
            with tempfile.TemporaryDirectory() as tmp:
                base = os.path.join(tmp, "w")
                tensors, offset = [], 0
                with open(base + ".bin", "wb") as fh:
                    for name, p in model.named_parameters():
                        data = p.detach().contiguous().numpy().tobytes()
                        fh.write(data)
                        tensors.append(dict(name=name, shape=list(p.shape), offset=offset))
                        offset += len(data)
                with open(base + ".json", "w") as fh:
                    json.dump(dict(tensors=tensors, inputs=x.flatten().tolist(),
                                   targets=y.flatten().tolist()), fh)
                requests = [dict(cmd="check", shape=SHAPE, variant=variant, weights=base,
                                 steps=2, train=TRAIN), dict(cmd="quit")]
                p = subprocess.run([support.PYTHON, SCRIPT, "--serve", "--threads", "1"],
                                   input="".join(json.dumps(r) + "\n" for r in requests),
                                   capture_output=True, text=True, timeout=120, env=support.env())
            answer = json.loads(p.stdout.splitlines()[0])
            with self.subTest(variant):
                self.assertTrue(answer.get("ok"), answer)
                with torch.no_grad():
                    logits = model(x)
                    first = F.cross_entropy(logits.reshape(-1, 9), y.reshape(-1)).item()
                self.assertEqual(answer["losses"][0], first)
                self.assertLess(answer["losses"][1], answer["losses"][0])


if __name__ == "__main__":
    unittest.main()
