"""Task, training and run configurations, and experiments (QKV Lab's preset format).

Mirrors core/data/task_config.h, core/train/train_config.h, core/io/run_config_json.cpp and
core/train/experiment.cpp: the same JSON fields, the same defaults, the same strictness, and
the same run names ("qkv", or "qkv-seed3" when an experiment has several seeds).
"""

import dataclasses
import json

from . import __version__
from .config import ModelConfig, VARIANTS, model_from_json, model_to_json, validate
from .json_fields import ConfigError, JsonFields, qt_number, seed_to_json

RUN_FORMAT = "qkvlab-run/1"
SYNTHETIC_TASKS = ["copy", "reverse", "sort", "swap", "sub", "follow"]
TASKS = SYNTHETIC_TASKS + ["fashion-mnist", "text"]
TASK_ALIASES = {"images": "fashion-mnist", "mnist": "fashion-mnist"}


@dataclasses.dataclass
class TaskConfig:
    kind: str = "copy"
    data_path: str = ""
    vocab: int = 10
    seq_len: int = 16
    seed: int = 1
    validation_size: int = 512
    validation_fraction: float = 0.1
    alphabet: str = ""


@dataclasses.dataclass
class TrainConfig:
    steps: int = 300
    batch: int = 32
    lr: float = 3e-3
    min_lr_fraction: float = 0.1
    warmup_steps: int = 20
    weight_decay: float = 0.01
    decay_all: bool = False
    beta1: float = 0.9
    beta2: float = 0.99
    grad_clip: float = 1.0
    eval_every: int = 50
    eval_examples: int = 256
    seed: int = 1


@dataclasses.dataclass
class RunConfig:
    name: str = ""
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    task: TaskConfig = dataclasses.field(default_factory=TaskConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)
    origin: dict = None  # {"format", "path", "dtype"} of a converted model


@dataclasses.dataclass
class Experiment:
    name: str = ""
    description: str = ""
    variants: list = dataclasses.field(default_factory=list)
    seeds: list = dataclasses.field(default_factory=list)
    base: RunConfig = dataclasses.field(default_factory=RunConfig)


def task_to_json(t):
    return {"kind": t.kind, "data_path": t.data_path, "vocab": t.vocab, "seq_len": t.seq_len,
            "seed": seed_to_json(t.seed), "validation_size": t.validation_size,
            "validation_fraction": qt_number(t.validation_fraction), "alphabet": t.alphabet}


def train_to_json(t):
    o = dataclasses.asdict(t)
    o["seed"] = seed_to_json(t.seed)
    return {k: qt_number(v) for k, v in o.items()}


def run_to_json(r):
    o = {"format": RUN_FORMAT, "app_version": "qkvlab_torch " + __version__, "name": r.name,
         "model": model_to_json(r.model), "task": task_to_json(r.task),
         "train": train_to_json(r.train)}
    if r.origin:
        o["origin"] = dict(r.origin)
    return o


def task_from_json(obj, where, base=None):
    t = dataclasses.replace(base) if base else TaskConfig()
    f = JsonFields(obj, where)
    kind = f.string("kind", t.kind)
    kind = TASK_ALIASES.get(kind, kind)
    if kind not in TASKS:
        f.fail("kind", f"names no task: '{kind}'")
    t.kind = kind
    t.data_path = f.string("data_path", t.data_path)
    t.vocab = f.integer("vocab", t.vocab)
    t.seq_len = f.integer("seq_len", t.seq_len)
    t.seed = f.seed("seed", t.seed)
    t.validation_size = f.integer("validation_size", t.validation_size)
    t.validation_fraction = f.number("validation_fraction", t.validation_fraction)
    t.alphabet = f.string("alphabet", t.alphabet)
    f.reject_unknown()
    return t


def train_from_json(obj, where, base=None):
    t = dataclasses.replace(base) if base else TrainConfig()
    f = JsonFields(obj, where)
    for key in ("steps", "batch", "warmup_steps", "eval_every", "eval_examples"):
        setattr(t, key, f.integer(key, getattr(t, key)))
    for key in ("lr", "min_lr_fraction", "weight_decay", "beta1", "beta2", "grad_clip"):
        setattr(t, key, f.number(key, getattr(t, key)))
    t.decay_all = f.boolean("decay_all", t.decay_all)
    t.seed = f.seed("seed", t.seed)
    f.reject_unknown()
    return t


