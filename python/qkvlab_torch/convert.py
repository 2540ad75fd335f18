"""Converts checkpoints of the paper's official code and of nanoGPT into QKV Lab run folders:
`python -m qkvlab_torch.convert CKPT.pt --out RUN`.

Both are GPT-2 layouts saved with torch.save, loaded here by the restricted unpickler (no
pickled code runs). The official code (docs/DESIGN.md §2) saves {step, model_state_dict,
model_config, train_config, …}; nanoGPT saves {model, model_args, …}. Keys may carry DDP's
`module.` or torch.compile's `_orig_mod.` prefixes; nanoGPT's sit under `transformer.`. Weights
are nn.Linear's (out, in). The attention variant and the number g of key/value heads are
inferred from which packed projections a layer has and their shapes:

    c_attn [Q; K; V]        qkv (g from the width: d + 2·g·d_h)
    c_q + c_k               shared-kv (Q-K=V; g·d_h rows: Q-GQA, Q-MQA)
    c_kv [K; V] alone       shared-qk (Q=K-V)
    c_k alone               single (Q=K=V)
    c_q + c_kv [K_g; V_g]   qkv with GQA / MQA
    c_q + c_k + c_v         qkv

The result is QKV Lab's paper-gpt layout (pre-LN, learned positions, exact-GELU MLP, tied head
without bias unless the source has an untied one). Causal-mask buffers (`attn.bias`,
`attn.masked_bias`) are dropped; any other unused tensor is an error.
"""

import argparse
import os
import pickle
import re
import sys

import torch

from . import run_folder as rf
from .config import ModelConfig, apply_family
from .json_fields import ConfigError
from .model import Transformer, load_state
from .run_config import RunConfig, TaskConfig
from .torch_pickle import load_checkpoint

PREFIXES = ("module.", "_orig_mod.")
DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
               torch.float64: "F64"}


def strip_prefixes(state):
    out = {}
    for name, t in state.items():
        while name.startswith(PREFIXES):
            name = name.split(".", 1)[1]
        out[name] = t
    return out


def detect(obj, path):
    """("paper-lm" | "nanogpt", state dict, config dict) of a loaded checkpoint."""
    if isinstance(obj, dict) and isinstance(obj.get("model_state_dict"), dict):
        cfg = obj.get("model_config")
        if not isinstance(cfg, dict):
            raise ConfigError(f"{path}: the official layout needs a model_config dict")
        return "paper-lm", strip_prefixes(obj["model_state_dict"]), cfg
    if isinstance(obj, dict) and isinstance(obj.get("model"), dict) and \
            isinstance(obj.get("model_args"), dict):
        return "nanogpt", strip_prefixes(obj["model"]), obj["model_args"]
    keys = sorted(obj)[:8] if isinstance(obj, dict) else type(obj).__name__
    raise ConfigError(f"{path}: neither the paper's checkpoint (model_state_dict + model_config) "
                      f"nor nanoGPT's (model + model_args); found {keys}")


def first(cfg, *names, default=None):
    for n in names:
        if n in cfg and cfg[n] is not None:
            return cfg[n]
    return default


