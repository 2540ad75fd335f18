#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora and dictionaries under tests/fuzz/ (standard library only).

    python3 tests/fuzz/make_corpus.py            rewrite corpus/ and dict/ from this script

Seeds named valid-* are files QKV Lab must accept (tst_fuzz_replay checks it); the others are
edge cases that must be refused cleanly. Run folders and presets of the repository are copied
in as they are, so the seeds follow their formats. The output is deterministic: rerunning it
changes nothing unless this script or those files changed.
"""

import gzip
import json
import os
import shutil
import struct
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(FUZZ))


def put(target, name, data):
    folder = os.path.join(FUZZ, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=True)


# --- safetensors --------------------------------------------------------------------------

def safetensors(tensors, metadata=None, pad=True):
    """tensors: [(name, dtype, shape, raw bytes)] laid out in order."""
    header, offset = {}, 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def f32(values):
    return struct.pack("<%df" % len(values), *values)


def bf16(values):
    return b"".join(struct.pack("<f", v)[2:] for v in values)


def safetensors_seeds():
    put("safetensors", "valid-f32.safetensors",
        safetensors([("wte.weight", "F32", [2, 3], f32([0.5, -1, 2, 3, 1e-3, -7]))],
                    {"format": "pt"}))
    put("safetensors", "valid-mixed.safetensors",
        safetensors([("a", "BF16", [4], bf16([1, -2, 0.25, 3e5])),
                     ("b", "F16", [2], struct.pack("<2e", 1.5, -0.125)),
                     ("c", "F64", [1, 1], struct.pack("<d", 3.25)),
                     ("pos", "I64", [2], struct.pack("<2q", 0, 1)),
                     ("empty", "F32", [0, 4], b"")]))
    put("safetensors", "bad-overlap.safetensors",
        safetensors([("a", "F32", [2], f32([1, 2])), ("b", "F32", [1], f32([3]))]).replace(
            b'"data_offsets":[8,12]', b'"data_offsets":[4,8]'))
    put("safetensors", "bad-truncated.safetensors",
        safetensors([("a", "F32", [4], f32([1, 2, 3, 4]))])[:-5])
    put("safetensors", "bad-header-length.safetensors", struct.pack("<Q", 1 << 62) + b"{}")


def shard_index_seeds():
    put("shard_index", "valid-index.json", dump({
        "metadata": {"total_size": 1024},
        "weight_map": {"model.embed_tokens.weight": "model-00001-of-00002.safetensors",
                       "lm_head.weight": "model-00002-of-00002.safetensors"}}))
    put("shard_index", "bad-path.json",
        dump({"weight_map": {"x": "../../etc/passwd"}}))


# --- IDX ----------------------------------------------------------------------------------

def idx_seeds():
    images = struct.pack(">iiii", 0x803, 2, 3, 3) + bytes(range(18))
    labels = struct.pack(">ii", 0x801, 3) + bytes([0, 9, 4])
    put("idx", "valid-images.idx", images)
    put("idx", "valid-labels.idx", labels)
    put("idx", "valid-images.idx.gz", gzip.compress(images, mtime=0))
    put("idx", "bad-count.idx", struct.pack(">iiii", 0x803, 1 << 30, 28, 28) + bytes(8))
    put("idx", "bad-gzip.gz", gzip.compress(labels, mtime=0)[:-6])


# --- run folders, presets, experiments ------------------------------------------------------

CURRENT_CONFIG = {
    "app_version": "0.1.0", "format": "qkvlab-run/1", "name": "shared-kv-seed1",
    "model": {"arch": "decoder", "attn_bias": True, "context": 16, "d_model": 64, "dropout": 0,
              "family": "qkvlab", "head_bias": True, "head_dim": 16, "heads": 4,
              "identity_q_scale": 0.5, "image_size": 28, "kv_heads": 2, "layers": 2,
              "mlp": "gelu", "mlp_bias": True, "mlp_hidden": 256, "norm": "layernorm",
              "norm_eps": 1e-05, "patch_size": 7, "pos_bias": True, "pos_bias_dim": 10,
              "pos_bias_mode": "absolute", "positions": "learned", "query_mlp_bias": False,
              "residual_scaled_init": True, "rope_linear_scale": 1, "rope_pairs": "half",
              "rope_theta": 10000, "tied_head": True, "variant": "shared-kv", "vocab": 10},
    "task": {"alphabet": "", "data_path": "", "kind": "copy", "seed": 1, "seq_len": 16,
             "validation_fraction": 0.1, "validation_size": 512, "vocab": 10},
    "train": {"batch": 32, "beta1": 0.9, "beta2": 0.99, "decay_all": False, "eval_every": 50,
              "eval_examples": 256, "grad_clip": 1, "lr": 0.003, "min_lr_fraction": 0.1,
              "seed": 1, "steps": 3, "warmup_steps": 20, "weight_decay": 0.01}}

CURRENT_METRICS = {
    "checkpoint_step": 3, "message": "", "seconds": 0.08, "status": "completed", "steps_done": 3,
    "curve": [{"elapsed_s": 0.02, "lr": 0.00015, "step": 0, "train_loss": None,
               "validation": {"accuracy": 0.99, "loss": 1.68, "perplexity": None}},
              {"elapsed_s": 0.07, "lr": 0.00045, "step": 3, "train_loss": 1.6,
               "validation": {"accuracy": 1, "loss": 1.5, "perplexity": 4.48}}],
    "final": {"accuracy": 1, "loss": 1.5, "perplexity": 4.48},
    "train_log": [{"step": 1, "loss": 2.3}, {"step": 2, "loss": 1.9}]}


def run_folder_seeds():
    legacy = os.path.join(ROOT, "tests", "data", "legacy_runs")
    for run in sorted(os.listdir(legacy)):
        folder = os.path.join(legacy, run)
        if not os.path.isdir(folder):
            continue
        for name, target in (("config.json", "run_config"), ("metrics.json", "run_metrics")):
            with open(os.path.join(folder, name), "rb") as f:
                put(target, "valid-legacy-" + run + ".json", f.read())
    put("run_config", "valid-current.json", dump(CURRENT_CONFIG))
    llama = json.loads(json.dumps(CURRENT_CONFIG))
    llama["model"].update(family="llama", norm="rmsnorm", positions="rotary", mlp="swiglu",
                          attn_bias=False, mlp_bias=False, head_bias=False, tied_head=False)
    llama["model"].pop("pos_bias")
    put("run_config", "valid-llama.json", dump(llama))
    wrong = json.loads(json.dumps(CURRENT_CONFIG))
    wrong["model"]["heads"] = 3
    put("run_config", "bad-heads.json", dump(wrong))
    put("run_metrics", "valid-current.json", dump(CURRENT_METRICS))
    put("run_metrics", "valid-half-known.json", dump({"status": "running", "curve": [{}]}))


def experiment_seeds():
    presets = os.path.join(ROOT, "resources", "presets")
    for name in sorted(os.listdir(presets)):
        with open(os.path.join(presets, name), "rb") as f:
            put("experiment", "valid-preset-" + name, f.read())
    put("experiment", "valid-seeds.json", dump({
        "name": "seeds", "variants": ["qkv", "shared-kv", "residual-q"], "seeds": [1, 2, 3],
        "model": {"d_model": 32, "layers": 1, "heads": 4, "kv_heads": 2,
                  "pos_bias": True, "pos_bias_mode": "relative"},
        "task": {"kind": "copy", "vocab": 8, "seq_len": 8},
        "train": {"steps": 10, "batch": 8, "lr": 0.001}}))
    put("experiment", "bad-variant.json", dump({"variants": ["qvk"]}))


# --- Hugging Face and llama2.c --------------------------------------------------------------

def hf_config_seeds():
    put("hf_config", "valid-gpt2.json", dump({
        "model_type": "gpt2", "activation_function": "gelu_new", "n_ctx": 1024, "n_embd": 768,
        "n_head": 12, "n_inner": None, "n_layer": 12, "n_positions": 1024,
        "layer_norm_epsilon": 1e-05, "vocab_size": 50257, "bos_token_id": 50256,
        "eos_token_id": 50256, "scale_attn_weights": True}))
    put("hf_config", "valid-llama.json", dump({
        "model_type": "llama", "hidden_act": "silu", "hidden_size": 2048,
        "intermediate_size": 5632, "max_position_embeddings": 2048, "num_attention_heads": 32,
        "num_hidden_layers": 22, "num_key_value_heads": 4, "rms_norm_eps": 1e-05,
        "rope_theta": 10000.0, "tie_word_embeddings": False, "vocab_size": 32000,
        "bos_token_id": 1, "eos_token_id": 2, "attention_bias": False,
        "rope_scaling": {"type": "linear", "factor": 2.0}}))
    put("hf_config", "bad-rope-scaling.json", dump({
        "model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 16,
        "rope_scaling": {"rope_type": "yarn", "factor": 4.0}}))
    put("hf_config", "bad-model-type.json", dump({"model_type": "bert"}))


def llama2c_size(dim, hidden, layers, heads, kv_heads, vocab, seq, versioned, shared):
    head = dim // heads
    kv = head * kv_heads
    floats = (vocab * dim + 2 * layers * dim + dim + layers * (2 * dim * dim + 2 * kv * dim)
              + layers * 3 * dim * hidden)
    if not versioned:
        floats += 2 * seq * head // 2
    if not shared:
        floats += vocab * dim
    return (256 if versioned else 28) + 4 * floats


def llama2c_header_seeds():
    dims = (64, 172, 5, 8, 4, 512, 512)  # stories260K
    legacy = struct.pack("<7i", *dims)
    put("llama2c_header", "valid-legacy.bin",
        legacy + struct.pack("<Q", llama2c_size(*dims, False, True)))
    separate = struct.pack("<7i", *dims[:5], -dims[5], dims[6])
    put("llama2c_header", "valid-legacy-classifier.bin",
        separate + struct.pack("<Q", llama2c_size(*dims, False, False)))
    v1 = struct.pack("<Ii7iB", 0x616B3432, 1, *dims, 1)
    v1 += bytes(256 - len(v1))
    put("llama2c_header", "valid-v1.bin",
        v1 + struct.pack("<Q", llama2c_size(*dims, True, True)))
    v2 = struct.pack("<Ii7iB", 0x616B3432, 2, *dims, 1)
    put("llama2c_header", "bad-v2.bin", v2 + bytes(256 - len(v2)) + struct.pack("<Q", 1 << 20))
    put("llama2c_header", "bad-truncated.bin", legacy + struct.pack("<Q", 1000))


# --- tokenizers -----------------------------------------------------------------------------

def bytes_to_unicode():
    """GPT-2's printable stand-in for each byte (the table its vocab.json is written in)."""
    keep = (list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD))
            + list(range(0xAE, 0x100)))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def small_bpe():
    table = bytes_to_unicode()
    vocab = {table[b]: b for b in range(256)}
    merges = ["h e", "l l", "Ġ w", "o r", "he ll", "hell o"]
    for m in merges:
        vocab[m.replace(" ", "")] = len(vocab)
    return vocab, merges


