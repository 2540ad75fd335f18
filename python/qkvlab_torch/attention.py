"""Attention of every QKV Lab variant (core/attention/attention.cpp), written plainly.

Per layer: H query heads of width d_h, g key/value heads in contiguous groups (query head h
reads KV head h // (H/g)), logits Q Kᵀ · logit_scale, the optional positional bias
S′ = (Σw)·S + wᵀP + b before the mask, the causal mask for decoders, row softmax, W_O.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import has_query_projection, has_value_projection, value_is_key
from .layers import QueryMlp, Rotary, linear, positional_table


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.cfg = c
        self.H, self.g, self.dh = c.heads, c.kv_head_count(), c.head_dim()
        d, hd, kvd, b = c.d_model, self.H * self.dh, self.g * self.dh, c.attn_bias
        # Registration order is core's: q, qmlp, k, v, o, pos_bias (the seeded init and the
        # checkpoint's tensor order follow it). Absent projections stay absent.
        self.q = linear(d, hd, b) if has_query_projection(c.variant) else None
        self.qmlp = QueryMlp(d, c.query_mlp_bias) if c.variant == "mlp-q" else None
        self.k = linear(d, kvd, b)
        self.v = linear(d, kvd, b) if has_value_projection(c.variant) else None
        self.o = linear(hd, d, b)
        self.rotary = None
        if c.positions == "rotary":
            self.rotary = Rotary(self.dh, c.sequence_length(), c.rope_theta, c.rope_pairs,
                                 c.rope_linear_scale)
        self.pos_bias = None
        if c.pos_bias:
            self.pos_bias = linear(c.pos_bias_dim, 1, True)
            with torch.no_grad():  # Σw = 1: the logits keep their scale at step 0
                self.pos_bias.weight.fill_(1.0 / c.pos_bias_dim)
                self.pos_bias.bias.zero_()
            self.register_buffer("table", positional_table(c), persistent=False)

    def query_rows(self, x, key_rows):
        """(B, T, H·d_h): the query of each variant, before rotation."""
        v = self.cfg.variant
        if v in ("shared-qk", "single"):
            return key_rows  # g = H, so K already has every query head
        if v == "identity-q":
            return x
        if v == "residual-q":
            return x + self.q(x)
        if v == "mlp-q":
            return (x + self.qmlp(x)) * 0.5
        return self.q(x)

    def forward(self, x, trace=None):
        """x (B, T, d) → (B, T, d). With a dict `trace`, records q, k, v, logits, attn."""
        B, T, _ = x.shape
        H, g, dh = self.H, self.g, self.dh
        k_rows = self.k(x)
        q_rows = self.query_rows(x, k_rows)
        v_rows = k_rows if value_is_key(self.cfg.variant) else self.v(x)  # never rotated
        if self.rotary is not None:
            q_rows, k_rows = self.rotary(q_rows, H), self.rotary(k_rows, g)
        q = q_rows.reshape(B, T, H, dh).transpose(1, 2)   # (B, H, T, d_h)
        k = k_rows.reshape(B, T, g, dh).transpose(1, 2)   # (B, g, T, d_h)
        v = v_rows.reshape(B, T, g, dh).transpose(1, 2)   # (B, g, T, d_h)
        r = H // g
        # Broadcasting over the group axis: query heads [j·r, (j+1)·r) read KV head j.
        logits = torch.matmul(q.reshape(B, g, r, T, dh), k.unsqueeze(2).transpose(-2, -1))
        logits = (logits * self.cfg.logit_scale()).reshape(B, H, T, T)
        if self.pos_bias is not None:
            w = self.pos_bias.weight.view(-1)
            table = self.table[:T, :T].to(logits.dtype)
            logits = logits * w.sum() + (torch.matmul(table, w.to(logits.dtype))
                                         + self.pos_bias.bias)
        masked = logits
        if self.cfg.causal():
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            masked = logits.masked_fill(mask, float("-inf"))
        attn = F.softmax(masked, dim=-1)
        y = torch.matmul(attn.reshape(B, g, r, T, T), v.unsqueeze(2))  # (B, g, r, T, d_h)
        y = y.reshape(B, H, T, dh).transpose(1, 2).reshape(B, T, H * dh)
        if trace is not None:
            trace.update(q=q, k=k, v=v, logits=logits, attn=attn)
        return self.o(y)
