#!/usr/bin/env python3
"""The QKV Lab transformer in PyTorch, timed the way bench_train times the C++ one.

The model is python/qkvlab_torch's (the repository's one Python definition of it): the same
model as core/model/transformer.h in its default `qkvlab` layout (pre-LN blocks, GELU MLP 4d,
final LN, tied head with its own bias, learned positions), every variant of core/attention with
core's current definitions (identity-q logits at 0.5/sqrt(d_h), mlp-q's map without biases), and
the same step as core/train/train_step (lr from the warm-up + cosine schedule, zero_grad,
forward, cross-entropy, backward, clip 1.0, AdamW with decay on matrices only). Parameter names
match the C++ checkpoint names, so that bench_train can hand this script its initial weights and
compare losses step by step.

Two ways to run it:
  pytorch_reference.py --out FILE.json [--threads N] [--seconds S]   all cases, JSON to FILE
  pytorch_reference.py --serve [--threads N]                         one JSON request per stdin
      line, one JSON answer per stdout line (bench_train interleaves C++ and PyTorch cases this
      way, so that a burst of load from other processes hits both sides alike)

It must run on Debian's python3-torch (the same libtorch and BLAS as the C++ side): use
/usr/bin/python3, not a pyenv or venv python that may lack torch or bring its own. Thread
settings: torch intra-op threads come from --threads; OpenBLAS's own pool is sized by
OPENBLAS_NUM_THREADS and its kernels by OPENBLAS_CORETYPE, both read when the library loads, so
they are inherited from the parent's environment.
"""

import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# The model is the repository's one Python definition, python/qkvlab_torch.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from qkvlab_torch.config import ModelConfig  # noqa: E402
from qkvlab_torch.model import Transformer  # noqa: E402
from qkvlab_torch.optim import lr_at, make_optimizer, set_lr  # noqa: E402
from qkvlab_torch.run_config import TrainConfig  # noqa: E402

VARIANTS = ["qkv", "shared-kv", "shared-qk", "single", "identity-q", "mlp-q"]

# The two shapes of the benchmark; bench_train sends the same dictionaries.
SHAPES = {
    "demo": dict(name="demo", arch="encoder", d=64, layers=2, heads=4, vocab=10, T=16, batch=32),
    "large": dict(name="large", arch="decoder", d=128, layers=4, heads=4, vocab=96, T=128,
                  batch=32),
}

# TrainConfig defaults (core/train/train_config.h) and the demo preset's lr.
TRAIN = dict(lr=3e-3, min_lr_fraction=0.1, warmup=20, steps=1000000, weight_decay=0.01,
             beta1=0.9, beta2=0.99, clip=1.0)


def model_config(shape, variant):
    """The QKV Lab model of a bench shape: core's defaults (the `qkvlab` layout) otherwise."""
    return ModelConfig(arch=shape["arch"], variant=variant, d_model=shape["d"],
                       layers=shape["layers"], heads=shape["heads"], vocab=shape["vocab"],
                       context=shape["T"])


def train_config(c):
    """bench_train's training dictionary as a TrainConfig (lr schedule, AdamW, clipping)."""
    return TrainConfig(lr=c["lr"], min_lr_fraction=c["min_lr_fraction"], warmup_steps=c["warmup"],
                       steps=c["steps"], weight_decay=c["weight_decay"], beta1=c["beta1"],
                       beta2=c["beta2"], grad_clip=c["clip"])


class Trainer:
    """Model + AdamW + the step of core/train/train_step.cpp."""

    def __init__(self, shape, variant, train, seed=1):
        # Initialised from the seed as TransformerImpl::initParameters does (the timing does not
        # depend on it; the check loads the C++ model's weights anyway).
        self.model = Transformer(model_config(shape, variant), seed=seed)
        self.train = train_config(train)
        # foreach stays at 1.13's CPU default (the per-tensor loop), like LibTorch's C++ AdamW.
        self.opt = make_optimizer(self.model, self.train)

    def step(self, inputs, targets, i):
        set_lr(self.opt, lr_at(self.train, i))
        self.opt.zero_grad()
        logits = self.model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        value = loss.item()  # the C++ step reads it too, to refuse a non-finite loss
        if not math.isfinite(value):
            return value
        loss.backward()
        if self.train.grad_clip > 0:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.train.grad_clip)
        self.opt.step()
        return value


