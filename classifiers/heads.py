"""Small heads on the shared embeddings, stored as plain numpy arrays plus readable metadata.

Each head is one file pair in a heads folder: `<task>.npz` (the weights) and `<task>.json` (what
it was trained on, when, on which encoder, and its measured metrics). Prediction is a couple of
matrix products in numpy, so loading a head costs milliseconds and inference needs no sklearn.

Tasks and what their scores mean:
- `sentiment`: softmax over negative / neutral / positive.
- `complaint`: sigmoid, the probability that the post is a complaint.
- `route`: sigmoid, the probability that the post should leave the public channel (`private_dm`).
- `intent`: independent sigmoids, one per intent label (a post can be billing *and* a question).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from classifiers import lexicon
from kernel.errors import ConfigError
from kernel.vocab import INTENTS, SENTIMENTS, TASKS, Task

Kind = Literal["softmax", "sigmoid", "multilabel"]

__all__ = ["TASKS", "Task"]  # one vocabulary: kernel/vocab.py
SENTIMENT_LABELS = SENTIMENTS
INTENT_LABELS = INTENTS
#: The label whose probability a binary (sigmoid) head reports.
POSITIVE_LABEL: dict[str, str] = {"complaint": "complaint", "route": "private_dm"}
KIND: dict[str, Kind] = {
    "sentiment": "softmax",
    "complaint": "sigmoid",
    "route": "sigmoid",
    "intent": "multilabel",
}
FORMAT_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class Head:
    """A feed-forward head: ReLU between layers, softmax or sigmoid on the last one.

    A logistic regression is a single layer; a small MLP has two. `weights[i]` has shape
    (inputs, outputs).
    """

    task: str
    kind: Kind
    labels: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    #: Divides the logits before softmax/sigmoid (calibration); 1.0 when not calibrated.
    temperature: float = 1.0
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """`route:v7` for a head the learning loop promoted (its version id), else when it
        was trained."""
        learned = self.metadata.get("learned_version")
        if learned is not None:
            return f"{self.task}:v{learned}"
        return f"{self.task}:{self.metadata.get('trained_at', 'unknown')}"

    @property
    def name(self) -> str:
        """How an explanation names it: `route v7 (learned)`, `route (shipped)`."""
        learned = self.metadata.get("learned_version")
        brand = self.metadata.get("brand")
        where = f"@{brand}" if brand else ""
        if learned is not None:
            return f"{self.task}{where} v{learned} (learned)"
        return f"{self.task}{where} ({self.metadata.get('origin', 'shipped')})"

    def arrays(self) -> dict[str, np.ndarray]:
        """The weights as the `.npz` of a heads folder holds them."""
        arrays: dict[str, np.ndarray] = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            arrays[f"w{i}"] = w.astype(np.float32)
            arrays[f"b{i}"] = b.astype(np.float32)
        return arrays

    def saved_metadata(self) -> dict[str, Any]:
        """The metadata as the `.json` of a heads folder holds it."""
        meta = dict(self.metadata)
        meta.update(
            format=FORMAT_VERSION,
            task=self.task,
            kind=self.kind,
            labels=list(self.labels),
            layers=len(self.weights),
            temperature=self.temperature,
        )
        return meta

    @property
    def lexicon_weight(self) -> float:
        """Weight of the lexicon columns appended to the embedding (0: the head has none)."""
        if self.metadata.get("features") != lexicon.RECIPE:
            return 0.0
        return float(self.metadata.get("lexicon_weight", 1.0))

    @property
    def extra_dim(self) -> int:
        return len(lexicon.COLUMNS) if self.lexicon_weight else 0

    @property
    def input_dim(self) -> int:
        """The width of the embeddings the head takes (its lexicon columns not counted)."""
        return int(self.weights[0].shape[0]) - self.extra_dim

    def inputs(self, embeddings: np.ndarray, lexicon_columns: np.ndarray | None) -> np.ndarray:
        """The embeddings, and the lexicon columns times their weight when the head uses them."""
        x = np.asarray(embeddings, dtype=np.float32)
        if not self.extra_dim:
            return x
        if lexicon_columns is None:
            raise ConfigError(
                f"the {self.task} head uses lexicon features ({lexicon.RECIPE}): "
                "score it with the texts (HeadSet.predict(embeddings, texts))"
            )
        weighted = np.asarray(lexicon_columns, dtype=np.float32) * np.float32(self.lexicon_weight)
        return np.hstack([x, weighted])

    def logits(
        self, embeddings: np.ndarray, lexicon_columns: np.ndarray | None = None
    ) -> np.ndarray:
        x = self.inputs(embeddings, lexicon_columns)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = x @ w + b
            if i < last:
                np.maximum(x, 0.0, out=x)
        return x / np.float32(self.temperature)

    def predict_proba(
        self, embeddings: np.ndarray, lexicon_columns: np.ndarray | None = None
    ) -> np.ndarray:
        """Shape (n, len(labels)) for softmax and multilabel heads, (n,) for sigmoid heads.

        `lexicon_columns`: `lexicon.lexicon_features` of the same texts, needed by a head
        fitted with them (metadata `features`), ignored by the others.
        """
        z = self.logits(embeddings, lexicon_columns)
        if self.kind == "softmax":
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        p = (1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))).astype(np.float32)
        return p[:, 0] if self.kind == "sigmoid" else p

    # --- storage -----------------------------------------------------------------------------

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / f"{self.task}.npz", **self.arrays())  # type: ignore[arg-type]
        path = folder / f"{self.task}.json"
        text = json.dumps(self.saved_metadata(), indent=2, sort_keys=True) + "\n"
        path.write_text(text, encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path, task: str) -> Head:
        meta_path, npz_path = folder / f"{task}.json", folder / f"{task}.npz"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            with np.load(npz_path) as data:
                arrays = {name: np.asarray(data[name]) for name in data.files}
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{meta_path}: cannot load the {task} head: {exc}") from exc
        return cls.from_arrays(meta, arrays, where=str(meta_path))

    @classmethod
    def from_arrays(
        cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], *, where: str
    ) -> Head:
        """A head from its metadata and weights (a heads folder's, or a stored version's)."""
        task = meta.get("task", "?")
        try:
            layers = int(meta["layers"])
            weights = tuple(np.asarray(arrays[f"w{i}"], dtype=np.float32) for i in range(layers))
            biases = tuple(np.asarray(arrays[f"b{i}"], dtype=np.float32) for i in range(layers))
        except (KeyError, ValueError) as exc:
            raise ConfigError(f"{where}: cannot load the {task} head: {exc}") from exc
        if meta.get("format") != FORMAT_VERSION:
            raise ConfigError(f"{where}: unknown head format {meta.get('format')!r}")
        if meta.get("features", lexicon.RECIPE) != lexicon.RECIPE:
            raise ConfigError(
                f"{where}: the {task} head uses features {meta['features']!r}, which this "
                f"version does not compute (it knows {lexicon.RECIPE!r}); retrain it with "
                "`social-triage train`"
            )
        return cls(
            task=task,
            kind=meta["kind"],
            labels=tuple(meta["labels"]),
            weights=weights,
            biases=biases,
            temperature=float(meta.get("temperature", 1.0)),
            metadata=meta,
        )


#: Shipped heads of the encoders the project ships heads for, besides the default's, by name.
OTHER_ENCODERS = {"sentence-transformers/all-MiniLM-L6-v2": "all-MiniLM-L6-v2"}


def shipped_heads_dir(encoder_version: str | None = None) -> Path:
    """The heads the project ships (trained on permissive data only, see docs/MODEL_CARD.md):
    those of the default encoder, or of the embedded all-MiniLM-L6-v2 (the default before
    issue 10) when `encoder_version` names it."""
    folder = Path(str(resources.files("classifiers") / "heads"))
    name = _base(encoder_version or "").rpartition("@")[0]
    return folder / OTHER_ENCODERS[name] if name in OTHER_ENCODERS else folder


def _base(version: str) -> str:
    """An encoder version without its backend suffix (`+onnx-int8`, `+bf16`): same weights."""
    return version.split("+", 1)[0]


def _same_weights(a: str, b: str) -> bool:
    """Two encoder versions name the same weights: same local fingerprint, or same hub id.

    The name part differs for one folder named two ways (the embedded model by default, or by
    its path), so local models compare by fingerprint only.
    """
    a_name, _, a_print = _base(a).rpartition("@")
    b_name, _, b_print = _base(b).rpartition("@")
    if "hub" in (a_print, b_print):
        return (a_name, a_print) == (b_name, b_print)
    return a_print == b_print


class HeadSet:
    """The four heads a classifier uses; a user's heads folder overrides the shipped ones, and
    the heads the learning loop promoted override both (`triage/learned_heads.py`).

    `brand_routes`: a brand's own route head (`learn`, from that brand's labels), used for the
    posts addressed to that brand instead of the global route head."""

    def __init__(self, heads: dict[str, Head], brand_routes: dict[str, Head] | None = None) -> None:
        self.heads = heads
        self.brand_routes = dict(brand_routes or {})

    @classmethod
    def load(
        cls,
        folder: Path | None = None,
        *,
        encoder_dim: int | None = None,
        encoder_version: str | None = None,
    ) -> HeadSet:
        """Each task from `folder` when it has that head, else from the shipped heads.

        Heads are refused when they were fitted on another encoder than the configured one: of
        another width, or (when both are known) another model of the same width, such as the
        base model of a fine-tuned encoder, whose embeddings would silently mean something else.
        """
        heads: dict[str, Head] = {}
        for task in TASKS:
            for candidate in (folder, shipped_heads_dir(encoder_version)):
                if candidate is not None and (candidate / f"{task}.json").is_file():
                    heads[task] = Head.load(candidate, task)
                    break
        for name, head in heads.items():
            where = head.metadata.get("encoder_version") or head.metadata.get("encoder")
            if encoder_dim is not None and head.input_dim != encoder_dim:
                raise ConfigError(
                    f"classifier.heads_dir: the {name} head expects {head.input_dim}-dimensional "
                    f"embeddings (trained on {where or 'another encoder'}); the configured model "
                    f"gives {encoder_dim}. Train heads for this model with `social-triage train`."
                )
            trained_on = head.metadata.get("encoder_version")
            if encoder_version and trained_on and not _same_weights(trained_on, encoder_version):
                raise ConfigError(
                    f"classifier.heads_dir: the {name} head was fitted on {_base(trained_on)}, "
                    f"not on the configured model {_base(encoder_version)}; point "
                    "classifier.heads_dir at heads trained for this model (`social-triage train`)"
                )
        return cls(heads)

    @property
    def reads_lexicon(self) -> bool:
        """Whether a head needs the texts' lexicon features."""
        return any(head.extra_dim for head in self.heads.values())

    @property
    def version(self) -> str:
        return ",".join(self.heads[t].version for t in TASKS if t in self.heads)

    def version_for(self, brand: str | None) -> str:
        """`version`, naming the brand's own route head when the brand has one."""
        head = self.brand_routes.get(brand) if brand else None
        if head is None:
            return self.version
        return ",".join(
            (head.version + f"@{brand}") if t == "route" else self.heads[t].version
            for t in TASKS
            if t in self.heads or t == "route"
        )

    def names(self, brand: str | None = None) -> list[str]:
        """How explanations name the heads in use for a post of `brand`."""
        heads = dict(self.heads)
        if brand and brand in self.brand_routes:
            heads["route"] = self.brand_routes[brand]
        return [heads[t].name for t in TASKS if t in heads]

    def predict(
        self,
        embeddings: np.ndarray,
        texts: Sequence[str] | None = None,
        languages: Sequence[str | None] | None = None,
        lexicon_columns: np.ndarray | None = None,
        brands: Sequence[str | None] | None = None,
    ) -> HeadScores:
        """Every head's scores. `texts` (and their detected `languages`, else detected here)
        are needed when a head uses lexicon features, as the shipped sentiment and route do;
        or their `lexicon_columns`, computed beforehand (`lexicon.features_for`). `brands`
        (one per text) choose a brand's own route head where it has one."""
        n = len(embeddings)
        scores = HeadScores(
            sentiment=np.full((n, 3), 1 / 3, dtype=np.float32),
            complaint=np.zeros(n, dtype=np.float32),
            private=np.zeros(n, dtype=np.float32),
            intents={label: np.zeros(n, dtype=np.float32) for label in INTENT_LABELS},
        )
        if n == 0:
            return scores
        columns = lexicon_columns
        if columns is None and texts is not None and self.reads_lexicon:
            columns = lexicon.features_for(texts, languages)
        if "sentiment" in self.heads:
            head = self.heads["sentiment"]
            proba = head.predict_proba(embeddings, columns)
            order = [head.labels.index(label) for label in SENTIMENT_LABELS]
            scores.sentiment = proba[:, order]
        if "complaint" in self.heads:
            scores.complaint = self.heads["complaint"].predict_proba(embeddings, columns)
        if "route" in self.heads:
            scores.private = self.heads["route"].predict_proba(embeddings, columns)
        if brands is not None and self.brand_routes:
            for brand, head in self.brand_routes.items():
                rows = np.flatnonzero([b == brand for b in brands])
                if len(rows):
                    own = None if columns is None else columns[rows]
                    scores.private[rows] = head.predict_proba(embeddings[rows], own)
        if "intent" in self.heads:
            head = self.heads["intent"]
            proba = head.predict_proba(embeddings, columns)
            for j, label in enumerate(head.labels):
                scores.intents[label] = proba[:, j]
        return scores


@dataclass
class HeadScores:
    """Every head's scores for a batch, columns aligned to the batch."""

    sentiment: np.ndarray  # (n, 3) in SENTIMENT_LABELS order
    complaint: np.ndarray  # (n,)
    private: np.ndarray  # (n,)
    intents: dict[str, np.ndarray]  # label -> (n,)
