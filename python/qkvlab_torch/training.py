"""One run trained step by step, as core's TrainingSession (core/train/trainer.cpp), on one
process or data-parallel over many.

Every rank draws the same global batch from the run's batch generator (seeded identically)
and trains on its own contiguous slice; the loss is scaled so that DistributedDataParallel's
gradient average equals the gradient of the global batch's mean loss, so W processes compute
what one process with the same global batch computes. Rank 0 evaluates, writes the run folder
at every evaluation (weights, config.json, metrics.json, the history file) and a resume file
(optimizer, generator, curve) that lets an interrupted run continue exactly where it stopped.
"""

import contextlib
import math
import os
import time

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from . import distributed as distrib
from . import run_folder as rf
from .atomic import save_torch_atomic
from .data import batch_rng
from .model import Transformer, load_state
from .optim import lr_at, make_optimizer, set_lr
from .run_config import run_to_json
from .torch_pickle import load_checkpoint

RESUME_FORMAT = "qkvlab-torch-resume/1"
TRAIN_LOG_POINTS = 500  # core's kTrainLogPoints
EVAL_CHUNK = 64


@torch.no_grad()
def evaluate(model, dataset, max_examples, device="cpu"):
    """core's evaluate: mean token cross-entropy and accuracy over up to `max_examples`
    held-out examples in chunks of 64, perplexity exp(loss) for decoders. float32, no dropout."""
    was_training = model.training
    model.eval()
    n = min(max_examples, dataset.validation_count())
    if n <= 0:
        raise ValueError("the dataset has no validation examples")
    loss_sum, correct, counted = 0.0, 0, 0
    for first in range(0, n, EVAL_CHUNK):
        x, y = dataset.validation_batch(first, min(EVAL_CHUNK, n - first))
        x, y = x.to(device), y.to(device)
        logits = model(x).float()
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss_sum += loss.item() * y.numel()
        correct += int((logits.argmax(-1) == y).sum().item())
        counted += y.numel()
    model.train(was_training)
    loss = loss_sum / counted
    perplexity = math.exp(loss) if model.cfg.causal() and loss < 709 else (
        math.inf if model.cfg.causal() else math.nan)
    return {"loss": loss, "accuracy": correct / counted, "perplexity": perplexity}


def dropout_seed(seed, rank, step):
    """Dropout masks are reseeded at every checkpoint from (seed, rank, step), so a resumed
    run draws the masks the uninterrupted run would have drawn."""
    return (int(seed) * 1000003 + rank * 7919 + step * 104729) % (2 ** 63)


