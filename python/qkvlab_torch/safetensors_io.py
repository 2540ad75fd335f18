"""A small safetensors reader and writer of our own (no `safetensors` package needed).

Format: an 8-byte little-endian header length, a JSON header padded with spaces to a multiple
of 8 bytes ({name: {"dtype", "shape", "data_offsets": [begin, end]}}, optionally
"__metadata__": {str: str}), then the raw little-endian data. Writes F32 or BF16, reads F32,
F16, BF16 and F64 (as core/io/safetensors.cpp does), checking every offset and shape against
the file size before touching the data. Writes are atomic (see atomic.py).
"""

import ctypes
import json
import struct
import sys

import torch

from .atomic import write_atomic

METADATA_KEY = "__metadata__"
MAX_HEADER_BYTES = 100 * 1024 * 1024
READ_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
               "F64": torch.float64}
WRITE_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16}
OTHER_SIZES = {"I8": 1, "U8": 1, "BOOL": 1, "I16": 2, "U16": 2, "I32": 4, "U32": 4, "I64": 8,
               "U64": 8, "F8_E4M3": 1, "F8_E5M2": 1}

if sys.byteorder != "little":  # torch.frombuffer and the raw copies assume it
    raise ImportError("safetensors_io supports little-endian hosts only")


class SafetensorsError(IOError):
    """A file that is not valid safetensors; the message names the file and the problem."""


def tensor_bytes(t):
    """The raw bytes of a contiguous CPU tensor, without numpy (bf16 has no numpy type)."""
    t = t.detach().cpu().contiguous()
    return ctypes.string_at(t.data_ptr(), t.numel() * t.element_size()) if t.numel() else b""


def encode_header(entries, metadata):
    """entries: [(name, dtype_name, shape, nbytes)] in data order → length + padded JSON."""
    header, offset = {}, 0
    if metadata:
        header[METADATA_KEY] = {str(k): str(v) for k, v in metadata.items()}
    for name, dtype, shape, nbytes in entries:
        if name == METADATA_KEY or name in header:
            raise SafetensorsError(f"cannot encode tensor '{name}': duplicate or reserved name")
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    text = text.encode("utf-8")
    # Keys sorted as Qt writes them, so both sides write the same bytes for the same weights.
    # Padding keeps the data 8-byte aligned for readers that map the file.
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text


def write_safetensors(path, tensors, metadata=None, dtype="F32"):
    """Writes {name: tensor} (in the dict's order) as F32 or BF16, atomically."""
    if dtype not in WRITE_DTYPES:
        raise ValueError(f"the writer writes F32 or BF16, not {dtype}")
    torch_dtype = WRITE_DTYPES[dtype]
    converted = [(n, t.detach().to(torch_dtype)) for n, t in tensors.items()]
    entries = [(n, dtype, tuple(t.shape), t.numel() * t.element_size()) for n, t in converted]
    head = encode_header(entries, metadata)

    def chunks():
        yield head
        for _, t in converted:
            yield tensor_bytes(t)
    write_atomic(path, chunks())


def parse_header(blob, source):
    """(entries, metadata, data_offset) of a safetensors file held in `blob`; every entry
    checked against the size. entries: [(name, dtype, shape, begin, end)] by data offset."""
    size = len(blob)
    if size < 8:
        raise SafetensorsError(f"{source}: too short for a safetensors file ({size} bytes, "
                               "need at least 8)")
    (n,) = struct.unpack_from("<Q", blob, 0)
    if n > size - 8:
        raise SafetensorsError(f"{source}: header length {n} exceeds the file size ({size} bytes)")
    if n > MAX_HEADER_BYTES:
        raise SafetensorsError(f"{source}: header length {n} exceeds the 100 MB limit")
    try:
        header = json.loads(bytes(blob[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SafetensorsError(f"{source}: header is not valid JSON ({err})") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{source}: header is not a JSON object")
    data_size, metadata, entries = size - 8 - n, {}, []
    for name, e in header.items():
        if name == METADATA_KEY:
            if not isinstance(e, dict) or not all(isinstance(v, str) for v in e.values()):
                raise SafetensorsError(f"{source}: \"__metadata__\" is not an object of strings")
            metadata = dict(e)
            continue
        what = f"{source}: tensor '{name}'"
        if not isinstance(e, dict) or not isinstance(e.get("dtype"), str):
            raise SafetensorsError(f"{what} has no \"dtype\" string")
        dtype = e["dtype"]
        if dtype in READ_DTYPES:
            item = torch.empty((), dtype=READ_DTYPES[dtype]).element_size()
        elif dtype in OTHER_SIZES:
            item = OTHER_SIZES[dtype]
        else:
            raise SafetensorsError(f"{what} has unknown dtype '{dtype}'")
        shape = e.get("shape")
        if not isinstance(shape, list) or not all(
                isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise SafetensorsError(f"{what} has an invalid shape {shape!r}")
        offsets = e.get("data_offsets")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(
                isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)):
            raise SafetensorsError(f"{what} has invalid \"data_offsets\"")
        begin, end = offsets
        if begin > end or end > data_size:
            raise SafetensorsError(f"{what} data_offsets [{begin}, {end}] are outside the data "
                                   f"({data_size} bytes)")
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * item:
            raise SafetensorsError(f"{what} data_offsets [{begin}, {end}] span {end - begin} "
                                   f"bytes but its shape and dtype need {count * item}")
        entries.append((name, dtype, tuple(shape), begin, end))
    entries.sort(key=lambda x: x[3])
    return entries, metadata, 8 + n


def read_safetensors(path, as_float32=True):
    """({name: tensor} in file order, metadata). Float tensors become float32 unless
    `as_float32` is false; integer tensors are refused, as core's reader does."""
    try:
        with open(path, "rb") as fh:
            blob = bytearray(fh.read())
    except OSError as err:
        raise SafetensorsError(f"cannot read {path}: {err.strerror}") from None
    entries, metadata, base = parse_header(blob, path)
    out = {}
    for name, dtype, shape, begin, end in entries:
        if dtype not in READ_DTYPES:
            raise SafetensorsError(f"{path}: tensor '{name}' has unsupported dtype '{dtype}' "
                                   "(F32, F16, BF16, F64 only)")
        torch_dtype = READ_DTYPES[dtype]
        count = (end - begin) // torch.empty((), dtype=torch_dtype).element_size()
        t = torch.frombuffer(blob, dtype=torch_dtype, count=count, offset=base + begin) \
            if count else torch.empty(0, dtype=torch_dtype)
        t = t.reshape(shape).clone()
        out[name] = t.float() if as_float32 else t
    return out, metadata