def infer_attention(state, layer, d, dh):
    """(variant, g, {qkvlab suffix: tensor}) of one layer's packed projections."""
    p = f"h.{layer}.attn."
    has = {n for n in ("c_attn", "c_q", "c_k", "c_kv", "c_v") if p + n + ".weight" in state}

    def rows(name, part):  # part: (first row, count) of the packed weight and bias
        out = {"weight": state[p + name + ".weight"][part[0]:part[0] + part[1]]}
        if p + name + ".bias" in state:
            out["bias"] = state[p + name + ".bias"][part[0]:part[0] + part[1]]
        return out

    def width(name):
        return state[p + name + ".weight"].shape[0]
    if has == {"c_attn"}:
        kvd = (width("c_attn") - d) // 2
        variant, parts = "qkv", {"q": ("c_attn", (0, d)), "k": ("c_attn", (d, kvd)),
                                 "v": ("c_attn", (d + kvd, kvd))}
    elif has == {"c_q", "c_k"}:
        kvd = width("c_k")
        variant, parts = "shared-kv", {"q": ("c_q", (0, d)), "k": ("c_k", (0, kvd))}
    elif has == {"c_kv"}:
        kvd = width("c_kv") // 2
        variant, parts = "shared-qk", {"k": ("c_kv", (0, kvd)), "v": ("c_kv", (kvd, kvd))}
    elif has == {"c_k"}:
        kvd = width("c_k")
        variant, parts = "single", {"k": ("c_k", (0, kvd))}
    elif has == {"c_q", "c_kv"}:
        kvd = width("c_kv") // 2
        variant, parts = "qkv", {"q": ("c_q", (0, d)), "k": ("c_kv", (0, kvd)),
                                 "v": ("c_kv", (kvd, kvd))}
    elif has == {"c_q", "c_k", "c_v"}:
        kvd = width("c_k")
        variant, parts = "qkv", {"q": ("c_q", (0, d)), "k": ("c_k", (0, kvd)),
                                 "v": ("c_v", (0, kvd))}
    else:
        raise ConfigError(f"layer {layer}: no known packing of attention projections "
                          f"(found {sorted(has) or 'none'})")
    if kvd <= 0 or kvd % dh != 0:
        raise ConfigError(f"layer {layer}: key/value width {kvd} is not a multiple of the "
                          f"head width {dh}")
    used = {p + n + s for n in has for s in (".weight", ".bias")}
    tensors = {}
    for target, (source, part) in parts.items():
        for kind, t in rows(source, part).items():
            tensors[f"{target}.{kind}"] = t
    return variant, kvd // dh, tensors, used


def convert_state(kind, state, cfg, path):
    """(ModelConfig, {qkvlab name: tensor}) from a GPT-2-layout state dict."""
    root = "transformer." if any(k.startswith("transformer.") for k in state) else ""
    state = {k[len(root):] if k.startswith(root) else k: v for k, v in state.items()}
    if "wte.weight" not in state:
        raise ConfigError(f"{path}: no token embedding (wte.weight) in the state dict")
    vocab, d = state["wte.weight"].shape
    layers = len({int(m.group(1)) for m in map(re.compile(r"^h\.(\d+)\.").match, state) if m})
    heads = int(first(cfg, "n_head", "num_attention_heads"))
    if kind == "nanogpt":
        use_bias, tied, eps = bool(first(cfg, "bias", default=True)), True, 1e-5
        dropout, inner = float(first(cfg, "dropout", default=0.0)), 4 * d
    else:
        use_bias = bool(first(cfg, "use_bias", "bias", default=True))
        tied = bool(first(cfg, "tie_word_embeddings", default=True))
        eps = float(first(cfg, "layer_norm_epsilon", "layer_norm_eps", default=1e-5))
        dropout = float(first(cfg, "resid_pdrop", "dropout", default=0.1))
        inner = int(first(cfg, "n_inner", default=4 * d))
    if int(first(cfg, "n_embd", default=d)) != d or int(first(cfg, "n_layer", default=layers)) \
            != layers:
        raise ConfigError(f"{path}: the config's n_embd/n_layer do not match the weights")
    dh = d // heads
    c = ModelConfig(arch="decoder", d_model=d, layers=layers, heads=heads, vocab=vocab,
                    context=state["wpe.weight"].shape[0])
    apply_family(c, "paper-gpt")
    c.norm_eps, c.mlp_hidden = eps, inner if inner != 4 * d else 0
    c.attn_bias = c.mlp_bias = use_bias
    c.tied_head, c.dropout = tied, dropout
    act = str(first(cfg, "activation_function", "activation", default="gelu"))
    c.mlp = "gelu-tanh" if act in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast") else "gelu"
    out = {"tok_emb.weight": state["wte.weight"], "pos_emb": state["wpe.weight"]}
    used = {"wte.weight", "wpe.weight"}
    variants = set()
    for n in range(layers):
        variant, g, attn, attn_used = infer_attention(state, n, d, dh)
        variants.add((variant, g))
        used |= attn_used
        for name, t in attn.items():
            out[f"blocks.{n}.attn.{name}"] = t
        pairs = {"ln1": "ln_1", "ln2": "ln_2", "attn.o": "attn.c_proj", "mlp.fc": "mlp.c_fc",
                 "mlp.proj": "mlp.c_proj"}
        for ours, theirs in pairs.items():
            for s in ("weight", "bias"):
                if f"h.{n}.{theirs}.{s}" in state:
                    out[f"blocks.{n}.{ours}.{s}"] = state[f"h.{n}.{theirs}.{s}"]
                    used.add(f"h.{n}.{theirs}.{s}")
    for s in ("weight", "bias"):
        if f"ln_f.{s}" in state:
            out[f"ln_f.{s}"] = state[f"ln_f.{s}"]
            used.add(f"ln_f.{s}")
    if len(variants) != 1:
        raise ConfigError(f"{path}: the layers use different attention layouts {sorted(variants)}")
    c.variant, g = variants.pop()
    c.kv_heads = g
    if "lm_head.weight" in state:
        used.add("lm_head.weight")
        if not tied:
            out["lm_head.weight"] = state["lm_head.weight"]
        elif not torch.equal(state["lm_head.weight"], state["wte.weight"]):
            raise ConfigError(f"{path}: tie_word_embeddings is set but lm_head.weight differs "
                              "from wte.weight")
    ignorable = re.compile(r"^h\.\d+\.attn\.(bias|masked_bias)$")
    unused = sorted(k for k in state if k not in used and not ignorable.match(k))
    if unused:
        raise ConfigError(f"{path}: tensors QKV Lab has no place for: {', '.join(unused[:6])}")
    return c, out