class Session:
    def __init__(self, run, dataset, folder, ctx, resume_path=None):
        self.run, self.data, self.folder, self.ctx = run, dataset, folder, ctx
        self.model = Transformer(run.model, seed=run.train.seed).to(ctx.device)
        self.net = DistributedDataParallel(
            self.model, device_ids=[ctx.local_rank] if ctx.cuda else None,
            broadcast_buffers=False) if ctx.distributed else self.model
        self.optimizer = make_optimizer(self.model, run.train)
        self.rng = batch_rng(run.task, run.train)
        self.result = rf.new_result()
        self.loss_since_eval, self.steps_since_eval = 0.0, 0
        self.loss_since_log, self.steps_since_log = 0.0, 0
        self.finished, self.seconds_before = False, 0.0
        self.start = time.monotonic()
        if resume_path:
            self._load_resume(resume_path)
        else:
            if ctx.main:
                rf.clear_checkpoint_history(folder)
            ok = self._checkpoint(0)
            if not ok:
                raise ValueError("the freshly initialised model gives a non-finite loss")
        torch.manual_seed(dropout_seed(run.train.seed, ctx.rank, self.result["steps_done"]))
        self.model.train()

    def elapsed(self):
        return self.seconds_before + time.monotonic() - self.start

    def _autocast(self):
        if self.ctx.cuda:
            return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def step(self):
        """One optimizer step on the global batch; returns its mean loss (NaN/inf: not taken)."""
        tc, ctx = self.run.train, self.ctx
        step = self.result["steps_done"]
        set_lr(self.optimizer, lr_at(tc, step))
        x, y = self.data.train_batch(tc.batch, self.rng)  # the same global batch on every rank
        lo, hi = distrib.local_slice(ctx, tc.batch)
        x, y = x[lo:hi].to(ctx.device), y[lo:hi].to(ctx.device)
        self.optimizer.zero_grad(set_to_none=True)
        with self._autocast():
            logits = self.net(x)
        logits = logits.float().reshape(-1, logits.shape[-1])
        if ctx.distributed:
            total = tc.batch * y.shape[1]  # every example has the same number of targets
            loss_sum = F.cross_entropy(logits, y.reshape(-1), reduction="sum")
            value = distrib.sum_over_ranks(ctx, loss_sum.item()) / total
            loss = loss_sum * (ctx.world / total)  # DDP averages: Σ_r (sum_r / total) = mean
        else:
            loss = F.cross_entropy(logits, y.reshape(-1))
            value = loss.item()
        if not math.isfinite(value):
            return value
        loss.backward()
        if tc.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), tc.grad_clip)
        self.optimizer.step()
        return value

    def advance(self):
        """core's TrainingSession::advance: a step, the train log, an evaluation when due."""
        tc, r = self.run.train, self.result
        step = r["steps_done"]
        loss = self.step()
        if not math.isfinite(loss):
            kind = "NaN" if math.isnan(loss) else "infinite"
            self._stop("diverged", f"loss became {kind} at step {step + 1} (lr "
                       f"{lr_at(tc, step):f}); the run folder keeps step {r['checkpoint_step']}")
            return loss
        self.loss_since_eval += loss
        self.steps_since_eval += 1
        self.loss_since_log += loss
        self.steps_since_log += 1
        r["steps_done"] = step + 1
        log_every = max(1, tc.steps // TRAIN_LOG_POINTS)
        if r["steps_done"] % log_every == 0 or r["steps_done"] == tc.steps:
            r["train_log"].append((r["steps_done"], self.loss_since_log / self.steps_since_log))
            self.loss_since_log, self.steps_since_log = 0.0, 0
        done = step + 1
        if done % tc.eval_every == 0 or done == tc.steps:
            if not self._checkpoint(done):
                self._stop("diverged", f"the validation loss became non-finite at step {done} "
                           f"(lr {lr_at(tc, step):f}); the run folder keeps step "
                           f"{r['checkpoint_step']}")
                return loss
            torch.manual_seed(dropout_seed(tc.seed, self.ctx.rank, done))
        if done == tc.steps:
            self.finished = True
        r["seconds"] = self.elapsed()
        return loss

    def _checkpoint(self, step):
        """Rank 0 evaluates and saves; every rank learns whether the loss was finite."""
        ok = True
        if self.ctx.main:
            ok = self._save(step)
        return distrib.broadcast_flag(self.ctx, ok)

    def _save(self, step):
        tc, r = self.run.train, self.result
        validation = evaluate(self.model, self.data, tc.eval_examples, self.ctx.device)
        # A finite training loss does not make finite weights: never save over a good state.
        if not math.isfinite(validation["loss"]):
            return False
        point = {"step": step, "validation": validation, "lr": lr_at(tc, max(0, step - 1)),
                 "train_loss": self.loss_since_eval / self.steps_since_eval
                 if self.steps_since_eval else math.nan, "elapsed_s": self.elapsed()}
        self.loss_since_eval, self.steps_since_eval = 0.0, 0
        r["curve"].append(point)
        r.update(final=validation, checkpoint_step=step, steps_done=step,
                 seconds=point["elapsed_s"])
        rf.save_run_folder(self.folder, self.run, self.model, r)
        rf.save_checkpoint_history(self.folder, self.run, self.model, step)
        self._save_resume(step)
        return True

    def _save_resume(self, step):
        state = {"format": RESUME_FORMAT, "step": step, "run": run_to_json(self.run),
                 "model": rf.model_tensors(self.model),
                 "optimizer": self.optimizer.state_dict(), "batch_rng": self.rng.getstate(),
                 "result": self.result, "world": self.ctx.world,
                 "accumulators": [self.loss_since_log, self.steps_since_log]}
        save_torch_atomic(rf.resume_file(self.folder, step), state)
        for old in rf.resume_steps(self.folder):  # only the newest is needed to resume
            if old != step:
                os.remove(rf.resume_file(self.folder, old))

    def _load_resume(self, path):
        # Only rank 0 sees the run folder (other nodes may not share its file system): it
        # reads the state and hands it to every rank.
        state = [load_checkpoint(path) if self.ctx.main else None]
        if self.ctx.distributed:
            torch.distributed.broadcast_object_list(state, src=0)
        state = state[0]
        if state.get("format") != RESUME_FORMAT:
            raise ValueError(f"{path}: not a qkvlab_torch resume file")
        load_state(self.model, state["model"], path)
        self.optimizer.load_state_dict(state["optimizer"])
        self.rng.setstate(state["batch_rng"])
        r = state["result"]
        r["train_log"] = [tuple(p) for p in r["train_log"]]
        self.result = r
        self.loss_since_log, self.steps_since_log = state["accumulators"]
        self.seconds_before = r["seconds"]
        self.finished = r["steps_done"] >= self.run.train.steps

    def _stop(self, status, message):
        self.finished = True
        self.result.update(status=status, message=message, seconds=self.elapsed())
        if self.ctx.main:  # the weights stay those of the last checkpoint
            rf.save_run_metrics(self.folder, self.result)