def tokenizer_seeds():
    vocab, merges = small_bpe()
    vocab_json = json.dumps(vocab, ensure_ascii=False, sort_keys=True)
    put("gpt2_bpe", "valid-small.bin",
        vocab_json + "\0#version: 0.2\n" + "\n".join(merges) + "\nhello world")
    put("gpt2_bpe", "bad-merge.bin", vocab_json + "\0zz qq\n")
    put("tokenizer_json", "valid-bpe.json", dump({
        "version": "1.0",
        "added_tokens": [{"id": len(vocab), "content": "<|endoftext|>", "special": True}],
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
        "model": {"type": "BPE", "vocab": vocab, "merges": merges}}))
    put("tokenizer_json", "valid-sequence.json", dump({
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "ByteLevel", "add_prefix_space": False}]},
        "model": {"type": "BPE", "vocab": vocab, "merges": [m.split(" ") for m in merges]}}))
    put("tokenizer_json", "bad-wordpiece.json", dump({"model": {"type": "WordPiece"}}))

    # llama2.c: max_token_length, then (score float32, length int32, bytes) per token.
    pieces = [b"<unk>", b"\n<s>\n", b"\n</s>\n"] + [bytes([b]) for b in range(256)] + [
        b" t", b"he", b" the", b"ll", b"o"]
    body = b"".join(struct.pack("<fi", -float(i), len(p)) + p for i, p in enumerate(pieces))
    put("llama2c_tokenizer", "valid-small.bin", struct.pack("<i", 6) + body)
    put("llama2c_tokenizer", "bad-length.bin",
        struct.pack("<i", 6) + struct.pack("<fi", 0.0, -3) + b"abc")

    put("sentencepiece", "valid-small.model", sentencepiece_model())


