"""ONNX Runtime int8 backend for the shared encoder, built from the same weights at first use.

Steps (cached under ~/.cache/social-triage/onnx/<encoder fingerprint>/: 118 MB for
multilingual-e5-small, 23 MB for all-MiniLM-L6-v2):
1. export the eager-attention model with the legacy exporter (`dynamo=False`), the only graph
   ONNX Runtime's transformer optimiser recognises;
2. fuse the embedding layer norm and GELU (`optimize_model`, model_type bert), GELU as its tanh
   approximation (`FastGelu`, about 5% faster; embeddings as close to fp32 as before), but
   neither attention nor the skip layer norms: the fused `QAttention` and
   `SkipLayerNormalization` kernels made ONNX Runtime 1.32 about 30% slower on one thread for
   tweet-sized batches (450-480 vs 640 posts/s on an AMD EPYC with AVX-512;
   docs/BENCHMARKS.md);
3. quantise weights to int8 per channel (per-tensor costs too much quality: cosine 0.96).

`onnx_build.py` runs these steps without ever giving the tools the word-embedding table (384 of
multilingual-e5-small's 470 MB), which it quantises itself in pieces: the same file, byte for
byte, in about 1 GB of memory at most instead of 5.4 GB.

The recipe's version (`RECIPE`) is part of the encoder's version, so a changed recipe rebuilds
the cached graph and is told apart in decisions and heads' metadata.

Needs the `onnx` package (and `onnxscript` for the exporter) at build time; `onnxruntime` at run
time. Without them the backend refuses with a clear error instead of falling back silently.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kernel.errors import ConfigError

if TYPE_CHECKING:
    from classifiers.encoder import Encoder

log = logging.getLogger(__name__)
CACHE = Path(os.environ.get("TRIAGE_CACHE_DIR", Path.home() / ".cache" / "social-triage"))
#: Changes whenever `build` would produce a different graph from the same weights.
RECIPE = "2"


class OnnxInt8Session:
    def __init__(self, path: Path, *, threads: int, uses_token_types: bool) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.uses_token_types = uses_token_types and "token_type_ids" in self.inputs
        self.path = path

    @classmethod
    def for_encoder(cls, encoder: Encoder, *, threads: int) -> OnnxInt8Session:
        key = hashlib.sha256(encoder.version.encode()).hexdigest()[:16]  # names the recipe
        folder = CACHE / "onnx" / key
        quantised = folder / "model-int8.onnx"
        if not quantised.is_file():
            with build_lock(folder):  # daemons started together build it once
                if not quantised.is_file():
                    log.info("building the int8 graph of %s, once (about a minute)", encoder.name)
                    from classifiers.onnx_build import build

                    with _quiet():
                        build(encoder, folder)
                    release_memory()
                    log.info("int8 graph built: %s", quantised)
        return cls(quantised, threads=threads, uses_token_types=encoder._uses_token_types)

    def run(self, input_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds: dict[str, Any] = {"input_ids": input_ids, "attention_mask": mask}
        if self.uses_token_types:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (hidden,) = self.session.run(["last_hidden_state"], feeds)
        return np.asarray(hidden, dtype=np.float32)


@contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's, optimiser's and quantiser's chatter (hundreds of INFO lines on the root
    logger, tracer warnings) kept out of the daemon's log while the graph is built."""
    import logging
    import warnings

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)


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
