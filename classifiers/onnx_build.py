"""Build the int8 ONNX graph of an encoder in a few hundred MB instead of 5.4 GB.

The recipe (see `onnx_backend.py`) is unchanged: export with the legacy exporter, fuse with
ONNX Runtime's transformer optimiser, quantise dynamically to int8 per channel. What changed is
where the memory goes. Every one of those tools holds the whole model, often twice (a protobuf
and its serialised bytes, the graph before and after shape inference), and for
multilingual-e5-small 384 of its 470 MB are one tensor: the word embeddings (250,037 tokens x
384). Run as they were, the three steps peaked at 5.4 GB.

So the tools never see that tensor. The model is exported with a stand-in of a few thousand
rows: rows of the real table, with the table's minimum and maximum written into it, because
the quantiser gives the word-embedding `Gather` one scale and zero point computed from the
tensor's minimum and maximum alone. The stand-in therefore gets the same scale and zero point
as the real table would have. The real table is then quantised here, a few MB at a time, with
the quantiser's own function (`quantize_nparray`) and those very parameters, and put in the
stand-in's place. The file is the same, byte for byte, as the one the tools make from the whole
model (a test compares them on a small model; the 118 MB graph of multilingual-e5-small was
compared once when this was written, see docs/BENCHMARKS.md), so embeddings, the encoder's
version and the heads fitted on it are unchanged.

The real table is copied to a scratch file in the build folder while the tools run, and read
back in pieces: no step holds it whole.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from classifiers.model_cache import release_memory
from kernel.errors import ConfigError

#: Rows of the stand-in table (more than any position table, so the optimiser takes the path
#: it takes with the real one).
STAND_IN_ROWS = 2048
#: Rows read, quantised and written at a time.
CHUNK_ROWS = 8192


class Exportable(Protocol):
    """What building a graph needs of an encoder (`classifiers.encoder.Encoder` is one): named
    by type, not imported, since the encoder builds its graph through here."""

    name: str
    version: str
    _uses_token_types: bool

    def load_model(self) -> Any: ...


def build(encoder: Exportable, folder: Path, *, stand_in_rows: int | None = STAND_IN_ROWS) -> Path:
    """Export, optimise and quantise the encoder's model into `folder`/model-int8.onnx.

    `stand_in_rows=None` runs the tools on the whole model, as before the stand-in (the
    reference the tests compare with; 3.1 GB at the peak for multilingual-e5-small).
    """
    try:
        import onnx
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
    small = folder / "model-int8-stand-in.onnx"
    table = folder / "word-embeddings.f32"
    quantised = folder / "model-int8.onnx"
    try:
        exported = _export(encoder, fp32, table, stand_in_rows)
        release_memory()  # between steps: each tool leaves freed heap behind
        fusions = FusionOptions("bert")
        fusions.enable_attention = False  # see onnx_backend's docstring
        fusions.enable_skip_layer_norm = False
        fusions.enable_gelu_approximation = True
        optimized = optimize_model(
            str(fp32),
            model_type="bert",
            num_heads=exported.heads,
            hidden_size=exported.hidden,
            optimization_options=fusions,
        )
        optimized.save_model_to_file(str(fused))
        del optimized
        release_memory()
        quantize_dynamic(
            str(fused),
            str(small),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        release_memory()
        partial = folder / "model-int8.onnx.partial"
        if exported.stand_in is None:
            os.replace(small, partial)
        else:
            _put_back(small, partial, exported, table)
        # Renamed only once whole: a build killed half-way leaves no graph that looks finished.
        os.replace(partial, quantised)
    finally:
        for path in (fp32, fused, small, table):
            path.unlink(missing_ok=True)
    return quantised


@dataclass(frozen=True, kw_only=True)
class _Exported:
    """What the export leaves for the later steps: the table's name in the graph and shape."""

    name: str
    rows: int
    hidden: int
    heads: int
    #: The table the tools saw in the real one's place (None: they saw the real one).
    stand_in: np.ndarray | None


