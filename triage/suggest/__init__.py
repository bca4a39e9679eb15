"""Suggested answers (tier 0): reply templates and help articles for a post in the queue.

The web app and the CLI queue call `suggestions(post, decision, signals, settings=...)` (or keep
a `Suggester` and call its `suggest`). Nothing here sends anything: an agent picks, edits and
sends a suggestion through a responder (`listener.respond.build_responder`).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.language import detect_language
from classifiers.sensitive import SensitiveDetector
from config.schema import Settings
from config.suggestions import ArticleBlend
from kernel.models import Decision, Post, Route, Signals
from kernel.vocab import INTENT_THRESHOLD
from triage.suggest import scoring
from triage.suggest.history import SentHistory
from triage.suggest.kb import (
    Article,
    KnowledgeBase,
    RankedArticle,
    TextEncoder,
    load_articles,
    load_knowledge_base,
)
from triage.suggest.replies import REPLIES, ReplyTemplates, clean_handle, first_name

_LONG_NUMBER = re.compile(r"\d{6,}")
#: Post vectors kept per `Suggester` (384 floats each: 1.5 MB for 1,000).
EMBED_CACHE = 1_000


@dataclass(frozen=True, kw_only=True, slots=True)
class SuggestedReply:
    #: `reply` (public: `Responder.reply`) or `dm` (`Responder.direct_message`).
    channel: str
    #: What the button says: "Public reply", "Public reply: continue in DM", ...
    label: str
    text: str
    #: The template file used, for the audit log.
    template: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Suggestions:
    replies: tuple[SuggestedReply, ...]
    #: Best first; empty without a configured knowledge base.
    articles: tuple[RankedArticle, ...]


class Suggester:
    """Templates and knowledge base of one configuration; thread-safe, build once."""

    def __init__(
        self,
        *,
        brand: str,
        templates: Path | None = None,
        knowledge_base: Path | None = None,
        encoder: TextEncoder | None = None,
        encoder_factory: Any = None,
        articles: int = 3,
        ranking: str = "blend",
        blend: ArticleBlend | None = None,
        history: SentHistory | None = None,
    ) -> None:
        self.brand = brand
        self.ranking = ranking
        self.blend = blend or ArticleBlend()
        #: The articles agents sent from the queue (None: the knowledge base's `links` only).
        self.history = history
        self.templates = ReplyTemplates(templates)
        self.knowledge_base = knowledge_base
        self.k = articles
        self._encoder = encoder
        self._encoder_factory = encoder_factory
        self._lock = threading.Lock()
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.detector = SensitiveDetector()
        if knowledge_base is not None:
            load_articles(knowledge_base)  # a bad file refuses to start, with file:line

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        encoder: TextEncoder | None = None,
        history: SentHistory | None = None,
    ) -> Suggester:
        """`encoder`: the classifier's, if the process has one; else built on first use.
        `history`: the send log of the process's store, for the blended ranking."""

        def build() -> TextEncoder:
            from classifiers.encoder import Encoder

            return Encoder.from_settings(settings.classifier)

        return cls(
            brand=settings.brand.name,
            templates=settings.suggestions.templates,
            knowledge_base=settings.suggestions.knowledge_base,
            encoder=encoder,
            encoder_factory=build,
            articles=settings.suggestions.articles,
            ranking=settings.suggestions.ranking,
            blend=settings.suggestions.blend,
            history=history,
        )

    def encoder(self) -> TextEncoder:
        with self._lock:
            if self._encoder is None:
                if self._encoder_factory is None:
                    raise RuntimeError("Suggester has no encoder")
                self._encoder = self._encoder_factory()
            return self._encoder

    def kb(self) -> KnowledgeBase | None:
        if self.knowledge_base is None:
            return None
        return load_knowledge_base(self.knowledge_base, self.encoder())

    def articles(self, post_text: str, k: int | None = None) -> tuple[RankedArticle, ...]:
        """The `k` (default: the configured number) best articles, best first: by the blended
        probability (`triage.suggest.scoring`), or by cosine with `ranking: similarity`."""
        kb = self.kb()
        if kb is None or not post_text.strip():
            return ()
        query = self._embed(post_text)
        if self.ranking == "similarity":
            return tuple(kb.rank(query, k or self.k))
        history = (
            self.history.snapshot(kb, self.encoder().encode) if self.history is not None else None
        )
        return tuple(scoring.rank(kb, query, k or self.k, blend=self.blend, history=history))

    def _embed(self, text: str) -> np.ndarray:
        """The post's vector; the last `EMBED_CACHE` are kept, since an agent opens a card
        more than once and encoding is most of a suggestion's time."""
        with self._lock:
            found = self._vectors.get(text)
            if found is not None:
                self._vectors.move_to_end(text)
                return found
        vector: np.ndarray = self.encoder().encode([text])[0]
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > EMBED_CACHE:
                self._vectors.popitem(last=False)
        return vector

    def replies(
        self,
        post: Post,
        route: Route | str,
        *,
        intent: str | None = None,
        complaint: bool = False,
        sensitive: bool = False,
        article: RankedArticle | None = None,
    ) -> tuple[SuggestedReply, ...]:
        lang = detect_language(post.text, hint=post.lang)
        context = {
            "author": self._safe(clean_handle(post.author.handle)),
            "first_name": first_name(post.author.name),
            "brand": self.brand,
            "route": str(Route(route).value),
            "intent": intent,
            "complaint": complaint,
            "language": lang,
            "sensitive": sensitive,
            "article": article,
        }
        out = []
        for spec in REPLIES[Route(route).value]:
            template = self.templates.find(
                spec.template, intent=intent, lang=lang, complaint=complaint
            )
            if template is None:
                continue
            text = self.templates.render(template, context)
            out.append(
                SuggestedReply(
                    channel=spec.channel,
                    label=spec.label,
                    text=text,
                    template=Path(template.filename or spec.template).name,
                )
            )
        return tuple(out)

    def _safe(self, value: str) -> str:
        """A stranger-written value with any sensitive data in it masked (a handle can hold a
        card number on a platform that does not restrict handles)."""
        value = self.detector.redact(value) if self.detector.detect(value) else value
        # Long digit runs glued to letters escape the detector's word boundaries.
        return _LONG_NUMBER.sub(lambda m: "*" * (len(m.group(0)) - 2) + m.group(0)[-2:], value)

    def suggest(
        self, post: Post, decision: Decision, signals: Signals | None = None
    ) -> Suggestions:
        intent = top_intent(signals)
        articles = self.articles(post.text) if decision.route != Route.IGNORE else ()
        replies = self.replies(
            post,
            decision.route,
            intent=intent,
            complaint=is_complaint(signals),
            sensitive=bool(signals and signals.sensitive),
            # A public reply never links an article chosen for a post with sensitive data.
            article=articles[0] if articles and decision.route == Route.PUBLIC_REPLY else None,
        )
        return Suggestions(replies=replies, articles=articles)


