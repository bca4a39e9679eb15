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

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers import model_cache

if TYPE_CHECKING:
    from classifiers.onnx_build import Exportable

log = logging.getLogger(__name__)
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
    def for_encoder(cls, encoder: Exportable, *, threads: int) -> OnnxInt8Session:
        key = hashlib.sha256(encoder.version.encode()).hexdigest()[:16]  # names the recipe
        folder = model_cache.CACHE / "onnx" / key
        quantised = folder / "model-int8.onnx"
        if not quantised.is_file():
            with model_cache.build_lock(folder):  # daemons started together build it once
                if not quantised.is_file():
                    log.info("building the int8 graph of %s, once (about a minute)", encoder.name)
                    from classifiers.onnx_build import build

                    with _quiet():
                        build(encoder, folder)
                    model_cache.release_memory()
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
