"""The streaming writer gives the very bytes `safetensors.save_file` gives, read back alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from classifiers import safetensors_stream


def test_streamed_file_is_the_library_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    arrays = {
        "b.weight": rng.standard_normal((5, 3), dtype=np.float32),
        "a.bias": rng.standard_normal(3, dtype=np.float32),
        "c": rng.standard_normal((2, 2, 7), dtype=np.float32),
    }
    save_file(arrays, str(tmp_path / "library.safetensors"), metadata={"format": "pt"})
    streamed = {  # each tensor in pieces of 4 values, as the e5 writer streams them
        name: (array.shape, lambda a=array: np.array_split(a.reshape(-1), -(-a.size // 4)))
        for name, array in arrays.items()
    }
    safetensors_stream.write(tmp_path / "streamed.safetensors", streamed, {"format": "pt"})
    ours = (tmp_path / "streamed.safetensors").read_bytes()
    assert ours == (tmp_path / "library.safetensors").read_bytes()
    for name, array in load_file(str(tmp_path / "streamed.safetensors")).items():
        np.testing.assert_array_equal(array, arrays[name])


def test_a_short_tensor_is_refused(tmp_path: Path) -> None:
    short = {"w": ((4, 4), lambda: [np.zeros(15, dtype=np.float32)])}
    with pytest.raises(ValueError, match="tensor w gave 15 values for shape"):
        safetensors_stream.write(tmp_path / "short.safetensors", short, {})
