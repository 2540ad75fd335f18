"""Run folders as core/io/run_folder.cpp writes and reads them.

    config.json                     {"format": "qkvlab-run/1", "app_version", "name", "model",
                                     "task", "train"[, "origin"]}
    model.safetensors               float32 weights; metadata format, variant, arch, step, model
    metrics.json                    status, message, steps_done, checkpoint_step, seconds, final,
                                    curve, train_log (NaN written as null)
    checkpoints/step-%08d.safetensors   the weights at each evaluation (history, thinned to 33)
    checkpoints/step-%08d.optimizer.pt  Python only: optimizer, RNG and curve state to resume
                                        from that step (core ignores files of other names)

Every file is written atomically; weights are written before the config.json and metrics.json
that refer to them.
"""

import json
import math
import os
import re

from .atomic import write_json_atomic
from .config import model_to_json
from .json_fields import number_or_nan, number_or_null
from .run_config import run_from_json, run_to_json
from .safetensors_io import read_safetensors, write_safetensors

HISTORY = "checkpoints"
MAX_CHECKPOINT_HISTORY = 33
STEP_FILE = re.compile(r"^step-(\d{8,9})\.safetensors$")
RESUME_FILE = re.compile(r"^step-(\d{8,9})\.optimizer\.pt$")


def nan_metrics():
    return {"loss": math.nan, "accuracy": math.nan, "perplexity": math.nan}


def new_result():
    """core's TrainResult, as plain Python values (NaN where not applicable)."""
    return {"status": "completed", "message": "", "steps_done": 0, "checkpoint_step": 0,
            "seconds": 0.0, "final": nan_metrics(), "curve": [], "train_log": []}


def metrics_to_json(m):
    return {k: number_or_null(m.get(k, math.nan)) for k in ("loss", "accuracy", "perplexity")}


def result_to_json(r):
    curve = [{"step": p["step"], "train_loss": number_or_null(p["train_loss"]),
              "validation": metrics_to_json(p["validation"]), "lr": p["lr"],
              "elapsed_s": p["elapsed_s"]} for p in r["curve"]]
    return {"status": r["status"], "message": r["message"], "steps_done": r["steps_done"],
            "checkpoint_step": r["checkpoint_step"], "seconds": r["seconds"],
            "final": metrics_to_json(r["final"]), "curve": curve,
            "train_log": [[s, number_or_null(l)] for s, l in r["train_log"]]}


def result_from_json(o):
    def metrics(m):
        m = m if isinstance(m, dict) else {}
        return {k: number_or_nan(m.get(k)) for k in ("loss", "accuracy", "perplexity")}
    status = o.get("status")
    return {"status": status if status in ("cancelled", "diverged") else "completed",
            "message": str(o.get("message", "")), "steps_done": int(o.get("steps_done", 0)),
            "checkpoint_step": int(o.get("checkpoint_step", 0)),
            "seconds": float(o.get("seconds", 0.0)), "final": metrics(o.get("final")),
            "curve": [{"step": int(p.get("step", 0)),
                       "train_loss": number_or_nan(p.get("train_loss")),
                       "validation": metrics(p.get("validation")), "lr": float(p.get("lr", 0.0)),
                       "elapsed_s": float(p.get("elapsed_s", 0.0))} for p in o.get("curve", [])],
            "train_log": [(int(s), number_or_nan(l)) for s, l in o.get("train_log", [])]}


def weights_metadata(run, step):
    """The metadata core's writeWeights puts in every weights file."""
    return {"format": "qkvlab", "variant": run.model.variant, "arch": run.model.arch,
            "step": str(int(step)),
            "model": json.dumps(model_to_json(run.model), separators=(",", ":"),
                                sort_keys=True, ensure_ascii=False)}


def model_tensors(model):
    """Every parameter in registration order, float32 on the CPU."""
    return {n: p.detach().float().cpu() for n, p in model.named_parameters()}


def write_weights(path, run, model, step):
    write_safetensors(path, model_tensors(model), weights_metadata(run, step))


def save_run_folder(folder, run, model, result):
    """core's saveRunFolder: weights first, so config.json never points at missing weights."""
    os.makedirs(folder, exist_ok=True)
    write_weights(os.path.join(folder, "model.safetensors"), run, model,
                  result["checkpoint_step"])
    write_json_atomic(os.path.join(folder, "config.json"), run_to_json(run))
    save_run_metrics(folder, result)


def save_converted_run(folder, run, model):
    """core's saveConvertedRun: weights and config.json, no metrics.json, no history."""
    os.makedirs(folder, exist_ok=True)
    write_weights(os.path.join(folder, "model.safetensors"), run, model, 0)
    write_json_atomic(os.path.join(folder, "config.json"), run_to_json(run))
    metrics = os.path.join(folder, "metrics.json")
    if os.path.exists(metrics):
        os.remove(metrics)
    clear_checkpoint_history(folder)


