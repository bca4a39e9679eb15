"""ONNX Runtime int8 backend for the shared encoder, built from the same weights at first use.

Steps (cached under ~/.cache/social-triage/onnx/<encoder fingerprint>/, about 25 MB):
1. export the eager-attention model with the legacy exporter (`dynamo=False`), the only graph
   ONNX Runtime's transformer optimiser recognises;
2. fuse the embedding layer norm and GELU (`optimize_model`, model_type bert), GELU as its tanh
   approximation (`FastGelu`, about 5% faster; embeddings as close to fp32 as before), but
   neither attention nor the skip layer norms: the fused `QAttention` and
   `SkipLayerNormalization` kernels made ONNX Runtime 1.32 about 30% slower on one thread for
   tweet-sized batches (450-480 vs 640 posts/s on an AMD EPYC with AVX-512;
   docs/BENCHMARKS.md);
3. quantise weights to int8 per channel (per-tensor costs too much quality: cosine 0.96).

The recipe's version (`RECIPE`) is part of the encoder's version, so a changed recipe rebuilds
the cached graph and is told apart in decisions and heads' metadata.

Needs the `onnx` package (and `onnxscript` for the exporter) at build time; `onnxruntime` at run
time. Without them the backend refuses with a clear error instead of falling back silently.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
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
                    with _quiet():
                        build(encoder, folder)
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


@contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder`'s build, across processes (a file beside it, flock)."""
    import fcntl

    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(encoder: Encoder, folder: Path) -> Path:
    """Export, optimise and quantise the encoder's model into `folder`."""
    try:
        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.transformers.fusion_options import FusionOptions
        from onnxruntime.transformers.optimizer import optimize_model
    except ImportError as exc:
        raise ConfigError(
            f"classifier.backend: onnx-int8 needs the `onnx` package to build the model ({exc})"
        ) from exc
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / "model.onnx"
    fused = folder / "model-opt.onnx"
    quantised = folder / "model-int8.onnx"
    ids = torch.ones((2, 16), dtype=torch.int64)
    names = ["input_ids", "attention_mask"]
    args: tuple[Any, ...] = (ids, torch.ones_like(ids))
    if encoder._uses_token_types:
        names.append("token_type_ids")
        args = (*args, torch.zeros_like(ids))
    dynamic = {name: {0: "batch", 1: "tokens"} for name in names}
    dynamic["last_hidden_state"] = {0: "batch", 1: "tokens"}

    class _Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: Any) -> Any:
            return self.model(**dict(zip(names, inputs, strict=True))).last_hidden_state

    model = encoder.model.float()
    torch.onnx.export(
        _Hidden(model),
        args,
        str(fp32),
        input_names=names,
        output_names=["last_hidden_state"],
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )
    config = model.config
    fusions = FusionOptions("bert")
    fusions.enable_attention = False  # see the module docstring
    fusions.enable_skip_layer_norm = False
    fusions.enable_gelu_approximation = True
    optimized = optimize_model(
        str(fp32),
        model_type="bert",
        num_heads=int(config.num_attention_heads),
        hidden_size=int(config.hidden_size),
        optimization_options=fusions,
    )
    optimized.save_model_to_file(str(fused))
    partial = folder / "model-int8.onnx.partial"
    quantize_dynamic(
        str(fused),
        str(partial),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    # Renamed only once whole: a build killed half-way leaves no graph that looks finished.
    os.replace(partial, quantised)
    for path in (fp32, fused):
        path.unlink(missing_ok=True)
    return quantised
