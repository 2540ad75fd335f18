"""The model: parameter names and shapes as QKV Lab's C++ core names them, initialisation rules,
and the attention arithmetic against a naive restatement of docs/DESIGN.md §2."""

import math
import unittest

import torch
import torch.nn.functional as F

from tests import support  # noqa: F401  (one torch thread)
from qkvlab_torch.config import VARIANTS, ModelConfig, apply_family, validate
from qkvlab_torch.json_fields import ConfigError
from qkvlab_torch.layers import absolute_positional_table, relative_positional_table
from qkvlab_torch.model import Transformer


def expected_parameters(c):
    """[(name, shape)] in core's registration order, restated from docs/DESIGN.md §6.2,
    core/model/transformer.cpp (root parameters, then tok_emb, blocks, ln_f, lm_head) and
    core/model/model_summary.cpp attentionParameterShapes."""
    d, H, g, dh, w, V = c.d_model, c.heads, c.kv_head_count(), c.head_dim(), c.mlp_width(), c.vocab
    out = []
    if c.tied_head and c.head_bias:
        out.append(("head_bias", (V,)))
    if c.positions == "learned":
        out.append(("pos_emb", (c.context, d)))
    out.append(("tok_emb.weight", (V, d)))

    def norm(name):
        out.append((name + ".weight", (d,)))
        if c.norm == "layernorm":
            out.append((name + ".bias", (d,)))

    def linear(name, n_in, n_out, bias):
        out.append((name + ".weight", (n_out, n_in)))
        if bias:
            out.append((name + ".bias", (n_out,)))
    for n in range(c.layers):
        p = f"blocks.{n}."
        norm(p + "ln1")
        a = p + "attn."
        if c.variant in ("qkv", "shared-kv", "residual-q"):
            linear(a + "q", d, H * dh, c.attn_bias)
        if c.variant == "mlp-q":
            out.append((a + "qmlp.norm.weight", (d,)))
            linear(a + "qmlp.fc1", d, d // 2, c.query_mlp_bias)
            linear(a + "qmlp.fc2", d // 2, d, c.query_mlp_bias)
            out += [(a + "qmlp.ln.weight", (d,)), (a + "qmlp.ln.bias", (d,))]
        linear(a + "k", d, g * dh, c.attn_bias)
        if c.variant in ("qkv", "shared-qk", "identity-q", "mlp-q", "residual-q"):
            linear(a + "v", d, g * dh, c.attn_bias)
        linear(a + "o", H * dh, d, c.attn_bias)
        if c.pos_bias:
            linear(a + "pos_bias", c.pos_bias_dim, 1, True)
        norm(p + "ln2")
        if c.mlp == "swiglu":
            for name, n_in, n_out in (("gate", d, w), ("up", d, w), ("down", w, d)):
                linear(p + "mlp." + name, n_in, n_out, c.mlp_bias)
        else:
            linear(p + "mlp.fc", d, w, c.mlp_bias)
            linear(p + "mlp.proj", w, d, c.mlp_bias)
    norm("ln_f")
    if not c.tied_head:
        linear("lm_head", d, V, c.head_bias)
    return out


def config(variant, family="qkvlab", mode="relative", arch="decoder", **kw):
    c = ModelConfig(arch=arch, variant=variant, d_model=16, layers=2, heads=4, vocab=11,
                    context=8, pos_bias=True, pos_bias_mode=mode)
    apply_family(c, family)
    for k, v in kw.items():
        setattr(c, k, v)
    return validate(c)


def naive_attention(attn, x):
    """docs/DESIGN.md §2 restated with K and V copied to every query head."""
    c = attn.cfg
    B, T, _ = x.shape
    H, g, dh = c.heads, c.kv_head_count(), c.head_dim()
    k = attn.k(x)
    q = {"shared-qk": k, "single": k, "identity-q": x, "residual-q": None}.get(c.variant)
    if c.variant == "residual-q":
        q = x + attn.q(x)
    elif c.variant == "mlp-q":
        q = (x + attn.qmlp(x)) / 2
    elif q is None:
        q = attn.q(x)
    v = k if c.variant in ("shared-kv", "single") else attn.v(x)
    q = q.view(B, T, H, dh).transpose(1, 2)
    k = k.view(B, T, g, dh).transpose(1, 2).repeat_interleave(H // g, dim=1)
    v = v.view(B, T, g, dh).transpose(1, 2).repeat_interleave(H // g, dim=1)
    scale = 1 / math.sqrt(dh) * (c.identity_q_scale if c.variant in ("identity-q", "residual-q")
                                 else 1)
    s = q @ k.transpose(-1, -2) * scale
    if attn.pos_bias is not None:  # S′_ij = w·(S_ij·1 + P_ij) + b
        P = attn.table[:T, :T]
        w, b = attn.pos_bias.weight.view(-1), attn.pos_bias.bias
        s = ((s.unsqueeze(-1) + P) * w).sum(-1) + b
    if c.causal():
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    y = F.softmax(s, -1) @ v
    return attn.o(y.transpose(1, 2).reshape(B, T, H * dh))


class ParameterNames(unittest.TestCase):
    def test_every_variant_family_and_mode_has_cores_names_and_shapes(self):
        for variant in VARIANTS:
            for family in ("qkvlab", "paper-gpt", "llama"):
                for mode in ("absolute", "relative"):
                    for kv in ((4, 2, 1) if variant not in ("shared-qk", "single") else (4,)):
                        with self.subTest(variant=variant, family=family, mode=mode, kv=kv):
                            c = config(variant, family, mode, kv_heads=kv)
                            got = [(n, tuple(p.shape)) for n, p in
                                   Transformer(c, seed=1).named_parameters()]
                            self.assertEqual(got, expected_parameters(c))

    def test_state_dict_holds_parameters_only(self):
        m = Transformer(config("qkv", "llama"), seed=1)  # rotary and table buffers are derived
        self.assertEqual(list(m.state_dict()), [n for n, _ in m.named_parameters()])

    def test_rules_of_validate(self):
        for bad in (dict(variant="shared-qk", kv_heads=2), dict(kv_heads=3),
                    dict(variant="identity-q", head_dim_override=8), dict(pos_bias_dim=3)):
            with self.subTest(**bad), self.assertRaises(ConfigError):
                config(bad.pop("variant", "qkv"), **bad)


class Initialisation(unittest.TestCase):
    def test_core_rules(self):
        c = config("mlp-q", "qkvlab", "relative", layers=8)
        m = Transformer(c, seed=3)
        p = dict(m.named_parameters())
        self.assertTrue(torch.equal(p["blocks.0.ln1.weight"], torch.ones(16)))
        self.assertTrue(torch.equal(p["head_bias"], torch.zeros(11)))
        self.assertTrue(torch.equal(p["blocks.0.attn.pos_bias.weight"], torch.full((1, 10), 0.1)))
        self.assertTrue(torch.equal(p["blocks.0.attn.qmlp.norm.weight"], torch.ones(16)))
        big = Transformer(config("qkv", d_model=256, heads=4, layers=8, vocab=2000), seed=3)
        q = dict(big.named_parameters())
        self.assertAlmostEqual(q["tok_emb.weight"].std().item(), 0.02, delta=0.001)
        self.assertAlmostEqual(q["blocks.0.mlp.proj.weight"].std().item(), 0.02 / 4, delta=0.0005)
        plain = Transformer(config("qkv", "paper-gpt", d_model=256, layers=8), seed=3)
        self.assertAlmostEqual(dict(plain.named_parameters())["blocks.0.attn.o.weight"]
                               .std().item(), 0.02, delta=0.002)

    def test_absolute_bias_is_xavier_uniform_and_seeded(self):
        a = Transformer(config("single", mode="absolute"), seed=5)
        b = Transformer(config("single", mode="absolute"), seed=5)
        w = dict(a.named_parameters())["blocks.1.attn.pos_bias.weight"]
        self.assertLessEqual(w.abs().max().item(), math.sqrt(6 / 11))
        self.assertFalse(torch.allclose(w, torch.full_like(w, 0.1)))
        for (n, x), (_, y) in zip(a.named_parameters(), b.named_parameters()):
            self.assertTrue(torch.equal(x, y), n)


class AttentionArithmetic(unittest.TestCase):
    def test_every_variant_matches_the_naive_definition(self):
        torch.manual_seed(0)
        x = torch.randn(2, 8, 16)
        for variant in VARIANTS:
            for kv in ((4, 2, 1) if variant not in ("shared-qk", "single") else (4,)):
                for mode in ("absolute", "relative"):
                    for arch in ("decoder", "encoder"):
                        c = config(variant, mode=mode, arch=arch, kv_heads=kv)
                        attn = Transformer(c, seed=2).blocks[0].attn
                        with torch.no_grad():
                            attn.pos_bias.weight.normal_()  # a bias that matters
                            got, want = attn(x), naive_attention(attn, x)
                        with self.subTest(variant=variant, kv=kv, mode=mode, arch=arch):
                            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)

    def test_causal_outputs_ignore_the_future(self):
        m = Transformer(config("shared-kv", "llama", kv_heads=2), seed=1).eval()
        t = torch.randint(0, 11, (1, 8))
        u = t.clone()
        u[0, 5:] = (u[0, 5:] + 1) % 11
        with torch.no_grad():
            torch.testing.assert_close(m(t)[0, :5], m(u)[0, :5])

    def test_tables(self):
        rel = relative_positional_table(5, 4)
        self.assertAlmostEqual(rel[3, 1, 0].item(), math.sin(2.0), places=6)   # sin((i−j)·1)
        self.assertAlmostEqual(rel[1, 3, 0].item(), -math.sin(2.0), places=6)  # odd in i − j
        self.assertAlmostEqual(rel[3, 1, 3].item(), math.cos(2 * 0.01), places=6)
        ab = absolute_positional_table(5, 10)  # c = 6: three sin/cos pairs of i, two of j
        self.assertAlmostEqual(ab[3, 1, 0].item(), math.sin(3), places=6)
        self.assertAlmostEqual(ab[3, 1, 1].item(), math.cos(3), places=6)
        self.assertAlmostEqual(ab[3, 1, 2].item(), math.sin(3 * 10000 ** (-2 / 6)), places=6)
        self.assertAlmostEqual(ab[3, 1, 6].item(), math.sin(1), places=6)
        self.assertAlmostEqual(ab[3, 1, 9].item(), math.cos(1 * 10000 ** (-2 / 6)), places=6)

    def test_rotary_pairings_are_one_model_up_to_a_permutation(self):
        half = Transformer(config("qkv", "llama"), seed=4).blocks[0].attn.rotary
        adj = Transformer(config("qkv", "llama", rope_pairs="adjacent"),
                          seed=4).blocks[0].attn.rotary
        rows = torch.randn(1, 8, 4 * 4)
        perm = torch.tensor([0, 2, 1, 3])  # adjacent (2i, 2i+1) ↔ half (i, i + d_h/2), d_h = 4
        to_adj = rows.view(1, 8, 4, 4)[..., perm].reshape(1, 8, 16)
        back = adj(to_adj, 4).view(1, 8, 4, 4)[..., perm].reshape(1, 8, 16)
        torch.testing.assert_close(half(rows, 4), back)
        self.assertAlmostEqual(half(rows, 4)[0, 0].norm().item(), rows[0, 0].norm().item(), 5)


if __name__ == "__main__":
    unittest.main()