def varint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def field(number, payload):
    """A protobuf field: bytes (length-delimited), int (varint) or float (fixed32)."""
    if isinstance(payload, bytes):
        return varint(number << 3 | 2) + varint(len(payload)) + payload
    if isinstance(payload, float):
        return varint(number << 3 | 5) + struct.pack("<f", payload)
    return varint(number << 3) + varint(payload)


def sentencepiece_model():
    """A BPE ModelProto with byte fallback, written field by field (sentencepiece_model.proto:
    pieces 1 {piece 1, score 2, type 3}, trainer_spec 2, normalizer_spec 3)."""
    NORMAL, UNKNOWN, CONTROL, BYTE = 1, 2, 3, 6
    pieces = [("<unk>", 0.0, UNKNOWN), ("<s>", 0.0, CONTROL), ("</s>", 0.0, CONTROL)]
    pieces += [("<0x%02X>" % b, 0.0, BYTE) for b in range(256)]
    pieces += [(p, -float(i), NORMAL) for i, p in
               enumerate(["\u2581t", "he", "\u2581the", "\u2581", "e", "h", "t", "l", "o"])]
    proto = b"".join(
        field(1, field(1, p.encode()) + field(2, s) + field(3, t)) for p, s, t in pieces)
    trainer = field(3, 2) + field(4, len(pieces)) + field(35, 1) + field(40, 0) + field(41, 1) \
        + field(42, 2)
    normalizer = field(1, b"identity") + field(3, 1) + field(4, 1) + field(5, 1)
    return proto + field(2, trainer) + field(3, normalizer)


