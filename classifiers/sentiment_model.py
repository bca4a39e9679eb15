"""A full Hugging Face sequence-classification model as the sentiment signal, instead of a head.

For deployments that can afford a second transformer pass, for example a Twitter-tuned
three-class model (`classifier.sentiment_model: cardiffnlp/twitter-roberta-base-sentiment-latest`
or a local copy of it). Its labels are mapped onto negative / neutral / positive by name
(`negative`, `neg`, `LABEL_0`, ...); a model without a recognisable mapping is refused at start.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifiers.heads import SENTIMENT_LABELS
from kernel.errors import ConfigError

_NAMES = {
    "negative": 0,
    "neg": 0,
    "neutral": 1,
    "neu": 1,
    "positive": 2,
    "pos": 2,
}
#: Generic names in the order three-class sentiment models conventionally use.
_GENERIC = {"label_0": 0, "label_1": 1, "label_2": 2}


class SentimentModel:
    """Probabilities over SENTIMENT_LABELS from a sequence-classification model."""

    def __init__(
        self, model: str | Path, *, threads: int = 2, batch_size: int = 64, max_length: int = 128
    ) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.set_num_threads(threads)
        self.name = str(model)
        self.batch_size = batch_size
        self.max_length = max_length
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.name)
            self.model = AutoModelForSequenceClassification.from_pretrained(self.name)
        except (OSError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ConfigError(
                f"classifier.sentiment_model: cannot load {self.name!r}: {first}"
            ) from exc
        self.model.eval()
        id2label = {int(i): str(name).lower() for i, name in self.model.config.id2label.items()}
        self.columns = self._columns(id2label)
        self.version = f"{self.name}"

    def _columns(self, id2label: dict[int, str]) -> list[int]:
        """Model output index for each of negative, neutral, positive."""
        mapping = {i: _NAMES.get(name) for i, name in id2label.items()}
        if sorted(v for v in mapping.values() if v is not None) != [0, 1, 2]:
            mapping = {i: _GENERIC.get(name) for i, name in id2label.items()}
        if sorted(v for v in mapping.values() if v is not None) != [0, 1, 2]:
            names = ", ".join(id2label.values())
            raise ConfigError(
                f"classifier.sentiment_model: {self.name!r} has labels {names}; "
                "need negative, neutral and positive"
            )
        by_sentiment = {v: i for i, v in mapping.items() if v is not None}
        return [by_sentiment[k] for k in range(len(SENTIMENT_LABELS))]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), 3) in SENTIMENT_LABELS order; length-sorted batches."""
        import torch

        out = np.zeros((len(texts), 3), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            positions = order[start : start + self.batch_size]
            batch = self.tokenizer(
                [texts[i] for i in positions],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            with torch.inference_mode():
                logits = self.model(**batch).logits.float()
            proba = torch.softmax(logits, dim=-1).numpy()
            out[positions] = proba[:, self.columns]
        return out