def random_batches(shape, count, seed):
    """Token batches: the timing does not depend on their content. Decoders get next-token
    targets, as a char-LM would."""
    g = torch.Generator().manual_seed(seed)
    B, T, V = shape["batch"], shape["T"], shape["vocab"]
    out = []
    for _ in range(count):
        seq = torch.randint(0, V, (B, T + 1), generator=g)
        if shape["arch"] == "decoder":
            out.append((seq[:, :T].contiguous(), seq[:, 1:].contiguous()))
        else:
            out.append((seq[:, :T].contiguous(), torch.randint(0, V, (B, T), generator=g)))
    return out


def summarize(times_s):
    ms = sorted(t * 1e3 for t in times_s)
    q = lambda f: ms[min(len(ms) - 1, int(f * (len(ms) - 1) + 0.5))]
    return dict(steps=len(ms), ms_median=statistics.median(ms), ms_mean=statistics.fmean(ms),
                ms_min=ms[0], ms_p10=q(0.1), ms_p90=q(0.9))


class Session:
    """A model being timed: bench_train interleaves short chunks of C++ and PyTorch steps, so
    the model, the optimizer state and the step counter live across requests."""

    def __init__(self, shape, variant, train=TRAIN, warmup=10):
        self.trainer = Trainer(shape, variant, train)
        self.batches = random_batches(shape, 8, seed=1)
        self.shape, self.variant, self.step_index = shape, variant, 0
        # Warm-up: allocator, thread pools, first touch of the optimizer state. At most ~1 s.
        t_end = time.perf_counter() + 1.0
        for _ in range(warmup):
            self.step()
            if time.perf_counter() > t_end and self.step_index >= 3:
                break

    def step(self):
        self.trainer.step(*self.batches[self.step_index % len(self.batches)], self.step_index)
        self.step_index += 1

    def run(self, seconds, min_steps, max_steps=100000):
        """Per-step wall and process-CPU seconds of a chunk of steps lasting `seconds` (at least
        `min_steps`). CPU time leaves out time lost to other processes on the shared cores."""
        times, cpu = [], []
        t_start = time.perf_counter()
        while len(times) < max_steps and (len(times) < min_steps or
                                          time.perf_counter() - t_start < seconds):
            c0, t0 = time.process_time(), time.perf_counter()
            self.step()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return times, cpu

    def parameters(self):
        return sum(p.numel() for p in self.trainer.model.parameters())


def time_case(shape, variant, seconds=2.0, warmup=10, min_steps=10):
    session = Session(shape, variant, TRAIN, warmup)
    result = summarize(session.run(seconds, min_steps)[0])
    result.update(shape=shape["name"], variant=variant, parameters=session.parameters())
    return result


def check_case(shape, variant, weights_path, steps, train):
    """Loads the C++ model's initial weights and batch, runs `steps` steps, returns the losses."""
    with open(weights_path + ".json") as f:
        header = json.load(f)
    with open(weights_path + ".bin", "rb") as f:
        blob = bytearray(f.read())
    trainer = Trainer(shape, variant, train)
    state = {}
    for t in header["tensors"]:
        count = math.prod(t["shape"]) if t["shape"] else 1
        state[t["name"]] = torch.frombuffer(blob, dtype=torch.float32, count=count,
                                            offset=t["offset"]).reshape(t["shape"]).clone()
    names = [(n, list(p.shape)) for n, p in trainer.model.named_parameters()]
    missing = sorted(set(n for n, _ in names) - set(state))
    unexpected = sorted(set(state) - set(n for n, _ in names))
    if missing or unexpected:
        return dict(ok=False, error="parameter names differ", missing=missing,
                    unexpected=unexpected)
    trainer.model.load_state_dict(state, strict=True)
    B, T = shape["batch"], shape["T"]
    inputs = torch.tensor(header["inputs"], dtype=torch.int64).view(B, T)
    targets = torch.tensor(header["targets"], dtype=torch.int64).view(B, T)
    losses = [trainer.step(inputs, targets, i) for i in range(steps)]
    return dict(ok=True, losses=losses, names=names)


