"""The whole classification step for a batch: encode once, every head, detectors, rules.

texts ──tokenise+encode (one batched pass)──► embeddings ──heads──► scores ─┐
  ├──sensitive.detect, keyword_hits ─────────────────────────────────────────┼─► Signals
  └──language (post.lang, else stopwords) ───────────────────────────────────┘      │
                                                      RuleSet.decide (first match) ◄─┘

The texts are tokenised once and cut into length-sorted batches, four to a chunk. The encoder
works on its own threads (`Encoder.start_tokens`) while this thread finds what the text alone
says (sensitive data, keywords, language) and runs the heads and rules of the chunk before:
the per-post Python work overlaps the encoder instead of following it (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np
from threadpoolctl import ThreadpoolController

from classifiers.heads import INTENT_LABELS, SENTIMENT_LABELS, HeadScores, HeadSet
from classifiers.language import detect_language
from classifiers.lexicon import features_for
from kernel.abc import Rules
from kernel.models import Decision, Post, SensitiveFinding, Signals

if TYPE_CHECKING:
    from classifiers.encoder import Encoder
    from classifiers.sentiment_model import SentimentModel
    from config.schema import Settings

#: A keyword hit in one of these categories lifts the intent score to at least this much:
#: the deterministic lists catch short threats and outage reports the heads may miss. Not when
#: the post is clear praise (`classifiers.praise.PRAISE`): then only the praise intent is lifted.
KEYWORD_INTENT_FLOOR = 0.8
#: Encoder batches per chunk of a call (see `Classifier._signal_chunks`).
CHUNK_BATCHES = 4


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
        # Finds the BLAS libraries once: `threadpool_limits()` rescans them on every call (0.6 ms).
        self._threadpools: ThreadpoolController | None = None

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
                batch_size=settings.classifier.encoder_batch_size(),
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
        return self.model_version_for(None)

    def model_version_for(self, brand: str | None) -> str:
        """The encoder and heads that decide a post of `brand` (a brand's own route head
        where it has one)."""
        version = f"{self.encoder.version};heads={self.heads.version_for(brand)}"
        if self.sentiment_model is not None:
            version += f";sentiment={self.sentiment_model.version}"
        return version

    def signals(
        self, texts: Sequence[str], posts: Sequence[Post | None] | None = None
    ) -> list[Signals]:
        """Signals per text, in order. `posts` (same length) supply the platform's language."""
        result: list[Signals | None] = [None] * len(texts)
        for positions, chunk in self._signal_chunks(texts, posts):
            for i, signals in zip(positions, chunk, strict=True):
                result[i] = signals
        return cast("list[Signals]", result)

    def classify(self, items: Sequence[tuple[Post | None, str]]) -> list[tuple[Signals, Decision]]:
        """Signals and the routing decision for each (post, text), in order."""
        posts = [post for post, _ in items]
        texts = [text for _, text in items]
        results: list[tuple[Signals, Decision] | None] = [None] * len(items)
        versions: dict[str | None, str] = {}
        # Each chunk's rules run while the encoder works on the next chunk.
        for positions, chunk in self._signal_chunks(texts, posts):
            for i, signals in zip(positions, chunk, strict=True):
                decision = self.rules.decide(
                    posts[i], texts[i], signals, review_threshold=self.review_threshold
                )
                if decision.model_version is None:
                    post = posts[i]
                    brand = post.brand if post is not None else None
                    if brand not in versions:
                        versions[brand] = self.model_version_for(brand)
                    decision = _with_model_version(decision, versions[brand])
                results[i] = (signals, decision)
        return cast("list[tuple[Signals, Decision]]", results)

    def _signal_chunks(
        self, texts: Sequence[str], posts: Sequence[Post | None] | None
    ) -> Iterator[tuple[list[int], list[Signals]]]:
        """(input positions, their signals) chunk by chunk; each next chunk starts encoding first.

        A chunk is `CHUNK_BATCHES` encoder batches: while the caller (and this thread) work on
        one chunk's features, heads and rules, the workers already encode the next, so neither
        the per-post Python work nor the encoder waits for the other. The texts are tokenised
        once and cut into exactly the batches one `Encoder.start` of all of them would make
        (length-sorted), which are grouped into chunks, the longest first so that the last one
        is quick: the results are those of one call, bit for bit, whatever the chunking.
        """
        size = self.encoder.batch_size * CHUNK_BATCHES
        ids = self.encoder.tokenize(texts) if len(texts) else []
        order = np.argsort([len(x) for x in ids], kind="stable").tolist()  # as Encoder.batches
        chunks = [order[start : start + size] for start in range(0, len(order), size)][::-1]
        if not chunks:
            return

        def begin(positions: list[int]) -> Callable[[], np.ndarray]:
            return self.encoder.start_tokens([ids[i] for i in positions])

        pending = [begin(chunks[0])]
        # The heads' small matrix products on one BLAS thread: OpenBLAS threads that spin
        # after each product took the cores from the encoder workers (chunks ran 15% slower).
        if self._threadpools is None:
            self._threadpools = ThreadpoolController()
        blas = self._threadpools.limit(limits=1, user_api="blas")
        try:
            for k, positions in enumerate(chunks):
                if k + 1 < len(chunks):
                    pending.append(begin(chunks[k + 1]))
                chunk = [texts[i] for i in positions]
                chunk_posts = [posts[i] for i in positions] if posts is not None else None
                # What the text alone says, while the encoder's threads (if any) work.
                features = [
                    text_features(text, chunk_posts[j] if chunk_posts is not None else None)
                    for j, text in enumerate(chunk)
                ]
                languages = [feature.language for feature in features]
                columns = features_for(chunk, languages) if self.heads.reads_lexicon else None
                brands = (
                    [post.brand if post is not None else None for post in chunk_posts]
                    if chunk_posts is not None and self.heads.brand_routes
                    else None
                )
                scores = self.heads.predict(
                    pending.pop(0)(), chunk, languages, columns, brands=brands
                )
                if self.sentiment_model is not None:
                    scores.sentiment = self.sentiment_model.predict_proba(chunk)
                yield positions, signals_from_scores(chunk, scores, chunk_posts, features)
        finally:
            for gather in pending:  # even after an error: leave no work behind
                gather()
            blas.restore_original_limits()