def convert(path, out_folder, name=None):
    """Converts a checkpoint into a run folder; returns (RunConfig, model)."""
    kind, state, cfg = detect(load_checkpoint(path), path)
    tensors = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
    model_cfg, weights = convert_state(kind, tensors, cfg, path)
    dtypes = {t.dtype for t in weights.values()}
    model = Transformer(model_cfg)
    # A layout without LayerNorm biases (nanoGPT's bias=False) is QKV Lab's with zero biases.
    for pname, p in model.named_parameters():
        if pname not in weights and pname.endswith(".bias") and (
                ".ln" in pname or pname.startswith("ln_f")):
            weights[pname] = torch.zeros(p.shape)
    load_state(model, {k: v.float() for k, v in weights.items()}, path)
    run = RunConfig(name=name or os.path.splitext(os.path.basename(path))[0], model=model_cfg,
                    task=TaskConfig(kind="text", seq_len=model_cfg.context),
                    origin={"format": kind, "path": os.path.abspath(path),
                            "dtype": DTYPE_NAMES.get(dtypes.pop(), "other")
                            if len(dtypes) == 1 else "mixed"})
    rf.save_converted_run(out_folder, run, model)
    return run, model


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m qkvlab_torch.convert",
                                 description="Convert a checkpoint of the paper's code or of "
                                             "nanoGPT into a QKV Lab run folder.")
    ap.add_argument("checkpoint", help="a torch.save file (.pt)")
    ap.add_argument("--out", required=True, help="the run folder to write")
    ap.add_argument("--name", help="the run's name (default: the file's name)")
    ap.add_argument("--overwrite", action="store_true", help="replace an existing run folder")
    args = ap.parse_args(argv)
    try:
        if os.path.exists(os.path.join(args.out, "config.json")) and not args.overwrite:
            raise ConfigError(f"'{args.out}' already holds a run; give --overwrite to replace it")
        run, model = convert(args.checkpoint, args.out, args.name)
    except (ConfigError, ValueError, IOError, pickle.UnpicklingError) as err:
        print(f"qkvlab_torch.convert: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    c = run.model
    print(f"{args.out}: {run.origin['format']} → {c.variant}, {c.layers} layers, d {c.d_model}, "
          f"{c.heads} heads, {c.kv_head_count()} KV heads, vocab {c.vocab}, context {c.context}, "
          f"{sum(p.numel() for p in model.parameters()):,} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
