"""What the tests share: paths, a quiet single-threaded torch, small experiments, and commands
run the way a user runs them (Debian's /usr/bin/python3, one thread per process)."""

import json
import os
import subprocess
import sys

import torch

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PYTHON_DIR)
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

torch.set_num_threads(1)


def env():
    """The child environment: the package importable, one thread per process."""
    e = dict(os.environ)
    e["PYTHONPATH"] = PYTHON_DIR + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return e


def run(args, timeout=300, check=True):
    """Runs a command; on failure the assertion message carries its output."""
    p = subprocess.run(args, env=env(), cwd=PYTHON_DIR, capture_output=True, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited with {p.returncode}:\n{p.stdout}\n"
                             f"{p.stderr[-3000:]}")
    return p


def torchrun_args(nproc):
    """torchrun on one machine. Debian's torch 1.13 under Python 3.11 cannot parse its own
    default "0" for --redirects/--tee (an IntFlag change), so both get an explicit value."""
    return [PYTHON, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
            str(nproc), "--redirects", "2", "--tee", "2"]


def write_experiment(path, variants=("qkv",), model=None, task=None, train=None):
    exp = {"name": "test", "variants": list(variants),
           "model": model or {"d_model": 16, "layers": 1, "heads": 2},
           "task": task or {"kind": "follow", "vocab": 10, "seq_len": 8, "seed": 3,
                            "validation_size": 64},
           "train": train or {"steps": 12, "batch": 8, "lr": 0.003, "warmup_steps": 2,
                              "eval_every": 4, "eval_examples": 64, "seed": 2}}
    with open(path, "w") as fh:
        json.dump(exp, fh)
    return path


def read_metrics(folder):
    with open(os.path.join(folder, "metrics.json")) as fh:
        return json.load(fh)