def top_intent(signals: Signals | None) -> str | None:
    if signals is None or not signals.intents:
        return None
    label, score = max(signals.intents.items(), key=lambda kv: kv[1])
    return label if score >= INTENT_THRESHOLD else None


#: The complaint head's score from which a post is a complaint (its labels' decision point).
COMPLAINT_THRESHOLD = 0.5


def is_complaint(signals: Signals | None) -> bool:
    """A complaint, or a negative post: its reply starts with an apology, not with thanks."""
    if signals is None:
        return False
    return signals.complaint >= COMPLAINT_THRESHOLD or signals.sentiment == "negative"


_suggesters: dict[int, tuple[Settings, Suggester]] = {}
_suggesters_lock = threading.Lock()


def suggester_for(settings: Settings, encoder: TextEncoder | None = None) -> Suggester:
    """One `Suggester` per settings object, built on first use."""
    with _suggesters_lock:
        found = _suggesters.get(id(settings))
        if found is None or found[0] is not settings:
            found = (settings, Suggester.from_settings(settings, encoder))
            _suggesters[id(settings)] = found
        return found[1]


def suggestions(
    post: Post,
    decision: Decision,
    signals: Signals | None = None,
    *,
    settings: Settings,
    encoder: TextEncoder | None = None,
    history: SentHistory | None = None,
) -> Suggestions:
    """Template replies for the post's route and intent, and the top help articles.
    With `history` (a one-off command's store), a suggester of its own ranks with it."""
    if history is not None:
        return Suggester.from_settings(settings, encoder, history).suggest(post, decision, signals)
    return suggester_for(settings, encoder).suggest(post, decision, signals)


__all__ = [
    "Article",
    "RankedArticle",
    "SuggestedReply",
    "Suggester",
    "Suggestions",
    "is_complaint",
    "suggester_for",
    "suggestions",
    "top_intent",
]
