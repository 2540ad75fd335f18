"""The model configuration of QKV Lab (core/model/model_config.h/.cpp) and its JSON form.

`ModelConfig` holds the same fields under the names config.json uses, `apply_family` and
`validate` follow core's rules, and `model_to_json` / `model_from_json` read and write the
"model" object of config.json and of presets (core/io/run_config_json.cpp), so a run folder
written by either side loads in the other.
"""

import dataclasses
import math

from .json_fields import ConfigError, JsonFields, qt_number

VARIANTS = ["qkv", "shared-kv", "shared-qk", "single", "identity-q", "mlp-q", "residual-q"]
ARCHS = ["decoder", "encoder", "vit"]
FAMILIES = ["qkvlab", "llama", "gpt2", "paper-gpt"]
NORMS = ["layernorm", "rmsnorm"]
POSITIONS = ["learned", "rotary", "none"]
ROPE_PAIRS = ["half", "adjacent"]
MLPS = ["gelu", "gelu-tanh", "swiglu"]
POS_BIAS_MODES = ["absolute", "relative"]
CHOICES = (("norm", NORMS, "norm"), ("positions", POSITIONS, "positions"),
           ("rope_pairs", ROPE_PAIRS, "rotary pairing"), ("mlp", MLPS, "MLP"),
           ("pos_bias_mode", POS_BIAS_MODES, "positional bias mode"))


# The predicates of core/attention/variant.h.
def has_query_projection(v):
    return v in ("qkv", "shared-kv", "residual-q")


def has_value_projection(v):
    return v not in ("shared-kv", "single")


def value_is_key(v):
    return v in ("shared-kv", "single")


def query_is_key(v):
    return v in ("shared-qk", "single")


def query_is_input(v):
    return v in ("identity-q", "residual-q")


@dataclasses.dataclass
class ModelConfig:
    """core's ModelConfig; field defaults are core's (the `qkvlab` family)."""
    arch: str = "encoder"
    variant: str = "qkv"
    d_model: int = 64
    layers: int = 2
    heads: int = 4
    kv_heads: int = 0  # 0 means g = H
    vocab: int = 10
    context: int = 32
    pos_bias: bool = False
    pos_bias_mode: str = "absolute"
    pos_bias_dim: int = 10
    image_size: int = 28
    patch_size: int = 7
    family: str = "qkvlab"
    head_dim_override: int = 0  # d_h when it is not d / H
    norm: str = "layernorm"
    norm_eps: float = 1e-5
    positions: str = "learned"
    rope_theta: float = 10000.0
    rope_pairs: str = "half"
    rope_linear_scale: float = 1.0
    mlp: str = "gelu"
    mlp_hidden: int = 0  # 0 means 4d
    attn_bias: bool = True
    mlp_bias: bool = True
    tied_head: bool = True
    head_bias: bool = True
    dropout: float = 0.0
    residual_scaled_init: bool = True
    identity_q_scale: float = 0.5
    query_mlp_bias: bool = False

    def head_dim(self):
        if self.head_dim_override > 0:
            return self.head_dim_override
        return self.d_model // self.heads if self.heads > 0 else 0

    def mlp_width(self):
        return self.mlp_hidden if self.mlp_hidden > 0 else 4 * self.d_model

    def kv_head_count(self):
        return self.kv_heads if self.kv_heads > 0 else self.heads

    def causal(self):
        return self.arch == "decoder"

    def sequence_length(self):
        if self.arch == "vit":
            side = self.image_size // self.patch_size if self.patch_size > 0 else 0
            return side * side + 1
        return self.context

    def logit_scale(self):
        """The factor of Q Kᵀ: 1/√d_h, times identity_q_scale when Q starts from X."""
        base = 1.0 / math.sqrt(self.head_dim())
        return self.identity_q_scale * base if query_is_input(self.variant) else base


