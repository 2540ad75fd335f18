"""Loading torch.save files without running any pickled code.

A torch.save file is a zip archive: <name>/data.pkl (a pickle) and <name>/data/<key> (raw
storages). Unpickling calls whatever globals the pickle names, so a checkpoint from elsewhere
could run arbitrary code (os.system through __reduce__, a custom class). This unpickler admits
only what weights and configs are made of: tensor rebuilds (rebuilt here by our own code, never
by calling torch's), storages read from the archive, collections.OrderedDict, dtypes, and plain
Python values. Anything else is refused with a one-line message naming the global, before it
is called. (Debian's torch 1.13 `weights_only=True` also refuses the floats in pickled configs.)
"""

import collections
import io
import pickle
import zipfile

import torch


class UnsafePickleError(pickle.UnpicklingError):
    """The file needs code we do not run; the message names the global."""


STORAGE_DTYPES = {
    "FloatStorage": torch.float32, "DoubleStorage": torch.float64, "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16, "LongStorage": torch.int64, "IntStorage": torch.int32,
    "ShortStorage": torch.int16, "CharStorage": torch.int8, "ByteStorage": torch.uint8,
    "BoolStorage": torch.bool, "ComplexFloatStorage": torch.complex64,
    "ComplexDoubleStorage": torch.complex128,
}
DTYPE_NAMES = {"float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
               "uint8", "bool", "float", "double", "half", "long", "int", "short"}


class _Storage:
    """A storage read from the archive: a flat tensor of its dtype."""

    def __init__(self, flat):
        self.flat = flat


def _rebuild_tensor(storage, offset, size, stride, requires_grad=False, hooks=None, *extra):
    if not isinstance(storage, _Storage):
        raise UnsafePickleError("a tensor rebuild without a storage from the archive")
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride) or min(size + stride + (int(offset),), default=0) < 0:
        raise UnsafePickleError("a tensor with an invalid size, stride or offset")
    last = int(offset) + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else -1
    if last >= storage.flat.numel():
        raise UnsafePickleError("a tensor that reaches past its storage")
    return storage.flat.as_strided(size, stride, int(offset))


def _rebuild_parameter(data, requires_grad=False, hooks=None, *extra):
    if not isinstance(data, torch.Tensor):
        raise UnsafePickleError("a parameter rebuild without a tensor")
    return data


def _rebuild_from_type_v2(func, new_type, args, state):
    # torch ≥ 2 wraps plain tensors and parameters this way; both come back as tensors.
    if func not in (_rebuild_tensor, _rebuild_parameter) or new_type not in (
            torch.Tensor, torch.nn.Parameter) or state:
        raise UnsafePickleError("a tensor of a type other than Tensor or Parameter")
    return func(*args)


def _codecs_encode(text, encoding="latin1"):
    # Protocol-2 pickles write bytes as _codecs.encode(str, "latin1").
    if encoding not in ("latin1", "latin-1"):
        raise UnsafePickleError(f"_codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


ALLOWED = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
    ("torch", "Tensor"): torch.Tensor,
    ("torch.nn.parameter", "Parameter"): torch.nn.Parameter,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex, ("builtins", "bytearray"): bytearray,
    ("__builtin__", "set"): set,
    ("_codecs", "encode"): _codecs_encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, data, archive, prefix):
        super().__init__(io.BytesIO(data))
        self.archive, self.prefix, self.storages = archive, prefix, {}

    def find_class(self, module, name):
        if (module, name) in ALLOWED:
            return ALLOWED[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return ("storage-type", STORAGE_DTYPES[name])
        if module == "torch" and name in DTYPE_NAMES:
            return getattr(torch, name)
        raise UnsafePickleError(f"refusing to load global '{module}.{name}': the file needs "
                                "code to load, and only tensors and plain values are admitted")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise UnsafePickleError(f"refusing persistent id {str(pid)[:60]!r}")
        kind, key, numel = pid[1], str(pid[2]), pid[4]
        dtype = kind[1] if isinstance(kind, tuple) and kind[0] == "storage-type" else None
        if dtype is None:  # torch ≥ 2 untyped storages name their dtype in the tensor metadata
            raise UnsafePickleError(f"refusing storage of type {kind!r}")
        if key not in self.storages:
            name = f"{self.prefix}data/{key}"
            try:
                raw = bytearray(self.archive.read(name))
            except KeyError:
                raise UnsafePickleError(f"the archive lacks storage '{name}'") from None
            item = torch.empty((), dtype=dtype).element_size()
            if len(raw) < int(numel) * item:
                raise UnsafePickleError(f"storage '{name}' is shorter than it says")
            flat = torch.frombuffer(raw, dtype=dtype, count=int(numel)) if numel else \
                torch.empty(0, dtype=dtype)
            self.storages[key] = _Storage(flat)
        return self.storages[key]


def load_checkpoint(path):
    """The object a torch.save zip archive holds, loaded by the restricted unpickler; tensors
    come back on the CPU. Raises UnsafePickleError for anything that would need code."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(f"{path}: not a torch.save zip archive (the legacy tar/pickle format "
                         "is not read)") from None
    with archive:
        names = [n for n in archive.namelist() if n.endswith("data.pkl")]
        if len(names) != 1:
            raise ValueError(f"{path}: expected one data.pkl in the archive, found {len(names)}")
        prefix = names[0][:-len("data.pkl")]
        order = prefix + "byteorder"
        if order in archive.namelist() and archive.read(order).strip() != b"little":
            raise ValueError(f"{path}: big-endian storages are not supported")
        return RestrictedUnpickler(archive.read(names[0]), archive, prefix).load()
