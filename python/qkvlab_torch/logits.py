"""Writes a run folder's logits for given tokens as JSON, for cross-checks against QKV Lab:
`python -m qkvlab_torch.logits RUN_FOLDER --tokens 1,2,3 --out FILE.json [--step N]`.

Output: {"run", "variant", "step", "tokens", "logits": [[float, …] per position]}, floats
written with Python's repr (shortest round-trip form of the float32 value as a double).
"""

import argparse
import json
import os
import sys

import torch

from .run_folder import load_run_model, read_safetensors


def logits_for(folder, tokens, step=None):
    """(RunConfig, logits (T, V)) of a run folder's model for one sequence of token ids."""
    run, model = load_run_model(folder, step)
    if not tokens or any(not 0 <= t < run.model.vocab for t in tokens):
        raise ValueError(f"give 1 to {run.model.context} token ids in [0, {run.model.vocab})")
    model.eval()
    with torch.no_grad():
        out = model(torch.tensor([tokens], dtype=torch.int64))[0]
    return run, out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m qkvlab_torch.logits",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("run", help="a QKV Lab run folder")
    ap.add_argument("--tokens", required=True, help="comma-separated token ids")
    ap.add_argument("--out", required=True, help="the JSON file to write")
    ap.add_argument("--step", type=int, help="a checkpoint of the history instead of the model")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    try:
        tokens = [int(t) for t in args.tokens.split(",") if t.strip()]
        run, logits = logits_for(args.run, tokens, args.step)
        path = os.path.join(args.run, "model.safetensors")
        step = args.step if args.step is not None else int(read_safetensors(path)[1].get("step", 0))
        doc = {"run": run.name, "variant": run.model.variant, "step": step, "tokens": tokens,
               "logits": [[float(x) for x in row] for row in logits.tolist()]}
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)  # json writes floats with repr: exact round trip
    except (ValueError, IOError) as err:
        print(f"qkvlab_torch.logits: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