def apply_family(c, family):
    """core's applyFamily: sets the block layout of a family, in place."""
    if family not in FAMILIES:
        raise ConfigError(f"unknown model family '{family}' (expected {', '.join(FAMILIES)})")
    d = ModelConfig()
    c.family, c.head_dim_override = family, 0
    c.norm, c.norm_eps, c.positions = d.norm, d.norm_eps, d.positions
    c.rope_theta, c.rope_pairs, c.rope_linear_scale = d.rope_theta, d.rope_pairs, 1.0
    c.mlp, c.mlp_hidden = d.mlp, 0
    c.attn_bias = c.mlp_bias = c.tied_head = c.head_bias = True
    c.dropout, c.residual_scaled_init = 0.0, True
    if family == "paper-gpt":
        c.head_bias, c.dropout, c.residual_scaled_init = False, 0.1, False
    elif family == "gpt2":
        c.mlp, c.head_bias = "gelu-tanh", False
    elif family == "llama":
        c.norm, c.positions, c.mlp = "rmsnorm", "rotary", "swiglu"
        # llama2.c's width rule: two thirds of 4d, rounded up to a multiple of 32.
        c.mlp_hidden = (2 * 4 * c.d_model // 3 + 31) // 32 * 32
        c.attn_bias = c.mlp_bias = c.head_bias = c.tied_head = False
    return c


def check_choices(c):
    for key, names, what in CHOICES:
        if getattr(c, key) not in names:
            raise ConfigError(f"unknown {what} '{getattr(c, key)}' (expected {', '.join(names)})")


def validate(c):
    """core's validate(ModelConfig): ConfigError naming the violated rule."""
    def fail(m):
        raise ConfigError(m)
    if c.arch not in ARCHS:
        fail(f"unknown architecture '{c.arch}' (expected decoder, encoder or vit)")
    if c.variant not in VARIANTS:
        fail(f"unknown variant '{c.variant}' (expected {', '.join(VARIANTS)})")
    check_choices(c)
    if not 0 < c.d_model <= 65536:
        fail("d-model must be between 1 and 65536")
    if not 0 < c.layers <= 256:
        fail("layers must be between 1 and 256")
    if c.heads <= 0:
        fail("heads must be at least 1")
    if not 0 <= c.head_dim_override <= 65536:
        fail("head dimension must be between 1 and 65536")
    if c.head_dim_override == 0 and c.d_model % c.heads != 0:
        fail(f"d-model ({c.d_model}) must be divisible by heads ({c.heads})")
    if c.positions == "rotary" and c.head_dim() % 2 != 0:
        fail(f"rotary embeddings need an even head dimension, got {c.head_dim()}")
    if c.positions == "rotary" and not (c.rope_theta > 1 and c.rope_linear_scale > 0):
        fail("rotary embeddings need a theta above 1 and a positive scale")
    if not 0 < c.norm_eps < 1:
        fail("the norm epsilon must be between 0 and 1")
    if not 0 <= c.mlp_hidden <= 1 << 20:
        fail("the MLP width must be between 1 and 1048576")
    if c.arch == "vit" and c.positions != "learned":
        fail("a ViT needs learned positions")
    g = c.kv_head_count()
    if g <= 0 or g > c.heads or c.heads % g != 0:
        fail(f"kv-heads ({g}) must divide heads ({c.heads})")
    if query_is_key(c.variant) and g != c.heads:
        fail(f"{c.variant} uses Q = K, so it needs kv-heads = heads ({c.heads}), got {g}")
    if not 2 <= c.vocab <= 1000000:
        fail("vocab must be between 2 and 1000000")
    if c.pos_bias and (c.pos_bias_dim < 2 or c.pos_bias_dim % 2 != 0):
        fail("the positional bias needs an even table width of at least 2")
    if c.arch == "vit":
        if c.patch_size <= 0 or c.image_size <= 0 or c.image_size % c.patch_size != 0:
            fail(f"image size ({c.image_size}) must be a multiple of patch size ({c.patch_size})")
    elif not 1 <= c.context <= 1 << 20:
        fail("context (seq-len) must be between 1 and 1048576")
    if c.variant == "mlp-q" and c.d_model < 2:
        fail("mlp-q needs d-model of at least 2")
    if not 0 <= c.dropout < 1:
        fail("dropout must be in [0, 1)")
    if not c.identity_q_scale > 0:
        fail("the identity-query scale must be positive")
    if query_is_input(c.variant) and c.heads * c.head_dim() != c.d_model:
        fail(f"{c.variant} starts its queries from X, so heads x head dimension must equal "
             f"d-model ({c.heads} x {c.head_dim()} != {c.d_model})")
    return c


def model_to_json(c):
    """core's toJson(ModelConfig): every field, head_dim and mlp_hidden spelled out."""
    o = {"arch": c.arch, "variant": c.variant, "d_model": c.d_model, "layers": c.layers,
         "heads": c.heads, "kv_heads": c.kv_head_count(), "vocab": c.vocab,
         "context": c.context, "pos_bias": c.pos_bias, "pos_bias_mode": c.pos_bias_mode,
         "pos_bias_dim": c.pos_bias_dim, "image_size": c.image_size,
         "patch_size": c.patch_size, "family": c.family, "head_dim": c.head_dim(),
         "norm": c.norm, "norm_eps": c.norm_eps, "positions": c.positions,
         "rope_theta": c.rope_theta, "rope_pairs": c.rope_pairs,
         "rope_linear_scale": c.rope_linear_scale, "mlp": c.mlp, "mlp_hidden": c.mlp_width(),
         "attn_bias": c.attn_bias, "mlp_bias": c.mlp_bias, "tied_head": c.tied_head,
         "head_bias": c.head_bias, "dropout": c.dropout,
         "residual_scaled_init": c.residual_scaled_init,
         "identity_q_scale": c.identity_q_scale, "query_mlp_bias": c.query_mlp_bias}
    return {k: qt_number(v) for k, v in o.items()}


def model_from_json(obj, where, run_folder=False, base=None):
    """core's readJson(ModelConfig) over `base` (defaults when None). A run folder's missing
    fields mean the definitions it was trained with; a preset may name a family."""
    c = dataclasses.replace(base) if base is not None else ModelConfig()
    f = JsonFields(obj, where)
    if run_folder:
        if "pos_bias_mode" not in obj:
            c.pos_bias_mode = "relative"
        if "identity_q_scale" not in obj:
            c.identity_q_scale = 1.0
        if "query_mlp_bias" not in obj:
            c.query_mlp_bias = True
    c.arch = f.string("arch", c.arch)
    if c.arch not in ARCHS:
        raise ConfigError(f"unknown architecture '{c.arch}' (expected decoder, encoder or vit)")
    c.variant = f.string("variant", c.variant)
    if c.variant not in VARIANTS:
        f.fail("variant", f"names no variant: '{c.variant}'")
    for key in ("d_model", "layers", "heads", "kv_heads", "vocab", "context", "pos_bias_dim",
                "image_size", "patch_size"):
        setattr(c, key, f.integer(key, getattr(c, key)))
    c.pos_bias = f.boolean("pos_bias", c.pos_bias)
    if not run_folder and "family" in obj:  # a preset's family sets the whole layout
        apply_family(c, f.string("family", c.family))
    c.family = f.string("family", c.family)
    head_dim = f.integer("head_dim", 0)
    for key in ("norm", "positions", "rope_pairs", "mlp", "pos_bias_mode"):
        setattr(c, key, f.string(key, getattr(c, key)))
    for key in ("norm_eps", "rope_theta", "rope_linear_scale", "dropout", "identity_q_scale"):
        setattr(c, key, f.number(key, getattr(c, key)))
    c.mlp_hidden = f.integer("mlp_hidden", c.mlp_hidden)
    for key in ("attn_bias", "mlp_bias", "tied_head", "head_bias", "residual_scaled_init",
                "query_mlp_bias"):
        setattr(c, key, f.boolean(key, getattr(c, key)))
    check_choices(c)
    # head_dim is always written; it overrides d / H only where it differs.
    c.head_dim_override = head_dim if head_dim > 0 and (
        c.heads <= 0 or head_dim * c.heads != c.d_model) else 0
    if c.mlp_hidden == 4 * c.d_model:
        c.mlp_hidden = 0
    f.reject_unknown()
    return c
