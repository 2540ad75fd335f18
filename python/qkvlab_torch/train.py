"""Trains an experiment's runs: `python -m qkvlab_torch.train --experiment EXP.json --out RUNS`.

EXP.json is QKV Lab's preset format (resources/presets/*.json). One run folder per variant
(and seed, "<variant>-seed<N>" with several seeds) under RUNS, written as QKV Lab writes them.
Runs as one process, or data-parallel under torchrun (gloo on CPUs, NCCL on GPUs, bf16
autocast on GPUs); the global batch train.batch is split over the processes. A run folder that
holds an unfinished run of the same configuration is resumed from its last checkpoint; a
finished one is skipped; one of another configuration is refused unless --overwrite.
"""

import argparse
import json
import os
import sys

import torch

from . import distributed as distrib
from . import run_folder as rf
from .data import make_dataset
from .json_fields import ConfigError
from .run_config import check_train_config, expand_runs, load_experiment, run_to_json
from .training import Session


def comparable(config_json):
    """A run's config.json without what does not change the run (the writer's version)."""
    return {k: v for k, v in config_json.items() if k != "app_version"}


def plan_folder(folder, run, overwrite):
    """("fresh" | "resume" | "done", resume file or None) for a run's folder."""
    config = os.path.join(folder, "config.json")
    if not os.path.exists(config):
        return "fresh", None
    same = False
    try:
        same = comparable(rf.read_json_object(config)) == comparable(
            json.loads(json.dumps(run_to_json(run))))
    except (IOError, ValueError):
        pass
    if overwrite:
        return "fresh", None
    if not same:
        raise ConfigError(f"'{folder}' holds a run of another configuration; give --overwrite "
                          "to replace it")
    metrics = os.path.join(folder, "metrics.json")
    result = rf.result_from_json(rf.read_json_object(metrics)) if os.path.exists(metrics) \
        else None
    if result and result["status"] == "completed" and \
            result["checkpoint_step"] >= run.train.steps:
        return "done", None
    steps = rf.resume_steps(folder)
    if not steps:
        raise ConfigError(f"'{folder}' holds this run but no resume file "
                          "(checkpoints/step-*.optimizer.pt); give --overwrite to start over")
    if result and result["status"] == "diverged":
        raise ConfigError(f"'{folder}' diverged; give --overwrite to start over")
    return "resume", rf.resume_file(folder, steps[-1])


def train_run(run, dataset, folder, ctx, overwrite, log):
    # Rank 0 decides from the folder; the others follow its decision.
    plan = [None]
    if ctx.main:
        plan = [plan_folder(folder, run, overwrite)]
        # An overwritten folder must not show the old run's metrics before the first save.
        metrics = os.path.join(folder, "metrics.json")
        if plan[0][0] == "fresh" and overwrite and os.path.exists(metrics):
            os.remove(metrics)
    if ctx.distributed:
        torch.distributed.broadcast_object_list(plan, src=0)
    kind, resume = plan[0]
    if kind == "done":
        log(f"[{run.name}] already trained ({run.train.steps} steps); skipped")
        return None
    session = Session(run, dataset, folder, ctx, resume_path=resume)
    if resume:
        log(f"[{run.name}] resumed at step {session.result['steps_done']}")
    while not session.finished:
        loss = session.advance()
        r = session.result
        point = r["curve"][-1] if r["curve"] else None
        if point and point["step"] == r["steps_done"] and ctx.main:
            v = point["validation"]
            log(f"[{run.name}] step {r['steps_done']}/{run.train.steps}  train {loss:.4f}  "
                f"val {v['loss']:.4f}  acc {100 * v['accuracy']:.1f}%  {r['seconds']:.1f}s")
    if session.result["status"] != "completed":
        log(f"[{run.name}] {session.result['status']}: {session.result['message']}")
    return session.result


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m qkvlab_torch.train",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--experiment", required=True, help="QKV Lab preset JSON")
    ap.add_argument("--out", required=True, help="folder of the run folders")
    ap.add_argument("--steps", type=int, help="override train.steps")
    ap.add_argument("--variants", help="comma-separated subset of the experiment's variants")
    ap.add_argument("--data", help="override task.data_path (text corpus)")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads per process")
    ap.add_argument("--cpu", action="store_true", help="train on CPUs even with GPUs present")
    ap.add_argument("--overwrite", action="store_true",
                    help="replace run folders of another configuration instead of refusing")
    args = ap.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    ctx = distrib.init(force_cpu=args.cpu)
    log = (lambda m: print(m, flush=True)) if ctx.main else (lambda m: None)
    try:
        exp = load_experiment(args.experiment)
        if args.steps is not None:
            exp.base.train.steps = args.steps
        if args.data is not None:
            exp.base.task.data_path = args.data
        if args.variants:
            exp.variants = [v for v in args.variants.split(",") if v]
        check_train_config(exp.base.train)
        dataset = make_dataset(exp.base.task)
        runs = expand_runs(exp, dataset)
        if ctx.main:
            os.makedirs(args.out, exist_ok=True)
            log(f"{len(runs)} run(s) on {ctx.world} process(es), {ctx.device.type}, global batch "
                f"{exp.base.train.batch}")
        for run in runs:
            train_run(run, dataset, os.path.join(args.out, run.name), ctx, args.overwrite, log)
    except (ConfigError, ValueError, IOError) as err:
        print(f"qkvlab_torch.train: {str(err).splitlines()[0] if str(err) else err!r}",
              file=sys.stderr)
        return 2
    finally:
        distrib.shutdown(ctx)
    return 0


if __name__ == "__main__":
    sys.exit(main())
