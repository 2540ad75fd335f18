"""The converter: checkpoints in the paper's official layout (every packing of its attention
variants) and in nanoGPT's, written with torch.save, converted, and compared by their logits
with a forward pass written here from the layout's description; and pickles that need code
refused before anything runs."""

import math
import os
import tempfile
import unittest

import torch
import torch.nn.functional as F

from tests import support
from qkvlab_torch import run_folder as rf
from qkvlab_torch.convert import convert
from qkvlab_torch.torch_pickle import UnsafePickleError, load_checkpoint

D, H, L, V, T = 16, 4, 2, 23, 12
DH = D // H


def linear(gen, n_out, n_in, bias=True):
    w = {"weight": torch.randn(n_out, n_in, generator=gen) * 0.2}
    if bias:
        w["bias"] = torch.randn(n_out, generator=gen) * 0.1
    return w


def official_state(packing, g=H, bias=True, tied=True, seed=0):
    """A GPT-2-layout state dict as the paper's code saves it (nn.Linear weights (out, in))."""
    gen = torch.Generator().manual_seed(seed)
    kvd = g * DH
    attn = {"qkv": {"c_attn": 3 * D}, "shared-kv": {"c_q": D, "c_k": kvd},
            "shared-qk": {"c_kv": 2 * D}, "single": {"c_k": D},
            "gqa": {"c_q": D, "c_kv": 2 * kvd}}[packing]
    s = {"wte.weight": torch.randn(V, D, generator=gen),
         "wpe.weight": torch.randn(T, D, generator=gen)}
    for n in range(L):
        p = f"h.{n}."
        for ln in ("ln_1", "ln_2"):
            s[p + ln + ".weight"] = 1 + 0.1 * torch.randn(D, generator=gen)
            if bias:
                s[p + ln + ".bias"] = 0.1 * torch.randn(D, generator=gen)
        for name, rows in attn.items():
            for k, v in linear(gen, rows, D, bias).items():
                s[f"{p}attn.{name}.{k}"] = v
        for name, (o, i) in {"attn.c_proj": (D, D), "mlp.c_fc": (4 * D, D),
                             "mlp.c_proj": (D, 4 * D)}.items():
            for k, v in linear(gen, o, i, bias).items():
                s[f"{p}{name}.{k}"] = v
        s[p + "attn.bias"] = torch.tril(torch.ones(T, T)).view(1, 1, T, T)  # the mask buffer
    s["ln_f.weight"] = 1 + 0.1 * torch.randn(D, generator=gen)
    if bias:
        s["ln_f.bias"] = 0.1 * torch.randn(D, generator=gen)
    s["lm_head.weight"] = s["wte.weight"] if tied else torch.randn(V, D, generator=gen)
    return s


