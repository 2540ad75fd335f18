"""QKV Lab's transformer in PyTorch (core/model/transformer.h/.cpp).

Pre-norm blocks x + attn(ln1(x)), h + mlp(ln2(h)), then ln_f and the output head (tied to the
token embedding, with `head_bias` when the layout has one, or a separate `lm_head`). Parameter
names, shapes and the order they are registered in are core's, so state dicts move between the
two sides by name, and `init_parameters` draws the same tensors from the same seed in the same
order as `TransformerImpl::initParameters`.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import Attention
from .config import ConfigError, validate
from .layers import Mlp, Norm, xavier_bound


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln1 = Norm(c.d_model, c.norm, c.norm_eps)
        self.attn = Attention(c)
        self.ln2 = Norm(c.d_model, c.norm, c.norm_eps)
        self.mlp = Mlp(c)
        self.dropout = c.dropout

    def forward(self, x, trace=None):
        # Dropout on the residual branches, only while training (core: with gradients on).
        def branch(t):
            return F.dropout(t, self.dropout, True) if self.training and self.dropout > 0 else t
        h = x + branch(self.attn(self.ln1(x), trace))
        return h + branch(self.mlp(self.ln2(h)))


class Transformer(nn.Module):
    """Decoder (causal LM) or encoder (per-position outputs) of any variant and layout."""

    def __init__(self, c, seed=None):
        super().__init__()
        validate(c)
        if c.arch == "vit":
            raise ConfigError("the Python package has no ViT (patch embedding); "
                              "train image tasks with qkvlab")
        self.cfg = c
        d = c.d_model
        # The root's own parameters come first in named_parameters (as in LibTorch), then the
        # submodules in the order they were assigned: tok_emb, blocks, ln_f, lm_head.
        if c.tied_head and c.head_bias:
            self.head_bias = nn.Parameter(torch.zeros(c.vocab))
        else:
            self.head_bias = None
        if c.positions == "learned":
            self.pos_emb = nn.Parameter(torch.zeros(c.sequence_length(), d))
        else:
            self.pos_emb = None
        self.tok_emb = nn.Embedding(c.vocab, d)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.ln_f = Norm(d, c.norm, c.norm_eps)
        self.lm_head = None if c.tied_head else nn.Linear(d, c.vocab, bias=c.head_bias)
        if seed is not None:
            self.init_parameters(seed)

    @torch.no_grad()
    def init_parameters(self, seed):
        """core's initParameters: N(0, 0.02); W_O, mlp proj and down N(0, 0.02/√(2L)) unless
        residual_scaled_init is false; biases zero; norm gains stay one; the positional bias
        keeps 1/p and 0 (relative) or takes xavier-uniform weights (absolute). One generator
        seeded with `seed`, tensors in registration order, as LibTorch draws them."""
        c = self.cfg
        gen = torch.Generator().manual_seed(int(seed))
        std = 0.02
        residual = 0.02 / math.sqrt(2.0 * c.layers) if c.residual_scaled_init else std
        for name, p in self.named_parameters():
            # Drawn on the CPU so that any device gets the same numbers.
            t = torch.empty(p.shape, dtype=torch.float32)
            if c.pos_bias and c.pos_bias_mode == "absolute" and "pos_bias.weight" in name:
                bound = xavier_bound(c.pos_bias_dim, 1)
                p.copy_(t.uniform_(-bound, bound, generator=gen))
                continue
            if ".ln" in name or name.startswith("ln_f") or "norm." in name or "pos_bias" in name:
                continue
            if name.endswith(".bias") or name == "head_bias":
                p.zero_()
            elif name.endswith(("o.weight", "proj.weight", "down.weight")):
                p.copy_(t.normal_(0.0, residual, generator=gen))
            else:
                p.copy_(t.normal_(0.0, std, generator=gen))

    def forward(self, tokens, traces=None):
        """tokens (B, T) int64 → logits (B, T, V). With a list `traces`, one dict per layer."""
        T = tokens.shape[1]
        if T > self.cfg.context:
            raise ValueError(f"input of {T} tokens is longer than the model's context "
                             f"({self.cfg.context})")
        x = self.tok_emb(tokens)
        if self.pos_emb is not None:
            x = x + self.pos_emb[:T]
        for block in self.blocks:
            trace = {} if traces is not None else None
            x = block(x, trace)
            if traces is not None:
                traces.append(trace)
        x = self.ln_f(x)
        if self.lm_head is not None:
            return self.lm_head(x)
        return F.linear(x, self.tok_emb.weight, self.head_bias)


def parameter_shapes(model):
    """[(name, shape)] in registration order, the content of a checkpoint."""
    return [(n, tuple(p.shape)) for n, p in model.named_parameters()]


def load_state(model, tensors, source="checkpoint"):
    """core's Model::loadState: every name present, none unknown, shapes equal; checked before
    anything is copied, so a refused file leaves the model as it was."""
    params = dict(model.named_parameters())
    for name in tensors:
        if name not in params:
            raise ValueError(f"{source}: tensor '{name}' does not belong to a "
                             f"{model.cfg.variant} model")
    for name, p in params.items():
        if name not in tensors:
            raise ValueError(f"{source}: lacks tensor '{name}'")
        if tuple(tensors[name].shape) != tuple(p.shape):
            raise ValueError(f"{source}: tensor '{name}' has shape {tuple(tensors[name].shape)}, "
                             f"the model expects {tuple(p.shape)}")
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(tensors[name].to(p.dtype))
    return model