def text_seeds():
    put("text", "valid-english.txt", "The cat sat on the mat.\nIt's 3 o'clock, isn't it?  \t")
    put("text", "valid-mixed.txt", "Grüße, 世界! 👋🏽 e\u0301 \u2581 ＡＢＣ 123\r\n")
    put("text", "bad-bytes.txt", b"ok \xff\xfe \xc3 \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 end")


# --- dictionaries -----------------------------------------------------------------------------

JSON_TOKENS = ['"{"', '"}"', '"["', '"]"', '":"', '","', '"null"', '"true"', '"false"',
               '"-1"', '"0"', '"1e308"', '"-0.0"', '"\\""']

KEYS = {
    "run_config": ["alphabet", "app_version", "arch", "attn_bias", "batch", "beta1", "beta2",
                   "context", "d_model", "data_path", "decay_all", "dropout", "eval_every",
                   "eval_examples", "family", "format", "grad_clip", "head_bias", "head_dim",
                   "heads", "identity_q_scale", "image_size", "kind", "kv_heads", "layers", "lr",
                   "min_lr_fraction", "mlp", "mlp_bias", "mlp_hidden", "model", "name", "norm",
                   "norm_eps", "patch_size", "pos_bias", "pos_bias_dim", "pos_bias_mode",
                   "positions", "query_mlp_bias", "residual_scaled_init", "rope_linear_scale",
                   "rope_pairs", "rope_theta", "seed", "seq_len", "steps", "task", "tied_head",
                   "train", "validation_fraction", "validation_size", "variant", "vocab",
                   "warmup_steps", "weight_decay", "qkvlab-run/1", "decoder", "encoder", "vit",
                   "llama", "gpt2", "paper-gpt", "rmsnorm", "layernorm", "rotary", "learned",
                   "none", "swiglu", "gelu-tanh", "absolute", "relative", "adjacent", "half",
                   "qkv", "shared-kv", "shared-qk", "single", "identity-q", "residual-q",
                   "mlp-q", "copy", "follow", "text", "fashion-mnist"],
    "run_metrics": ["accuracy", "cancelled", "checkpoint_step", "curve", "diverged",
                    "elapsed_s", "final", "loss", "lr", "message", "perplexity", "seconds",
                    "status", "step", "steps_done", "train_log", "train_loss", "validation",
                    "completed"],
    "hf_config": ["activation_function", "add_cross_attention", "attention_bias",
                  "bos_token_id", "eos_token_id", "factor", "gelu", "gelu_fast", "gelu_new",
                  "gelu_pytorch_tanh", "gpt2", "head_dim", "hidden_act", "hidden_size",
                  "intermediate_size", "layer_norm_epsilon", "linear", "llama",
                  "max_position_embeddings", "mlp_bias", "model_type", "n_ctx", "n_embd",
                  "n_head", "n_inner", "n_layer", "n_positions", "num_attention_heads",
                  "num_hidden_layers", "num_key_value_heads", "rms_norm_eps", "rope_scaling",
                  "rope_theta", "rope_type", "scale_attn_by_inverse_layer_idx",
                  "scale_attn_weights", "silu", "tie_word_embeddings", "type", "vocab_size",
                  "dynamic", "yarn"],
    "shard_index": ["weight_map", "metadata", "total_size", "model-00001-of-00002.safetensors",
                    "..", "/"],
    "tokenizer_json": ["BPE", "ByteLevel", "Sequence", "add_prefix_space", "added_tokens",
                       "content", "continuing_subword_prefix", "end_of_word_suffix", "id",
                       "merges", "model", "pre_tokenizer", "pretokenizers", "type", "vocab",
                       "special", "<|endoftext|>", "\\u0120"],
    "safetensors": ["dtype", "shape", "data_offsets", "__metadata__", "F32", "F16", "BF16",
                    "F64", "I64", "BOOL", "F8_E4M3", "format", "pt"],
}
KEYS["experiment"] = KEYS["run_config"] + ["description", "variants", "seeds"]


def write_dicts():
    folder = os.path.join(FUZZ, "dict")
    os.makedirs(folder, exist_ok=True)
    for target, keys in sorted(KEYS.items()):
        lines = ["# " + target + ": keys and values of its format, for libFuzzer's -dict"]
        lines += JSON_TOKENS
        lines += [json.dumps(json.dumps(k)) for k in keys]
        with open(os.path.join(folder, target + ".dict"), "w") as f:
            f.write("\n".join(lines) + "\n")


def main():
    shutil.rmtree(os.path.join(FUZZ, "corpus"), ignore_errors=True)
    shutil.rmtree(os.path.join(FUZZ, "dict"), ignore_errors=True)
    safetensors_seeds()
    shard_index_seeds()
    idx_seeds()
    run_folder_seeds()
    experiment_seeds()
    hf_config_seeds()
    llama2c_header_seeds()
    tokenizer_seeds()
    text_seeds()
    write_dicts()
    return 0


if __name__ == "__main__":
    sys.exit(main())