def blas_info():
    """Which libblas this process mapped and which OpenBLAS kernels it runs: the same library
    and the same kernels as the C++ side, or the comparison means nothing."""
    lib = ""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line[line.find("/"):].strip() if "/" in line else ""
            if "libblas.so" in path or ("libopenblas" in path and not lib):
                lib = path
                if "libblas.so" in path:
                    break
    core = ""
    if lib:
        try:
            f = ctypes.CDLL(lib).openblas_get_corename
            f.restype = ctypes.c_char_p
            core = f().decode()
        except (OSError, AttributeError):
            pass
    return lib, core


def sgemm_gflops(n=1024, seconds=0.5):
    """As qkv::measureSgemmGflops: n×n×n float products through torch.mm."""
    with torch.no_grad():
        a, b = torch.randn(n, n), torch.randn(n, n)
        c = torch.mm(a, b)
        reps, t0 = 0, time.perf_counter()
        while True:
            torch.mm(a, b, out=c)
            reps += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= seconds and reps >= 3:
                return 2.0 * n ** 3 * reps / elapsed / 1e9


def info():
    lib, core = blas_info()
    return dict(python=sys.executable, torch=torch.__version__, torch_file=torch.__file__,
                torch_threads=torch.get_num_threads(), blas_library=lib, openblas_core=core,
                openblas_num_threads=os.environ.get("OPENBLAS_NUM_THREADS", ""),
                openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", ""),
                adamw_foreach=False)


def serve():
    # Answers go to the real stdout only; anything torch prints goes to stderr.
    out = sys.stdout
    sys.stdout = sys.stderr
    session = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "quit":
                break
            if cmd == "info":
                ans = info()
            elif cmd == "sgemm":
                ans = dict(gflops=sgemm_gflops(req.get("n", 1024)))
            elif cmd == "prepare":  # build and warm up the model of the next case
                session = None  # free the previous model first
                session = Session(req["shape"], req["variant"], req.get("train", TRAIN),
                                  req.get("warmup", 10))
                ans = dict(parameters=session.parameters())
            elif cmd == "run":  # one chunk of timed steps of the prepared case
                times, cpu = session.run(req.get("seconds", 0.5), req.get("min_steps", 2))
                ans = dict(ms=[t * 1e3 for t in times], cpu_ms=[t * 1e3 for t in cpu])
            elif cmd == "check":
                ans = check_case(req["shape"], req["variant"], req["weights"],
                                 req.get("steps", 3), req.get("train", TRAIN))
            else:
                ans = dict(error="unknown command " + str(cmd))
        except Exception as e:  # one bad request must not kill the session
            ans = dict(error=f"{type(e).__name__}: {e}")
        out.write(json.dumps(ans) + "\n")
        out.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="write every case's timing to this JSON file")
    ap.add_argument("--serve", action="store_true", help="answer JSON requests on stdin")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: keep)")
    ap.add_argument("--seconds", type=float, default=2.0, help="timed seconds per case")
    ap.add_argument("--shapes", default="demo,large")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.serve:
        serve()
        return
    if not args.out:
        ap.error("give --out FILE or --serve")
    result = dict(info=info(), sgemm_gflops=sgemm_gflops(), cases=[])
    for s in args.shapes.split(","):
        for v in args.variants.split(","):
            r = time_case(SHAPES[s], v, args.seconds)
            print(f"{s:6} {v:11} {r['ms_median']:9.2f} ms/step", file=sys.stderr)
            result["cases"].append(r)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
