"""How each condition of a rule's `when` block is checked (the block itself: rule_conditions).

Every check takes its condition's setting in the block and the decision's `Context` and gives
an `Outcome`; the margins and confidences follow the rules in `classifiers/rule_conditions.py`'s
docstring. Checks are handed their setting, not the block, so this module needs nothing of
rule_conditions (which runs them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from classifiers.keywords import keyword_hits
from classifiers.terms import fold, words_pattern
from kernel.models import Post, Signals


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    holds: bool
    reason: str
    confidence: float = 1.0
    #: Signal values the check looked at (for `Decision.scores`).
    scores: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Context:
    """What conditions look at; derived values are computed once per decision."""

    post: Post | None
    text: str
    signals: Signals
    _folded: str | None = None
    _hits: dict[str, tuple[str, ...]] | None = None

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    @property
    def hits(self) -> dict[str, tuple[str, ...]]:
        if self._hits is None:
            self._hits = keyword_hits(self.text)
        return self._hits


class Block(Protocol):
    """A `when` block, as `not` sees it (`rule_conditions.Conditions` is one)."""

    def check(self, ctx: Context) -> Outcome: ...


#: How one condition is checked: its setting in the block (never None) and the post in, an
#: Outcome out.
Check = Callable[[Any, Context], Outcome]


def _min_margin(score: float, threshold: float) -> float:
    if score >= threshold:
        return 1.0 if threshold >= 1 else 0.5 + 0.5 * (score - threshold) / (1 - threshold)
    return 0.5 + 0.5 * (threshold - score) / threshold


def _max_margin(score: float, threshold: float) -> float:
    return _min_margin(1 - score, 1 - threshold)


def _score_min(name: str, label: str, score: float, threshold: float) -> Outcome:
    ok = score >= threshold
    sign = ">=" if ok else "<"
    return Outcome(
        holds=ok,
        reason=f"{name}: {label} {score:.2f} {sign} {threshold:.2f}",
        confidence=_min_margin(score, threshold),
        scores={label: round(score, 3)},
    )


def _source(wanted: tuple[str, ...], ctx: Context) -> Outcome:
    if ctx.post is None:
        return Outcome(holds=False, reason="source: no post (classified from text only)")
    ok = ctx.post.source in wanted
    return Outcome(
        holds=ok,
        reason=f"source: {ctx.post.source!r} {'in' if ok else 'not in'} {list(wanted)}",
    )


def _query(wanted: tuple[str, ...], ctx: Context) -> Outcome:
    query = ctx.post.query if ctx.post is not None else None
    if query is None:
        return Outcome(holds=False, reason="query: the post has no listening query")
    hit = next((q for q in wanted if q.casefold() in query.casefold()), None)
    reason = f"query: {query!r} contains {hit!r}" if hit else f"query: {query!r} matches none"
    return Outcome(holds=hit is not None, reason=reason)


def _language(languages: tuple[str, ...], ctx: Context) -> Outcome:
    lang = ctx.signals.language or (ctx.post.lang if ctx.post is not None else None)
    wanted = [w.lower() for w in languages]
    ok = lang is not None and any(
        lang.lower() == w or lang.lower().startswith(w + "-") for w in wanted
    )
    return Outcome(holds=ok, reason=f"language: {lang!r} {'in' if ok else 'not in'} {wanted}")


def _keywords_any(words: tuple[str, ...], ctx: Context) -> Outcome:
    found = [w for w in words if words_pattern((w,)).search(ctx.folded)]
    reason = f"keywords_any: found {found}" if found else "keywords_any: none found"
    return Outcome(holds=bool(found), reason=reason)


def _keywords_all(words: tuple[str, ...], ctx: Context) -> Outcome:
    missing = [w for w in words if not words_pattern((w,)).search(ctx.folded)]
    reason = f"keywords_all: missing {missing}" if missing else "keywords_all: all found"
    return Outcome(holds=not missing, reason=reason)


def _regex(patterns: tuple[str, ...], ctx: Context) -> Outcome:
    hit = next((p for p in patterns if re.search(p, ctx.text, re.IGNORECASE)), None)
    reason = f"regex: {hit!r} matches" if hit else "regex: no pattern matches"
    return Outcome(holds=hit is not None, reason=reason)


#: Platforms where a post speaks to someone by @mentioning them or replying. A subreddit or a
#: forum thread is itself the conversation the brand listens to, so its posts count as addressed.
MENTION_PLATFORMS = frozenset({"x", "bluesky", "mastodon"})
_MENTION = re.compile(r"(?:^|[\s(.,:;!?])@[\w.-]*\w", re.UNICODE)


def addressed(post: Post | None, text: str) -> tuple[bool, str]:
    """Whether the post speaks to someone (the brand, usually) rather than about it, and why.

    "the Swiftcrate depot is 40 minutes away and that's where they sent my parcel" talks about
    the brand to the author's own followers: a care team may answer it in public, but does not
    slide into the author's messages. Text without a post (`classify`, a rules file tried from
    the CLI) is addressed when it @mentions someone.
    """
    if post is not None and post.source not in MENTION_PLATFORMS:
        return True, f"a {post.source} post, in a conversation the brand listens to"
    if _MENTION.search(text):
        return True, "it @mentions someone"
    if post is not None and post.parent_id:
        return True, "it replies in a conversation"
    return False, "it @mentions no one and replies to nothing"


def _addressed(wanted: bool, ctx: Context) -> Outcome:
    value, why = addressed(ctx.post, ctx.text)
    return Outcome(holds=value == wanted, reason=f"addressed: {why}")


def _keyword_category(categories: tuple[str, ...], ctx: Context) -> Outcome:
    found = {cat: ctx.hits[cat] for cat in categories if cat in ctx.hits}
    if found:
        words = "; ".join(f"{cat} ({', '.join(words)})" for cat, words in found.items())
        return Outcome(holds=True, reason=f"keyword_category: {words}")
    if "praise" in categories and "sarcasm" in ctx.hits:
        return Outcome(holds=False, reason="keyword_category: its praise words read as sarcasm")
    return Outcome(holds=False, reason=f"keyword_category: no {'/'.join(categories)} words")


def _sentiment(wanted: tuple[str, ...], ctx: Context) -> Outcome:
    """As sure as the head's probability that the sentiment is (when the condition holds) or is
    not (when it fails) one of the named labels: for `not: {sentiment: positive}` on a post
    that is 53% neutral and 2% positive, 0.98, not 0.53."""
    label, score = ctx.signals.sentiment, ctx.signals.sentiment_score
    ok = label in wanted
    verdict = "in" if ok else "not in"
    probabilities = ctx.signals.sentiment_scores
    confidence = score
    if probabilities:
        inside = sum(p for name, p in probabilities.items() if name in wanted)
        confidence = min(max(inside if ok else 1.0 - inside, 0.0), 1.0)
    return Outcome(
        holds=ok,
        reason=f"sentiment: {label} ({score:.2f}) {verdict} {list(wanted)}",
        confidence=confidence,
        scores={"sentiment": label, "sentiment_score": round(score, 3)},
    )


def _sentiment_score_min(minimum: float, ctx: Context) -> Outcome:
    return _score_min(
        "sentiment_score_min", "sentiment_score", ctx.signals.sentiment_score, minimum
    )


def _sensitive_any(kinds: tuple[str, ...], ctx: Context) -> Outcome:
    wanted = set(kinds)
    found = [f for f in ctx.signals.sensitive if "any" in wanted or f.kind in wanted]
    if found:
        shown = ", ".join(f"{f.kind} ({f.preview})" for f in found)
        return Outcome(holds=True, reason=f"sensitive data: {shown}")
    return Outcome(holds=False, reason="sensitive_any: no such sensitive data")


def _intent(minimums: dict[str, float], ctx: Context) -> Outcome:
    """Holds when any label reaches its minimum; each label is scored as `_score_min` would."""
    intents = ctx.signals.intents
    scores: dict[str, Any] = {}
    held: list[tuple[str, float]] = []  # (reason, confidence) of the labels that hold
    missed: list[str] = []
    confidences = []
    for label, minimum in minimums.items():
        name = f"intent.{label}"
        score = intents.get(label, 0.0)
        scores[name] = round(score, 3)
        confidence = _min_margin(score, minimum)
        confidences.append(confidence)
        if score >= minimum:
            held.append((f"intent: {name} {score:.2f} >= {minimum:.2f}", confidence))
        missed.append(f"{label} {score:.2f} < {minimum:.2f}")
    if held:
        reason = "; ".join(r for r, _ in held)
        confidence = max(sure for _, sure in held)
        return Outcome(holds=True, reason=reason, confidence=confidence, scores=scores)
    reason = f"intent: none reaches its minimum ({', '.join(missed)})"
    return Outcome(holds=False, reason=reason, confidence=min(confidences), scores=scores)


def _complaint_min(minimum: float, ctx: Context) -> Outcome:
    return _score_min("complaint_min", "complaint", ctx.signals.complaint, minimum)


def _private_score_min(minimum: float, ctx: Context) -> Outcome:
    return _score_min("private_score_min", "private_score", ctx.signals.private_score, minimum)


def _private_score_max(threshold: float, ctx: Context) -> Outcome:
    score = ctx.signals.private_score
    ok = score <= threshold
    sign = "<=" if ok else ">"
    return Outcome(
        holds=ok,
        reason=f"private_score_max: private_score {score:.2f} {sign} {threshold:.2f}",
        confidence=_max_margin(score, threshold),
        scores={"private_score": round(score, 3)},
    )


def _author(ctx: Context, name: str, value: Any, holds: Callable[[Any], bool]) -> Outcome:
    if ctx.post is None:
        return Outcome(holds=False, reason=f"{name}: no post (classified from text only)")
    ok = value is not None and holds(value)
    return Outcome(holds=ok, reason=f"{name}: author @{ctx.post.author.handle} has {value!r}")


def _followers(minimum: int, ctx: Context) -> Outcome:
    value = ctx.post.author.followers if ctx.post else None
    return _author(ctx, "author_followers_min", value, lambda v: v >= minimum)


def _verified(wanted: bool, ctx: Context) -> Outcome:
    value = ctx.post.author.verified if ctx.post else None
    return _author(ctx, "author_verified", value, lambda v: bool(v) == wanted)


def _is_brand(wanted: bool, ctx: Context) -> Outcome:
    value = ctx.post.author.is_brand if ctx.post else None
    return _author(ctx, "author_is_brand", value, lambda v: bool(v) == wanted)


def _not(block: Block, ctx: Context) -> Outcome:
    inner = block.check(ctx)
    verdict = "does not hold" if not inner.holds else "holds"
    return Outcome(
        holds=not inner.holds,
        reason=f"not: ({inner.reason}) {verdict}",
        confidence=inner.confidence,
        scores=inner.scores,
    )


CHECKS: tuple[tuple[str, Check], ...] = (
    ("source", _source),
    ("query", _query),
    ("language", _language),
    ("keywords_any", _keywords_any),
    ("keywords_all", _keywords_all),
    ("regex", _regex),
    ("keyword_category", _keyword_category),
    ("sensitive_any", _sensitive_any),
    ("sentiment", _sentiment),
    ("sentiment_score_min", _sentiment_score_min),
    ("intent", _intent),
    ("complaint_min", _complaint_min),
    ("private_score_min", _private_score_min),
    ("private_score_max", _private_score_max),
    ("author_followers_min", _followers),
    ("author_verified", _verified),
    ("author_is_brand", _is_brand),
    ("addressed", _addressed),
    ("not_", _not),
)

#: The condition names a `when` block accepts, as written in YAML.
CONDITION_NAMES = tuple("not" if name == "not_" else name for name, _ in CHECKS)
