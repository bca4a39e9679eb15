"""The whole classification step for a batch: encode once, every head, detectors, rules.

texts ──tokenise+encode (one batched pass)──► embeddings ──heads──► scores ─┐
  ├──sensitive.detect, keyword_hits ─────────────────────────────────────────┼─► Signals
  └──language (post.lang, else stopwords) ───────────────────────────────────┘      │
                                                      RuleSet.decide (first match) ◄─┘

The encoder works on its own threads (`Encoder.start`) while this thread finds what the text
alone says (sensitive data, keywords, language); heads and rules need the embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from classifiers.heads import INTENT_LABELS, SENTIMENT_LABELS, HeadScores, HeadSet
from classifiers.language import detect_language
from triage.models import Decision, Post, SensitiveFinding, Signals

if TYPE_CHECKING:
    from classifiers.encoder import Encoder
    from classifiers.sentiment_model import SentimentModel
    from config.schema import Settings

#: A keyword hit in one of these categories lifts the intent score to at least this much:
#: the deterministic lists catch short threats and outage reports the heads may miss.
KEYWORD_INTENT_FLOOR = 0.8


class Rules(Protocol):
    """What the pipeline needs from `classifiers.rules.RuleSet`."""

    version: str

    def decide(
        self, post: Post | None, text: str, signals: Signals, *, review_threshold: float
    ) -> Decision: ...


class Classifier:
    """Turns texts (and their posts, when known) into Signals and Decisions, in batches."""

    def __init__(
        self,
        encoder: Encoder,
        heads: HeadSet,
        rules: Rules,
        *,
        review_threshold: float = 0.55,
        sentiment_model: SentimentModel | None = None,
    ) -> None:
        self.encoder = encoder
        self.heads = heads
        self.rules = rules
        self.review_threshold = review_threshold
        self.sentiment_model = sentiment_model

    @classmethod
    def from_settings(cls, settings: Settings) -> Classifier:
        from classifiers.encoder import Encoder
        from classifiers.rules import RuleSet

        encoder = Encoder.from_settings(settings.classifier)
        heads = HeadSet.load(
            settings.classifier.heads_dir, encoder_dim=encoder.dim, encoder_version=encoder.version
        )
        rules = RuleSet.load(settings.rules) if settings.rules else RuleSet.default()
        sentiment_model = None
        if settings.classifier.sentiment_model:
            from classifiers.sentiment_model import SentimentModel

            sentiment_model = SentimentModel(
                settings.classifier.sentiment_model,
                threads=settings.classifier.threads,
                batch_size=settings.classifier.batch_size,
                max_length=settings.classifier.max_length,
            )
        return cls(
            encoder,
            heads,
            rules,
            review_threshold=settings.classifier.review_threshold,
            sentiment_model=sentiment_model,
        )

    @property
    def model_version(self) -> str:
        version = f"{self.encoder.version};heads={self.heads.version}"
        if self.sentiment_model is not None:
            version += f";sentiment={self.sentiment_model.version}"
        return version

    def signals(
        self, texts: Sequence[str], posts: Sequence[Post | None] | None = None
    ) -> list[Signals]:
        """Signals per text, in order. `posts` (same length) supply the platform's language."""
        texts = list(texts)
        pending = self.encoder.start(texts)
        try:
            # What the text alone says, while the encoder's threads (if any) work.
            features = [
                text_features(text, posts[i] if posts is not None else None)
                for i, text in enumerate(texts)
            ]
        finally:
            embeddings = pending()  # even after an error here: leave no work behind
        scores = self.heads.predict(embeddings)
        if self.sentiment_model is not None and len(texts):
            scores.sentiment = self.sentiment_model.predict_proba(texts)
        return signals_from_scores(texts, scores, posts, features)

    def classify(self, items: Sequence[tuple[Post | None, str]]) -> list[tuple[Signals, Decision]]:
        """Signals and the routing decision for each (post, text), in order."""
        posts = [post for post, _ in items]
        texts = [text for _, text in items]
        results = []
        version = self.model_version
        for post, text, signals in zip(posts, texts, self.signals(texts, posts), strict=True):
            decision = self.rules.decide(
                post, text, signals, review_threshold=self.review_threshold
            )
            if decision.model_version is None:
                decision = _with_model_version(decision, version)
            results.append((signals, decision))
        return results


class TextFeatures(NamedTuple):
    """The signals that come from the text alone, without the model."""

    keywords: dict[str, tuple[str, ...]]
    sensitive: tuple[SensitiveFinding, ...]
    language: str | None


def text_features(text: str, post: Post | None = None) -> TextFeatures:
    from classifiers.sensitive import detect, keyword_hits

    return TextFeatures(
        keywords=keyword_hits(text),
        sensitive=detect(text),
        language=detect_language(text, hint=post.lang if post else None),
    )


def signals_from_scores(
    texts: Sequence[str],
    scores: HeadScores,
    posts: Sequence[Post | None] | None = None,
    features: Sequence[TextFeatures] | None = None,
) -> list[Signals]:
    """Signals per text from the heads' scores and `text_features` (computed when not given)."""
    if features is None:
        features = [
            text_features(text, posts[i] if posts is not None else None)
            for i, text in enumerate(texts)
        ]
    result = []
    best = scores.sentiment.argmax(axis=1) if len(texts) else np.zeros(0, dtype=np.int64)
    # Python floats once per column rather than a numpy scalar per post and score (the same
    # values: `tolist` and `float` convert alike).
    sentiment = scores.sentiment[np.arange(len(best)), best].tolist()
    labels = [SENTIMENT_LABELS[int(j)] for j in best]
    complaint = scores.complaint.tolist()
    private = scores.private.tolist()
    intent_columns = [(label, scores.intents[label].tolist()) for label in INTENT_LABELS]
    for i, (hits, findings, language) in enumerate(features):
        intents = {label: column[i] for label, column in intent_columns}
        for category in hits:
            if category in intents:
                intents[category] = max(intents[category], KEYWORD_INTENT_FLOOR)
        result.append(
            Signals(
                sentiment=labels[i],
                sentiment_score=sentiment[i],
                complaint=complaint[i],
                private_score=private[i],
                intents=intents,
                sensitive=findings,
                language=language,
                keywords=tuple(hits),
            )
        )
    return result


def _with_model_version(decision: Decision, version: str) -> Decision:
    return replace(decision, model_version=version)


def signals_to_json(signals: Signals, decision: Decision) -> dict[str, Any]:
    """The `social-triage classify` line for one post (without `row`)."""
    return {
        "route": str(decision.route),
        "needs_review": bool(decision.needs_review),
        "confidence": round(min(max(float(decision.confidence), 0.0), 1.0), 4),
        "rule": decision.rule,
        "sentiment": signals.sentiment,
        "sentiment_score": round(signals.sentiment_score, 4),
        "complaint": round(signals.complaint, 4),
        "private_score": round(signals.private_score, 4),
        "intents": {label: round(score, 4) for label, score in signals.intents.items()},
        "sensitive": sorted({finding.kind for finding in signals.sensitive}),
        "language": signals.language,
    }
