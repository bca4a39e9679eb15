"""The model cache (`TRIAGE_CACHE_DIR`) and what the builds into it share.

The e5 model folder (`e5_weights.py`) and the int8 graph (`onnx_backend.py`, `onnx_build.py`)
are written here once, under a lock, and the memory each build freed is given back after it.
This module imports none of them, so those that build and the encoder that reads what they
built stand on it without importing each other in a circle.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from kernel.errors import ConfigError

#: Where the built model folders and graphs are kept; tests point it elsewhere
#: (`monkeypatch.setattr(model_cache, "CACHE", ...)`), so read it as `model_cache.CACHE`.
CACHE = Path(os.environ.get("TRIAGE_CACHE_DIR", Path.home() / ".cache" / "social-triage"))
#: Written beside a model whose texts need a prefix (e5: "query: "), see e5_weights.py; in a
#: built e5 folder it is written last, so a folder without it is a partial build.
PREFIX_FILE = "social_triage_prefix.json"


def release_memory() -> None:
    """Give the heap the build freed back to the system: without it a daemon keeps about 500 MB
    it no longer uses (glibc holds freed small blocks, here from the tokenizer and protobufs)."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    if name:
        with suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
            ctypes.CDLL(name).malloc_trim(0)


@contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder`'s build, across processes (a file beside it, flock).

    Only a build takes it: a cache that is already built is only read, so it may be read-only
    (systemd's `ProtectSystem=strict`, an image layer). A cache that must be written and cannot
    be is one line naming `TRIAGE_CACHE_DIR` (a `ConfigError`), not a traceback.
    """
    import fcntl

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with open(folder.parent / f"{folder.name}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError as exc:
        if exc.errno not in UNWRITABLE:
            raise
        raise ConfigError(unwritable(exc)) from exc


#: What a folder that cannot be written gives: permissions, a read-only file system, a file
#: where a folder should be, a full disk or quota.
UNWRITABLE = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.EEXIST,
    errno.ENOSPC,
    errno.EDQUOT,
}


def unwritable(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return (
        f"TRIAGE_CACHE_DIR: the model cache {CACHE} cannot be written ({exc.strerror}{where}); "
        "set TRIAGE_CACHE_DIR to a writable folder, or fill it beforehand with "
        "`social-triage models build` (docs/operations.md)"
    )