def official_forward(s, tokens, g=H):
    """The layout's forward pass, from its description: pre-LN GPT-2, exact GELU, causal."""
    def lin(x, name):
        return F.linear(x, s[name + ".weight"], s.get(name + ".bias"))

    def ln(x, name):
        return F.layer_norm(x, (D,), s[name + ".weight"], s.get(name + ".bias"), 1e-5)
    x = s["wte.weight"][tokens] + s["wpe.weight"][:tokens.shape[1]]
    B, n = tokens.shape
    kvd = g * DH
    for layer in range(L):
        p = f"h.{layer}."
        h = ln(x, p + "ln_1")
        if p + "attn.c_attn.weight" in s:
            q, k, v = lin(h, p + "attn.c_attn").split([D, kvd, kvd], -1)
        elif p + "attn.c_kv.weight" in s and p + "attn.c_q.weight" not in s:
            k, v = lin(h, p + "attn.c_kv").split([D, D], -1)
            q = k
        elif p + "attn.c_kv.weight" in s:
            q = lin(h, p + "attn.c_q")
            k, v = lin(h, p + "attn.c_kv").split([kvd, kvd], -1)
        elif p + "attn.c_q.weight" in s:
            q, k = lin(h, p + "attn.c_q"), lin(h, p + "attn.c_k")
            v = k
        else:
            q = k = v = lin(h, p + "attn.c_k")
        q = q.view(B, n, H, DH).transpose(1, 2)
        k = k.view(B, n, g, DH).transpose(1, 2).repeat_interleave(H // g, 1)
        v = v.view(B, n, g, DH).transpose(1, 2).repeat_interleave(H // g, 1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(DH)
        att = att.masked_fill(s[p + "attn.bias"][0, 0, :n, :n] == 0, float("-inf"))
        y = (F.softmax(att, -1) @ v).transpose(1, 2).reshape(B, n, D)
        x = x + lin(y, p + "attn.c_proj")
        x = x + lin(F.gelu(lin(ln(x, p + "ln_2"), p + "mlp.c_fc")), p + "mlp.c_proj")
    return F.linear(ln(x, "ln_f"), s["lm_head.weight"])


def paper_checkpoint(state, tied=True, bias=True):
    return {"step": 500, "epoch": 0, "tokens_seen": 123456,
            "model_state_dict": {"module." + k: v for k, v in state.items()},
            "val_metrics": {"loss": 3.058, "perplexity": 21.28},
            "model_config": {"vocab_size": V, "n_positions": T, "n_layer": L, "n_embd": D,
                             "n_head": H, "n_inner": None, "layer_norm_epsilon": 1e-5,
                             "use_bias": bias, "tie_word_embeddings": tied, "dropout": 0.1},
            "train_config": {"learning_rate": 2e-4, "betas": (0.9, 0.95), "weight_decay": 0.1,
                             "output_dir": "./out", "warmup_steps": 500}}


class Evil:
    def __reduce__(self):
        return os.system, (f"touch {Evil.marker}",)


class PlainConfig:
    """A custom class: unpickling it needs its module's code."""


class Converter(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.tokens = torch.randint(0, V, (2, T), generator=torch.Generator().manual_seed(1))

    def convert_and_compare(self, ckpt, state, g, expect):
        path = os.path.join(self.tmp.name, "ckpt.pt")
        torch.save(ckpt, path)
        out = os.path.join(self.tmp.name, "run")
        convert(path, out)
        run, model = rf.load_run_model(out)
        self.assertEqual((run.model.variant, run.model.kv_head_count()), expect)
        self.assertEqual(run.origin["path"], os.path.abspath(path))
        with torch.no_grad():
            torch.testing.assert_close(model.eval()(self.tokens),
                                       official_forward(state, self.tokens, g),
                                       rtol=1e-5, atol=1e-5)
        return run

    def test_every_official_packing(self):
        cases = [("qkv", H, ("qkv", H)), ("shared-kv", H, ("shared-kv", H)),
                 ("shared-qk", H, ("shared-qk", H)), ("single", H, ("single", H)),
                 ("gqa", 2, ("qkv", 2)), ("gqa", 1, ("qkv", 1)),
                 ("shared-kv", 2, ("shared-kv", 2)), ("shared-kv", 1, ("shared-kv", 1))]
        for packing, g, expect in cases:
            with self.subTest(packing=packing, g=g):
                state = official_state(packing, g)
                run = self.convert_and_compare(paper_checkpoint(state), state, g, expect)
                self.assertEqual((run.model.family, run.model.head_bias, run.model.tied_head),
                                 ("paper-gpt", False, True))

    def test_untied_head_without_biases(self):
        state = official_state("qkv", bias=False, tied=False)
        run = self.convert_and_compare(paper_checkpoint(state, tied=False, bias=False), state,
                                       H, ("qkv", H))
        self.assertFalse(run.model.tied_head or run.model.attn_bias)

    def test_nanogpt(self):
        for bias in (True, False):
            with self.subTest(bias=bias):
                state = official_state("qkv", bias=bias, seed=3)
                nano = {("_orig_mod." if k.startswith("lm_head") else "_orig_mod.transformer.")
                        + k: v for k, v in state.items() if not k.endswith(".attn.bias")}
                ckpt = {"model": nano, "iter_num": 7, "best_val_loss": torch.tensor(2.5),
                        "model_args": {"n_layer": L, "n_head": H, "n_embd": D, "block_size": T,
                                       "bias": bias, "vocab_size": V, "dropout": 0.0},
                        "config": {"learning_rate": 6e-4, "compile": True}}
                run = self.convert_and_compare(ckpt, state, H, ("qkv", H))
                self.assertEqual(run.origin["format"], "nanogpt")

    def test_code_in_a_pickle_is_refused_and_never_runs(self):
        marker = os.path.join(self.tmp.name, "ran")
        Evil.marker = marker
        for payload, name in ((Evil(), "posix.system"), (PlainConfig(), "PlainConfig")):
            path = os.path.join(self.tmp.name, "bad.pt")
            torch.save(paper_checkpoint({}) | {"model_config": payload}, path)
            with self.subTest(name), self.assertRaisesRegex(UnsafePickleError, name) as err:
                load_checkpoint(path)
            self.assertEqual(len(str(err.exception).splitlines()), 1)
            p = support.run([support.PYTHON, "-m", "qkvlab_torch.convert", path, "--out",
                             os.path.join(self.tmp.name, "never")], check=False)
            self.assertEqual(p.returncode, 2)
            self.assertIn(name, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1)
            self.assertFalse(os.path.exists(marker))
            self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "never")))

    def test_unknown_layouts_are_refused_by_name(self):
        state = official_state("qkv")
        state["h.0.attn.c_v.weight"] = torch.zeros(D, D)
        path = os.path.join(self.tmp.name, "odd.pt")
        torch.save(paper_checkpoint(state), path)
        with self.assertRaisesRegex(ValueError, "no known packing"):
            convert(path, os.path.join(self.tmp.name, "odd"))


if __name__ == "__main__":
    unittest.main()