class TextFeatures(NamedTuple):
    """The signals that come from the text alone, without the model."""

    keywords: dict[str, tuple[str, ...]]
    sensitive: tuple[SensitiveFinding, ...]
    language: str | None


def text_features(text: str, post: Post | None = None) -> TextFeatures:
    from classifiers.sensitive import detect, keyword_hits

    findings = detect(text)
    if post is not None:
        findings = with_masked_kinds(findings, post, text)
    return TextFeatures(
        keywords=keyword_hits(text),
        sensitive=findings,
        language=detect_language(text, hint=post.lang if post else None),
    )


#: Where a value masked at rest sits in the stored text (`kernel.protect`).
_MASK_MARK = re.compile(r"(?:\*[ -]?){4,}(?:[\d -]*\d)?")


def with_masked_kinds(
    findings: tuple[SensitiveFinding, ...], post: Post, text: str
) -> tuple[SensitiveFinding, ...]:
    """The findings plus the kinds masked before the post was stored (`raw["_masked"]`), so
    a stored post routes as its original text does, whatever the mask looks like."""
    masked = post.raw.get("_masked") if isinstance(post.raw, dict) else None
    if not isinstance(masked, list):
        return findings
    missing = [k for k in masked if isinstance(k, str) and k not in {f.kind for f in findings}]
    if not missing:
        return findings
    mark = _MASK_MARK.search(text)
    start, end = mark.span() if mark else (0, 0)
    added = tuple(
        SensitiveFinding(kind=kind, start=start, end=end, preview=text[start:end])
        for kind in missing
    )
    return tuple(sorted(findings + added, key=lambda f: f.start))


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
    distributions = scores.sentiment.tolist()
    complaint = scores.complaint.tolist()
    private = scores.private.tolist()
    intent_columns = [(label, scores.intents[label].tolist()) for label in INTENT_LABELS]
    for i, (hits, findings, language) in enumerate(features):
        intents = {label: column[i] for label, column in intent_columns}
        # Clear praise ("entrega chegou muito rápido, parabéns") keeps the heads' scores: a
        # topic word in a thank-you is no request to lift into an account-specific intent.
        lifted = ("praise",) if "praise" in hits else hits
        for category in lifted:
            if category in intents:
                intents[category] = max(intents[category], KEYWORD_INTENT_FLOOR)
        signals = Signals(
            sentiment=labels[i],
            sentiment_score=sentiment[i],
            complaint=complaint[i],
            private_score=private[i],
            intents=intents,
            sensitive=findings,
            language=language,
            keywords=tuple(hits),
            sentiment_scores=dict(zip(SENTIMENT_LABELS, distributions[i], strict=True)),
        )
        result.append(read_as_meant(signals) if "sarcasm" in hits else signals)
    return result


def read_as_meant(signals: Signals) -> Signals:
    """Sarcastic praise (`classifiers.praise.sarcasm`) read for what it means.

    The heads read "thanks for the 12 hour delay, really appreciate it" as the praise its words
    are: the positive and negative sentiment scores change places when positive leads, the
    complaint score is lifted and the praise intent lowered to the keyword floor's mirror, so
    the rules, the digest and the trend see a complaint.
    """
    scores = dict(signals.sentiment_scores)
    if scores and max(scores, key=scores.__getitem__) == "positive":
        scores["positive"], scores["negative"] = scores["negative"], scores["positive"]
    label = max(scores, key=scores.__getitem__) if scores else signals.sentiment
    intents = dict(signals.intents)
    if "praise" in intents:
        intents["praise"] = min(intents["praise"], 1 - KEYWORD_INTENT_FLOOR)
    return replace(
        signals,
        sentiment=label,
        sentiment_score=scores.get(label, signals.sentiment_score),
        sentiment_scores=scores,
        complaint=max(signals.complaint, KEYWORD_INTENT_FLOOR),
        intents=intents,
    )


def _with_model_version(decision: Decision, version: str) -> Decision:
    return replace(decision, model_version=version)


def signals_to_json(signals: Signals, decision: Decision) -> dict[str, Any]:
    """The `social-triage classify` line for one post (without `row`)."""
    return {
        "summary": decision.summary.get("en"),
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
