"""Write a float32 `.safetensors` file one piece of one tensor at a time.

`safetensors.save_file` wants every tensor in memory and builds the whole file as one buffer
besides: for multilingual-e5-small that is 470 MB of weights held twice, on top of the source
they come from. The format is simple enough to stream (an 8-byte little-endian header length, a
JSON header, then the tensors' bytes back to back), and this writer produces the same bytes as
the library: tensors ordered by name (all of one dtype), the header as compact JSON padded with
spaces to a multiple of 8 (a test compares the two).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np

#: A tensor's shape, and a call giving its float32 values in row-major pieces.
Tensor = tuple[tuple[int, ...], Callable[[], Iterable[np.ndarray]]]


def write(path: Path, tensors: Mapping[str, Tensor], metadata: dict[str, str]) -> None:
    """Write `tensors` (float32) to `path`, each piece as it comes."""
    header: dict[str, object] = {"__metadata__": metadata}
    at = 0
    names = sorted(tensors)
    for name in names:
        shape = tensors[name][0]
        size = 4 * int(np.prod(shape, dtype=np.int64))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [at, at + size]}
        at += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with path.open("wb") as out:
        out.write(struct.pack("<Q", len(text)) + text)
        for name in names:
            shape, pieces = tensors[name]
            written = 0
            for piece in pieces():
                out.write(np.ascontiguousarray(piece, dtype="<f4").tobytes())
                written += piece.size
            if written != int(np.prod(shape, dtype=np.int64)):
                raise ValueError(f"{path}: tensor {name} gave {written} values for shape {shape}")
