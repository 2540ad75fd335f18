"""Writes the Python side of the core-vs-PyTorch logits cross-check (tests/core/tst_torch_parity.cpp):
for every case below, a run folder of a model this package built (seeded init, then every
parameter moved off its initial value so that norms, biases and positional maps all matter) and
`logits.json`, the logits this package computes for TOKENS.

usage: make_parity_runs.py OUT_DIR        (Debian's /usr/bin/python3; prints one line per case)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from qkvlab_torch.config import VARIANTS, ModelConfig, apply_family, validate  # noqa: E402
from qkvlab_torch.logits import logits_for  # noqa: E402
from qkvlab_torch.model import Transformer  # noqa: E402
from qkvlab_torch.run_config import RunConfig, TaskConfig, TrainConfig  # noqa: E402
from qkvlab_torch.run_folder import save_converted_run  # noqa: E402

TOKENS = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]


def cases():
    """(name, family, arch, variant, fields set after the family's layout)."""
    for family in ("qkvlab", "paper-gpt", "gpt2", "llama"):
        for variant in VARIANTS:
            yield f"{family}-{variant}", family, "decoder", variant, {}
        yield f"{family}-qkv-gqa2", family, "decoder", "qkv", {"kv_heads": 2}
        yield f"{family}-shared-kv-mqa", family, "decoder", "shared-kv", {"kv_heads": 1}
    for variant in ("qkv", "single"):  # llama2.c's pair convention and a head dimension of its own
        yield f"llama-adjacent-{variant}", "llama", "decoder", variant, {"rope_pairs": "adjacent"}
    yield "llama-head-dim-16", "llama", "decoder", "qkv", {"head_dim_override": 16, "kv_heads": 2}
    for mode in ("absolute", "relative"):
        for variant in ("qkv", "shared-qk", "single"):
            yield (f"posbias-{mode}-{variant}", "qkvlab", "decoder", variant,
                   {"pos_bias": True, "pos_bias_mode": mode})
    for variant in ("qkv", "single", "residual-q"):
        yield f"encoder-{variant}", "qkvlab", "encoder", variant, {}


def build(family, arch, variant, fields):
    c = apply_family(ModelConfig(arch=arch, variant=variant, d_model=32, layers=2, heads=4,
                                 vocab=13, context=12), family)
    for key, value in fields.items():
        setattr(c, key, value)
    validate(c)
    return c


def main(out):
    torch.set_num_threads(1)
    os.makedirs(out, exist_ok=True)
    for i, (name, family, arch, variant, fields) in enumerate(cases()):
        config = build(family, arch, variant, fields)
        model = Transformer(config, seed=100 + i)
        gen = torch.Generator().manual_seed(1000 + i)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.1 * torch.randn(p.shape, generator=gen))
        run = RunConfig(name=name, model=config, task=TaskConfig(kind="copy", vocab=13, seq_len=12),
                        train=TrainConfig(steps=1, seed=100 + i))
        folder = os.path.join(out, name)
        save_converted_run(folder, run, model)
        _, logits = logits_for(folder, TOKENS)
        with open(os.path.join(folder, "logits.json"), "w", encoding="utf-8") as fh:
            json.dump({"tokens": TOKENS, "logits": logits.tolist()}, fh)
        print(name)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    sys.exit(main(sys.argv[1]))
