"""The small modules every block is built from (core/model/layers.h, core/model/rotary.h) and
the fixed tables of the positional bias (core/attention/attention.cpp).

Parameter names and registration order follow the C++ modules, because both the checkpoint
format and the seeded initialisation (which draws tensors in registration order) depend on them.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def linear(d_in, d_out, bias):
    """nn.Linear without initialisation cost: the transformer initialises from its seed."""
    return nn.Linear(d_in, d_out, bias=bias)


class RMSNorm(nn.Module):
    """x · rsqrt(mean(x²) + eps) · weight, the gain starting at one."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Norm(nn.Module):
    """LayerNorm (weight, bias) or RMSNorm (weight), as core's NormImpl."""

    def __init__(self, dim, kind, eps):
        super().__init__()
        self.kind, self.eps = kind, eps
        self.weight = nn.Parameter(torch.ones(dim))
        if kind == "layernorm":
            self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        if self.kind == "layernorm":
            return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Mlp(nn.Module):
    """fc/proj around a GELU (exact or tanh), or gate/up/down around SwiGLU."""

    def __init__(self, c):
        super().__init__()
        d, w, b = c.d_model, c.mlp_width(), c.mlp_bias
        self.kind = c.mlp
        if c.mlp == "swiglu":
            self.gate, self.up, self.down = linear(d, w, b), linear(d, w, b), linear(w, d, b)
        else:
            self.fc, self.proj = linear(d, w, b), linear(w, d, b)

    def forward(self, x):
        if self.kind == "swiglu":
            return self.down(F.silu(self.gate(x)) * self.up(x))
        approximate = "tanh" if self.kind == "gelu-tanh" else "none"
        return self.proj(F.gelu(self.fc(x), approximate=approximate))


class QueryMlp(nn.Module):
    """mlp-q's query map f(X) = LN(GELU(RMSNorm(X) W₁) W₂): RMSNorm eps 1e-6, exact GELU,
    LayerNorm eps 1e-5 (fixed, not the model's norm_eps), biases only with query_mlp_bias."""

    def __init__(self, d, bias):
        super().__init__()
        self.norm = RMSNorm(d)
        self.fc1 = linear(d, d // 2, bias)
        self.fc2 = linear(d // 2, d, bias)
        self.ln = Norm(d, "layernorm", 1e-5)

    def forward(self, x):
        return self.ln(self.fc2(F.gelu(self.fc1(self.norm(x)))))


class Rotary(nn.Module):
    """Rotary embeddings: pairs of a head's dimensions rotated by position · θ^(−2i/d_h).
    `half` pairs (i, i + d_h/2) (Hugging Face's rotate_half), `adjacent` pairs (2i, 2i + 1)
    (Meta's code, llama2.c). Angles in float64, tables in float32, as core's Rotary."""

    def __init__(self, head_dim, max_positions, theta, pairs, linear_scale=1.0):
        super().__init__()
        self.head_dim, self.pairs = head_dim, pairs
        half = head_dim // 2
        inverse = torch.pow(torch.tensor(theta, dtype=torch.float64),
                            -torch.arange(half, dtype=torch.float64) * 2.0 / head_dim)
        positions = torch.arange(max_positions, dtype=torch.float64) / linear_scale
        angles = positions.unsqueeze(1) * inverse
        # Not parameters and not saved: they follow from the configuration.
        self.register_buffer("cos", torch.cos(angles).float(), persistent=False)
        self.register_buffer("sin", torch.sin(angles).float(), persistent=False)

    def forward(self, rows, heads):
        """rows (B, T, n·d_h) → the same, rotated for positions 0..T−1."""
        B, T, dh, half = rows.shape[0], rows.shape[1], self.head_dim, self.head_dim // 2
        if T > self.cos.shape[0]:
            raise ValueError(f"position {T - 1} is past the rotary table of the model's "
                             f"context ({self.cos.shape[0]})")
        c = self.cos[:T].view(1, T, 1, half).to(rows.dtype)
        s = self.sin[:T].view(1, T, 1, half).to(rows.dtype)
        if self.pairs == "half":
            x = rows.reshape(B, T, heads, dh)
            x1, x2 = x[..., :half], x[..., half:]
            return torch.cat([x1 * c - x2 * s, x2 * c + x1 * s], -1).view(B, T, heads * dh)
        x = rows.reshape(B, T, heads, half, 2)
        a, b = x[..., 0], x[..., 1]
        return torch.stack([a * c - b * s, a * s + b * c], -1).view(B, T, heads * dh)


def relative_positional_table(max_t, p):
    """QKV Lab's table (T, T, p) of the signed offset i − j: p/2 sines, then p/2 cosines of
    (i − j)·10000^(−2m/p). The sines are odd, so the bias can tell i − 1 from i + 1."""
    half = p // 2
    pos = torch.arange(max_t, dtype=torch.float64)
    offset = pos.unsqueeze(1) - pos.unsqueeze(0)
    freq = torch.pow(torch.tensor(10000.0, dtype=torch.float64),
                     -2.0 * torch.arange(half, dtype=torch.float64) / p)
    angle = offset.unsqueeze(-1) * freq
    return torch.cat([torch.sin(angle), torch.cos(angle)], -1).float().contiguous()


def absolute_positional_table(max_t, p):
    """The published table (positional_encodings' PositionalEncoding2D(p)) of the absolute
    indices: c = 2·⌈p/4⌉ channels [sin(i f₀), cos(i f₀), sin(i f₁), …] of the row index i,
    then the same of the column index j, cut to p; f_k = 10000^(−2k/c)."""
    c = 2 * ((p + 3) // 4)
    freq = torch.pow(torch.tensor(10000.0, dtype=torch.float64),
                     -torch.arange(0, c, 2, dtype=torch.float64) / c)
    angle = torch.arange(max_t, dtype=torch.float64).unsqueeze(1) * freq
    interleaved = torch.stack([torch.sin(angle), torch.cos(angle)], -1).view(max_t, c)
    rows = interleaved.unsqueeze(1).expand(max_t, max_t, c)
    cols = interleaved.unsqueeze(0).expand(max_t, max_t, c)
    return torch.cat([rows, cols], -1)[..., :p].float().contiguous()


def positional_table(c):
    """The table of the configured mode, T_max = the model's sequence length."""
    make = absolute_positional_table if c.pos_bias_mode == "absolute" else \
        relative_positional_table
    return make(c.sequence_length(), c.pos_bias_dim)


def xavier_bound(fan_in, fan_out):
    return math.sqrt(6.0 / (fan_in + fan_out))