def run_from_json(obj, where):
    """core's runConfigFromJson: a run folder's config.json, validated."""
    f = JsonFields(obj, where)
    fmt = f.string("format", "")
    f.string("app_version", "")
    if fmt != RUN_FORMAT:
        f.fail("format", f"is '{fmt}', expected '{RUN_FORMAT}'")
    r = RunConfig(name=f.string("name", ""))
    r.model = model_from_json(f.object("model"), where + ": model", run_folder=True)
    r.task = task_from_json(f.object("task"), where + ": task")
    r.train = train_from_json(f.object("train"), where + ": train")
    origin = JsonFields(f.object("origin"), where + ": origin")
    o = {k: origin.string(k, "") for k in ("format", "path", "dtype")}
    origin.reject_unknown()
    r.origin = o if o["format"] else None
    f.reject_unknown()
    validate(r.model)
    return r


def check_train_config(c):
    """core's checkTrainConfig (trainer.cpp)."""
    if c.steps < 1:
        raise ConfigError("steps must be at least 1")
    if not 1 <= c.batch <= 65536:
        raise ConfigError("batch must be between 1 and 65536")
    if not (c.lr > 0 and c.lr != float("inf")):
        raise ConfigError("lr must be a positive number")
    if c.eval_every < 1:
        raise ConfigError("eval-every must be at least 1")
    if c.warmup_steps < 0:
        raise ConfigError("warmup must not be negative")
    if c.eval_examples < 1:
        raise ConfigError("eval-examples must be at least 1")


def experiment_from_json(obj, where):
    """core's experimentFromJson: name, description, variants, seeds, model, task, train."""
    f = JsonFields(obj, where)
    e = Experiment(name=f.string("name", ""), description=f.string("description", ""))
    variants = f.raw("variants")
    if "variants" in obj:
        if not isinstance(variants, list):
            f.fail("variants", "must be an array of variant ids")
        for v in variants:
            if v not in VARIANTS:
                f.fail("variants", f"names no variant: '{v}'")
            e.variants.append(v)
    if not e.variants:
        f.fail("variants", "must name at least one variant")
    seeds = f.raw("seeds")
    if "seeds" in obj:
        if not isinstance(seeds, list):
            f.fail("seeds", "must be an array of seeds")
        for s in seeds:
            if isinstance(s, bool) or not isinstance(s, (int, float)) or s < 0 or s != int(s):
                f.fail("seeds", "must hold non-negative integers")
            e.seeds.append(int(s))
    e.base.model = model_from_json(f.object("model"), where + ": model")
    e.base.task = task_from_json(f.object("task"), where + ": task")
    e.base.train = train_from_json(f.object("train"), where + ": train")
    f.reject_unknown()
    return e


def load_experiment(path):
    try:
        with open(path, encoding="utf-8") as fh:
            obj = json.load(fh)
    except OSError as err:
        raise ConfigError(f"cannot read preset '{path}': {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise ConfigError(f"preset '{path}' is not valid JSON: {err.msg} at byte {err.pos}") \
            from None
    if not isinstance(obj, dict):
        raise ConfigError(f"preset '{path}' must be a JSON object")
    return experiment_from_json(obj, "preset " + path)


def run_name(variant, seed, several_seeds):
    return f"{variant}-seed{seed}" if several_seeds else variant


def expand_runs(e, dataset):
    """core's expandRuns: one RunConfig per seed and variant; the data decide arch, vocab and
    context (and fill a text task's alphabet)."""
    seeds = e.seeds or [e.base.train.seed]
    runs = []
    for seed in seeds:
        for v in e.variants:
            r = RunConfig(name=run_name(v, seed, len(seeds) > 1),
                          model=dataclasses.replace(e.base.model, variant=v),
                          task=dataclasses.replace(dataset.task),
                          train=dataclasses.replace(e.base.train, seed=seed))
            dataset.configure_model(r.model)
            validate(r.model)
            runs.append(r)
    return runs