def save_run_metrics(folder, result):
    os.makedirs(folder, exist_ok=True)
    write_json_atomic(os.path.join(folder, "metrics.json"), result_to_json(result))


def history_file(folder, step):
    return os.path.join(folder, HISTORY, "step-%08d.safetensors" % step)


def resume_file(folder, step):
    return os.path.join(folder, HISTORY, "step-%08d.optimizer.pt" % step)


def _steps(folder, pattern):
    history = os.path.join(folder, HISTORY)
    if not os.path.isdir(history):
        return []
    return sorted(int(m.group(1)) for m in map(pattern.match, os.listdir(history)) if m)


def checkpoint_steps(folder):
    """The steps of the history's weights files, ascending (core's checkpointSteps)."""
    return _steps(folder, STEP_FILE)


def resume_steps(folder):
    return _steps(folder, RESUME_FILE)


def save_checkpoint_history(folder, run, model, step):
    write_weights(history_file(folder, step), run, model, step)
    thin_checkpoint_history(folder)


def thin_checkpoint_history(folder, max_files=MAX_CHECKPOINT_HISTORY):
    """core's thinning: while more than `max_files`, delete every other intermediate file (the
    2nd, 4th, …), keeping step 0 and the latest, so the spacing doubles."""
    steps = checkpoint_steps(folder)
    while len(steps) > max(max_files, 2):
        kept = []
        for i, s in enumerate(steps):
            if i % 2 == 0 or i + 1 == len(steps):
                kept.append(s)
            else:
                os.remove(history_file(folder, s))
        steps = kept


def clear_checkpoint_history(folder):
    """Deletes the history (weights and resume files, and temporaries a killed writer left):
    a new run trained into an old folder must not inherit its steps."""
    history = os.path.join(folder, HISTORY)
    if not os.path.isdir(history):
        return
    for name in os.listdir(history):
        if STEP_FILE.match(name) or RESUME_FILE.match(name) or \
                (name.startswith(".step-") and name.endswith(".tmp")):
            os.remove(os.path.join(history, name))


def is_run_folder(folder):
    config = os.path.join(folder, "config.json")
    if not (os.path.isfile(config) and os.path.isfile(os.path.join(folder, "model.safetensors"))):
        return False
    try:  # a Hugging Face folder has the same two files; its config.json names a model_type
        with open(config, encoding="utf-8") as fh:
            return "model_type" not in json.load(fh)
    except (OSError, ValueError):
        return True


def read_json_object(path):
    try:
        with open(path, encoding="utf-8") as fh:
            obj = json.load(fh)
    except OSError as err:
        raise IOError(f"cannot read {path}: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise IOError(f"{path}: not valid JSON ({err.msg} at byte {err.pos})") from None
    if not isinstance(obj, dict):
        raise IOError(f"{path}: expected a JSON object")
    return obj


def read_run_folder(folder):
    """(RunConfig, result or None): config.json validated, metrics.json when present."""
    if not os.path.isdir(folder):
        raise IOError(f"'{folder}' is not a folder")
    if not is_run_folder(folder):
        raise IOError(f"'{folder}' is not a run folder (it needs config.json and "
                      "model.safetensors)")
    config = os.path.join(folder, "config.json")
    run = run_from_json(read_json_object(config), config)
    metrics = os.path.join(folder, "metrics.json")
    result = result_from_json(read_json_object(metrics)) if os.path.isfile(metrics) else None
    return run, result


def load_weights_file(run, path, device="cpu"):
    """A model of `run` filled from a weights file, checked by name and shape; the file's
    variant metadata must match config.json."""
    from .model import Transformer, load_state  # local: keeps this module light to import
    tensors, metadata = read_safetensors(path)
    variant = metadata.get("variant")
    if variant is not None and variant != run.model.variant:
        raise IOError(f"{path}: holds a '{variant}' model but config.json says "
                      f"'{run.model.variant}'")
    model = Transformer(run.model)
    load_state(model, tensors, path)
    return model.to(device)


def load_run_model(folder, step=None, device="cpu"):
    """(RunConfig, model) of a run folder: model.safetensors, or the history file of `step`."""
    run, _ = read_run_folder(folder)
    path = os.path.join(folder, "model.safetensors") if step is None else history_file(folder, step)
    if not os.path.isfile(path):
        raise IOError(f"{folder}: no checkpoint of step {step} (expected {path})")
    return run, load_weights_file(run, path, device)