def _export(encoder: Exportable, fp32: Path, table: Path, stand_in_rows: int | None) -> _Exported:
    """Export the model with a stand-in word-embedding table; the real one goes to `table`."""
    import torch

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

    model = encoder.load_model().float()
    wrapped = _Hidden(model)
    embedding = model.get_input_embeddings()
    [name] = [key for key, value in wrapped.named_parameters() if value is embedding.weight]
    real = embedding.weight.detach()
    rows, hidden = (int(size) for size in real.shape)
    stand_in = None
    if stand_in_rows is not None:
        low, high = _copy_out(real, table)
        stand_in = real[: min(rows, stand_in_rows)].numpy().copy()
        stand_in.flat[0], stand_in.flat[-1] = low, high  # the quantiser reads only these two
        embedding.weight = torch.nn.Parameter(torch.from_numpy(stand_in))
        # The weights are views of the memory-mapped checkpoint, whose pages the copy above
        # made resident: copies of the small ones let the whole mapping go before the export.
        del real
        for parameter in model.parameters():
            parameter.data = parameter.data.clone()
        gc.collect()
    config = model.config
    torch.onnx.export(
        wrapped,
        args,
        str(fp32),
        input_names=names,
        output_names=["last_hidden_state"],
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )
    return _Exported(
        name=name,
        rows=rows,
        hidden=hidden,
        heads=int(config.num_attention_heads),
        stand_in=stand_in,
    )


def _copy_out(weight: Any, table: Path) -> tuple[float, float]:
    """Write `weight` (float32 rows) to `table`; its minimum and maximum."""
    low, high = np.inf, -np.inf
    with table.open("wb") as out:
        for start in range(0, int(weight.shape[0]), CHUNK_ROWS):
            rows = weight[start : start + CHUNK_ROWS].numpy()
            low, high = min(low, float(rows.min())), max(high, float(rows.max()))
            out.write(np.ascontiguousarray(rows, dtype="<f4").tobytes())
    return low, high


def _rows(table: Path, hidden: int) -> Iterator[np.ndarray]:
    with table.open("rb") as handle:
        while piece := handle.read(4 * hidden * CHUNK_ROWS):
            yield np.frombuffer(piece, dtype="<f4")


def _put_back(small: Path, target: Path, exported: _Exported, table: Path) -> None:
    """The quantised stand-in graph with the real table in the stand-in's place."""
    import onnx
    from onnx import numpy_helper
    from onnxruntime.quantization.quant_utils import quantize_nparray

    stand_in = exported.stand_in
    assert stand_in is not None
    model = onnx.load(str(small))
    tensors = {tensor.name: tensor for tensor in model.graph.initializer}
    name = exported.name
    if name + "_quantized" in tensors:  # the Gather was quantised: one scale, one zero point
        target_tensor = tensors[name + "_quantized"]
        scale = numpy_helper.to_array(tensors[name + "_scale"])
        zero = numpy_helper.to_array(tensors[name + "_zero_point"])
        kind = target_tensor.data_type
        ours = quantize_nparray(kind, stand_in.reshape(-1), scale, zero)
        if not np.array_equal(ours, numpy_helper.to_array(target_tensor).reshape(-1)):
            raise RuntimeError(f"{name}: the quantiser no longer quantises a Gather as expected")
        rows = _rows(table, exported.hidden)
        pieces = [quantize_nparray(kind, piece, scale, zero).tobytes() for piece in rows]
    elif name in tensors:  # left in float32
        target_tensor = tensors[name]
        pieces = [rows.tobytes() for rows in _rows(table, exported.hidden)]
    else:
        raise RuntimeError(f"{name}: the word embeddings are missing from the quantised graph")
    del target_tensor.dims[:]
    target_tensor.dims.extend([exported.rows, exported.hidden])
    target_tensor.raw_data = b"".join(pieces)
    del pieces
    onnx.save_model(model, str(target))
