"""The shared encoder: any local model path (a tiny BERT built here), pooling, order, versions.

`build_tiny_bert` and `tiny_heads` are reused by the other classifier tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifiers.encoder import MINILM_NAME, Encoder, mean_pool
from config.classifier import ClassifierSettings
from kernel.errors import ConfigError

WORDS = str.split(
    "the my you i is it not to and a of for card charged twice refund account login "
    "password app crash down love great thanks help order late delivery where why what "
    "how please never again worst best new today hello acme bill money back fire lawyer "
    "free click link minha conta não cobrança pedido obrigado "
)


def build_tiny_bert(folder: Path) -> Path:
    """A 2-layer, 32-wide BERT with a WordPiece tokenizer, saved like a hub model (no hub)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *(f"##{c}" for c in "sdegr")]
    vocab += [c for c in "abcdefghijklmnopqrstuvwxyz0123456789@?!.,'" if c not in vocab]
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab_file=str(vocab_file), do_lower_case=True)
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


TEXTS = [
    "you charged my card twice",
    "love the new app, thanks",
    "where is my order",
    "a",
    "the app is down again and nobody can login to my account please help me today",
]


def test_local_model_path_encodes_unit_vectors_in_input_order(tiny_model: Path) -> None:
    encoder = Encoder(tiny_model, batch_size=2, threads=1)
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 32)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    one_by_one = np.vstack([encoder.encode([text]) for text in TEXTS])
    # Length-sorted batches with padding must give each post exactly its own embedding.
    np.testing.assert_allclose(vectors, one_by_one, atol=1e-5)


def test_batches_are_length_sorted_and_padded_per_batch(tiny_model: Path) -> None:
    encoder = Encoder(tiny_model, batch_size=2, threads=1)
    batches = encoder.batches(encoder.tokenize(TEXTS))
    widths = [ids.shape[1] for _, ids, _ in batches]
    assert widths == sorted(widths)
    positions = np.concatenate([p for p, _, _ in batches])
    assert sorted(positions.tolist()) == list(range(len(TEXTS)))
    for _, ids, mask in batches:
        assert (mask.sum(axis=1) > 0).all()
        assert ((ids == encoder.pad_id) | (mask == 1)).all()


MIXED = [*TEXTS, *(" ".join(WORDS[i : i + 1 + i % 9]) for i in range(23))]


def test_worker_threads_give_the_sequential_result_in_input_order(tiny_model: Path) -> None:
    import torch

    sequential = Encoder(tiny_model, batch_size=3, threads=1)
    expected = sequential.encode(MIXED)
    threaded = Encoder(tiny_model, batch_size=3, threads=2)
    assert threaded.workers == 2
    pending = threaded.start(MIXED)
    np.testing.assert_array_equal(pending(), expected)
    assert torch.get_num_threads() == 2  # one per worker while they ran, then back
    # One batch runs on the calling thread over two intra-op threads: the same up to rounding.
    np.testing.assert_allclose(threaded.encode(MIXED[:1]), expected[:1], rtol=0, atol=1e-6)
    assert threaded.encode([]).shape == (0, 32)


@pytest.mark.filterwarnings("ignore")  # the ONNX exporter's own deprecation and tracer notes
def test_onnx_int8_runs_one_batch_per_thread_with_unchanged_results(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    onnx = pytest.importorskip("onnx")
    from classifiers import model_cache, onnx_backend

    monkeypatch.setattr(model_cache, "CACHE", tmp_path)
    threaded = Encoder(tiny_model, batch_size=3, threads=2, backend="onnx-int8")
    sequential = Encoder(tiny_model, batch_size=3, threads=1, backend="onnx-int8")
    assert (threaded.workers, sequential.workers) == (2, 1)
    assert threaded._onnx.session.get_session_options().intra_op_num_threads == 1
    # Dynamic int8 quantisation depends on the batch, so equal batches must give equal bits.
    np.testing.assert_array_equal(threaded.encode(MIXED), sequential.encode(MIXED))
    # The graph recipe is in the version (another recipe: another cached graph, other heads).
    assert threaded.version.endswith(f"+onnx-int8-r{onnx_backend.RECIPE}")
    [folder] = [path for path in (tmp_path / "onnx").iterdir() if path.is_dir()]  # not locks
    ops = {node.op_type for node in onnx.load(folder / "model-int8.onnx").graph.node}
    assert "FastGelu" in ops and not ops & {"QAttention", "Attention", "SkipLayerNormalization"}


def test_empty_input_and_from_settings(tiny_model: Path) -> None:
    settings = ClassifierSettings(model=str(tiny_model), threads=1, batch_size=8, max_length=16)
    encoder = Encoder.from_settings(settings)
    assert encoder.encode([]).shape == (0, 32)
    assert encoder.max_length == 16
    long = " ".join(["card"] * 100)
    assert len(encoder.tokenize([long])[0]) == 16
    assert encoder.version.startswith(str(tiny_model) + "@")
    assert encoder.name == str(tiny_model)
    assert encoder.batch_size == 8


def test_batch_size_defaults_by_backend() -> None:
    assert ClassifierSettings().encoder_batch_size() == 32  # onnx-int8 by default
    assert ClassifierSettings(backend="torch").encoder_batch_size() == 64
    assert ClassifierSettings(backend="bf16").encoder_batch_size() == 64
    assert ClassifierSettings(backend="onnx-int8").encoder_batch_size() == 32
    assert ClassifierSettings(backend="onnx-int8", batch_size=16).encoder_batch_size() == 16


def test_unknown_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"classifier\.model"):
        Encoder(tmp_path / "no-such-model")


def test_mean_pool_ignores_padding() -> None:
    hidden = np.array([[[1.0, 0.0], [3.0, 0.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    np.testing.assert_allclose(mean_pool(hidden, mask), [[1.0, 0.0]])


@pytest.mark.slow
def test_former_default_minilm_stays_selectable() -> None:
    encoder = Encoder(MINILM_NAME)
    assert encoder.dim == 384
    assert encoder.prefix == ""
    assert encoder.version.startswith("sentence-transformers/all-MiniLM-L6-v2@")
    a, b, c = encoder.encode(
        ["I was charged twice for my subscription", "double charge on my bill", "I love dogs"]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_default_is_multilingual_e5_with_its_query_prefix() -> None:
    encoder = Encoder()
    assert encoder.version.startswith("intfloat/multilingual-e5-small@")
    assert encoder.prefix == "query: "
    ids = encoder.tokenize(["minha conta"])[0]
    assert encoder.tokenizer.convert_ids_to_tokens([ids[0], ids[-1]]) == ["<s>", "</s>"]
    assert encoder.tokenizer.decode(ids, skip_special_tokens=True) == "query: minha conta"
    en, pt, other = encoder.encode(
        [
            "I was charged twice for my subscription",
            "fui cobrado duas vezes pela minha assinatura",
            "I love dogs",
        ]
    )
    # Multilingual: the Portuguese paraphrase is nearer than an English text on another topic.
    assert float(en @ pt) > float(en @ other) + 0.05


def test_a_model_that_cannot_load_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json", encoding="utf-8")
    for model in (str(tmp_path / "missing"), str(broken)):
        with pytest.raises(ConfigError, match=r"^classifier\.model: cannot load ") as info:
            Encoder(model, threads=1)
        assert "\n" not in str(info.value) and model in str(info.value)
