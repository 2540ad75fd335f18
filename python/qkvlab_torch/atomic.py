"""Atomic file writes: a reader (QKV Lab watching a run folder, or a resumed run) sees the old
complete file or the new complete file, never half of one.

The data go to a temporary file in the same folder (so os.replace stays on one file system),
are flushed and fsync'ed, and only then replace the target.
"""

import json
import os
import tempfile


def _replace_with(path, write):
    """Calls write(binary file) on a temporary file beside `path`, then renames it into place."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_atomic(path, data):
    """Writes bytes, or an iterable of bytes chunks, to `path` atomically."""
    def write(fh):
        for chunk in ([data] if isinstance(data, (bytes, bytearray)) else data):
            fh.write(chunk)
    _replace_with(path, write)


def write_json_atomic(path, obj, indent=4):
    """JSON as Qt's QJsonDocument::Indented writes it (4 spaces), NaN refused."""
    text = json.dumps(obj, indent=indent, ensure_ascii=False, allow_nan=False)
    write_atomic(path, (text + "\n").encode("utf-8"))


def save_torch_atomic(path, obj):
    """torch.save into a temporary file in the same folder, then os.replace."""
    import torch  # local: atomic.py stays importable without torch for small tools
    _replace_with(path, lambda fh: torch.save(obj, fh))
