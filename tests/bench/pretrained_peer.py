#!/usr/bin/env python3
"""The PyTorch side of bench_pretrained: the same Hugging Face folder, loaded into an eager
PyTorch model written from the published conventions (GPT-2, Llama), float32, one torch thread,
greedy generation with a key/value cache, timed the way the C++ side times it.

    /usr/bin/python3 tests/bench/pretrained_peer.py FOLDER TOKENS PROMPT_IDS

prints one JSON line: {"tokens_per_s": decode steps after the first, "first_token_ms", "ids"}.
Standard library, numpy and Debian's python3-torch only.
"""

import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16}


def read_safetensors(path):
    """name -> float32 tensor (BF16 widened by shifting into the upper half of a float32)."""
    with open(path, "rb") as f:
        data = memoryview(f.read())
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(bytes(data[8:8 + length]))
    base = 8 + length
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = data[base + begin:base + end]
        if entry["dtype"] == "BF16":
            words = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            array = words.view(np.float32)
        else:
            array = np.frombuffer(raw, dtype=DTYPES[entry["dtype"]]).astype(np.float32)
        out[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return out


class Gpt2:
    def __init__(self, c, w):
        self.c, self.w = c, w
        self.heads = c["n_head"]

    def layer_norm(self, x, p):
        return F.layer_norm(x, (x.shape[-1],), self.w[p + ".weight"], self.w[p + ".bias"], 1e-5)

    def forward(self, ids, cache, pos):
        w, H = self.w, self.heads
        x = w["wte.weight"][ids] + w["wpe.weight"][pos:pos + len(ids)]
        for i in range(self.c["n_layer"]):
            p = f"h.{i}."
            h = self.layer_norm(x, p + "ln_1")
            q, k, v = (h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]).split(x.shape[-1], -1)
            q, k, v = (t.view(len(ids), H, -1).transpose(0, 1) for t in (q, k, v))
            if i in cache:
                k = torch.cat([cache[i][0], k], 1)
                v = torch.cat([cache[i][1], v], 1)
            cache[i] = (k, v)
            y = attend(q, k, v, pos)
            x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
            h = self.layer_norm(x, p + "ln_2")
            h = F.gelu(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"], approximate="tanh")
            x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
        return self.layer_norm(x, "ln_f")[-1] @ w["wte.weight"].t()


class Llama:
    def __init__(self, c, w):
        self.c, self.w = c, w
        self.H, self.g = c["num_attention_heads"], c["num_key_value_heads"]
        dh = c["hidden_size"] // self.H
        inv = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, dh, 2).float() / dh))
        angles = torch.outer(torch.arange(c["max_position_embeddings"]).float(), inv)
        self.cos = torch.cat([angles.cos()] * 2, -1)
        self.sin = torch.cat([angles.sin()] * 2, -1)

    def rms(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.c["rms_norm_eps"]) * weight

    def rope(self, x, pos):  # (n, T, d_h), Hugging Face's rotate-half
        T = x.shape[1]
        cos, sin = self.cos[pos:pos + T], self.sin[pos:pos + T]
        half = x.shape[-1] // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
        return x * cos + rotated * sin

    def forward(self, ids, cache, pos):
        w, H, g = self.w, self.H, self.g
        x = w["model.embed_tokens.weight"][ids]
        T = len(ids)
        for i in range(self.c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            h = self.rms(x, w[p + "input_layernorm.weight"])
            q = (h @ w[p + "self_attn.q_proj.weight"].t()).view(T, H, -1).transpose(0, 1)
            k = (h @ w[p + "self_attn.k_proj.weight"].t()).view(T, g, -1).transpose(0, 1)
            v = (h @ w[p + "self_attn.v_proj.weight"].t()).view(T, g, -1).transpose(0, 1)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if i in cache:
                k = torch.cat([cache[i][0], k], 1)
                v = torch.cat([cache[i][1], v], 1)
            cache[i] = (k, v)
            y = attend(q, k.repeat_interleave(H // g, 0), v.repeat_interleave(H // g, 0), pos)
            x = x + y @ w[p + "self_attn.o_proj.weight"].t()
            h = self.rms(x, w[p + "post_attention_layernorm.weight"])
            gate = F.silu(h @ w[p + "mlp.gate_proj.weight"].t())
            x = x + (gate * (h @ w[p + "mlp.up_proj.weight"].t())) @ w[p + "mlp.down_proj.weight"].t()
        return self.rms(x, w["model.norm.weight"])[-1] @ w["lm_head.weight"].t()


def attend(q, k, v, pos):
    """(H, T, d_h) queries at positions pos.. against (H, S, d_h) keys and values, causal."""
    T, S = q.shape[1], k.shape[1]
    logits = q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])
    mask = torch.ones(T, S, dtype=torch.bool).triu(S - T + 1)
    y = torch.softmax(logits.masked_fill(mask, float("-inf")), -1) @ v
    return y.transpose(0, 1).reshape(T, -1)


def main():
    folder, tokens, prompt = sys.argv[1], int(sys.argv[2]), [int(t) for t in sys.argv[3].split(",")]
    torch.set_num_threads(1)
    torch.set_grad_enabled(False)
    config = json.load(open(folder + "/config.json"))
    weights = read_safetensors(folder + "/model.safetensors")
    model = (Gpt2 if config["model_type"] == "gpt2" else Llama)(config, weights)
    cache, pending, pos, ids, times = {}, prompt, 0, [], []
    for _ in range(tokens):
        start = time.perf_counter()
        logits = model.forward(torch.tensor(pending), cache, pos)
        token = int(logits.argmax())
        times.append(time.perf_counter() - start)
        pos += len(pending)
        pending = [token]
        ids.append(token)
    print(json.dumps({"tokens_per_s": (len(times) - 1) / sum(times[1:]),
                      "first_token_ms": times[0] * 1000, "ids": ids}))


if __name__ == "__main__":
    main()
