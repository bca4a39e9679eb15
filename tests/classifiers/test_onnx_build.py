"""The int8 graph built with a stand-in word-embedding table is the graph of the whole model.

The stand-in is what keeps the first run under 1.5 GB (classifiers/onnx_build.py); these tests
hold it to the bytes the tools give when they see the whole model, so embeddings, the encoder's
version and the heads fitted on it cannot drift with it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifiers.encoder import Encoder
from tests.classifiers.test_encoder import build_tiny_bert

pytestmark = pytest.mark.filterwarnings("ignore")  # the exporter's deprecation and tracer notes


@pytest.fixture(scope="module")
def wide_vocab_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny BERT with 600 token rows: more than the stand-in's 200 and the 128 positions."""
    import torch
    from transformers import BertConfig, BertModel

    folder = build_tiny_bert(tmp_path_factory.mktemp("wide-vocab"))
    config = BertConfig.from_pretrained(folder)
    config.vocab_size = 600
    torch.manual_seed(1)
    model = BertModel(config)
    with torch.no_grad():  # a table with a wide spread, so its minimum and maximum matter
        model.embeddings.word_embeddings.weight.mul_(torch.linspace(0.1, 9.0, 600)[:, None])
    model.save_pretrained(folder)
    return folder


def test_stand_in_build_is_byte_for_byte_the_whole_model_build(
    wide_vocab_model: Path, tmp_path: Path
) -> None:
    onnx = pytest.importorskip("onnx")
    from classifiers.onnx_build import build

    encoder = Encoder(wide_vocab_model, threads=1)
    whole = build(encoder, tmp_path / "whole", stand_in_rows=None)
    streamed = build(encoder, tmp_path / "stand-in", stand_in_rows=200)
    assert streamed.read_bytes() == whole.read_bytes()
    # Only the graph is left: no scratch table, no intermediate graphs.
    assert [path.name for path in (tmp_path / "stand-in").iterdir()] == ["model-int8.onnx"]
    tables = [
        tensor
        for tensor in onnx.load(streamed).graph.initializer
        if tensor.name.startswith("model.embeddings.word_embeddings.weight_quantized")
    ]
    assert [list(table.dims) for table in tables] == [[600, 32]]


def test_stand_in_graph_embeds_like_the_encoder(
    wide_vocab_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """And the graph reads the real table: its embeddings follow the fp32 model's."""
    pytest.importorskip("onnx")
    from classifiers import onnx_backend

    texts = ["you charged my card twice", "where is my order", "love the new app thanks"]
    reference = Encoder(wide_vocab_model, threads=1).encode(texts)
    monkeypatch.setattr(onnx_backend, "CACHE", tmp_path)
    int8 = Encoder(wide_vocab_model, threads=1, backend="onnx-int8").encode(texts)
    cosines = (reference * int8).sum(axis=1)
    assert np.all(cosines > 0.99), cosines
