"""The conditions a routing rule can put in its `when` block, and how a block is judged.

A block holds when every condition in it holds; an empty block always holds. Each check gives an
`Outcome`: whether it held, a one-line reason for the explanation, and a confidence:

- deterministic conditions (source, query, language, words, regexes, keyword categories,
  sensitive kinds, author facts) are certain: confidence 1.0;
- conditions on model scores carry the score's margin from the threshold, rescaled so that a
  score exactly at the threshold is 0.5 (a coin flip) and the far end of the scale is 1.0:
  `0.5 + 0.5 * (score - t) / (1 - t)` when a minimum holds, `0.5 + 0.5 * (t - score) / t` when it
  fails (mirrored for maximums); a sentiment label carries the model's probability for it.

A block that holds is as confident as its least confident condition; a block that fails is as
confident as its most confident failing condition (one clear miss is enough). `not` inverts the
verdict and keeps the confidence. Without a post (CSV classification) source, query and author
conditions do not hold. Each condition's own check is in `classifiers/rule_checks.py`.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from classifiers.keywords import CATEGORY_NAMES
from classifiers.rule_checks import CHECKS, Check, Context, Outcome
from kernel.vocab import INTENTS, SENSITIVE_KINDS, SENTIMENTS


def _as_tuple(value: Any, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise ValueError("Input should be a string or a non-empty list of strings")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ValueError("Input should be a string or a non-empty list of strings")
        if allowed is not None and item not in allowed:
            names = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
            raise ValueError(f"Input should be {names}")
    return tuple(items)


Score = Field(default=None, ge=0, le=1)


class Conditions(BaseModel):
    """A rule's `when` block; every field is optional and unknown names are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: tuple[str, ...] | None = None
    query: tuple[str, ...] | None = None
    language: tuple[str, ...] | None = None
    keywords_any: tuple[str, ...] | None = None
    keywords_all: tuple[str, ...] | None = None
    regex: tuple[str, ...] | None = None
    keyword_category: tuple[str, ...] | None = None
    sentiment: tuple[str, ...] | None = None
    sentiment_score_min: float | None = Score
    sensitive_any: tuple[str, ...] | None = None
    intent: dict[str, float] | None = None
    complaint_min: float | None = Score
    private_score_min: float | None = Score
    private_score_max: float | None = Score
    author_followers_min: int | None = Field(default=None, ge=0)
    author_verified: bool | None = None
    author_is_brand: bool | None = None
    #: The post speaks to someone (@mention, a reply, a forum or subreddit post): rule_checks.
    addressed: bool | None = None
    not_: Conditions | None = Field(default=None, alias="not")

    @field_validator("source", "query", "language", "keywords_any", "keywords_all", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> tuple[str, ...]:
        return _as_tuple(value)

    @field_validator("sentiment", mode="before")
    @classmethod
    def _sentiment(cls, value: Any) -> tuple[str, ...]:
        return _as_tuple(value, SENTIMENTS)

    @field_validator("keyword_category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> tuple[str, ...]:
        return _as_tuple(value, CATEGORY_NAMES)

    @field_validator("sensitive_any", mode="before")
    @classmethod
    def _sensitive(cls, value: Any) -> tuple[str, ...]:
        if value == "any":
            return ("any",)
        return _as_tuple(value, (*SENSITIVE_KINDS, "any"))

    @field_validator("regex", mode="before")
    @classmethod
    def _regex(cls, value: Any) -> tuple[str, ...]:
        patterns = _as_tuple(value)
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
        return patterns

    @field_validator("intent", mode="before")
    @classmethod
    def _intent(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not value:
            raise ValueError("Input should be a mapping of intent label to minimum score")
        for label, score in value.items():
            if label not in INTENTS:
                raise ValueError(f"unknown intent {label!r} (one of {', '.join(INTENTS)})")
            if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
                raise ValueError(f"{label}: the minimum score should be a number from 0 to 1")
        return value

    @cached_property
    def active(self) -> tuple[tuple[Check, Any], ...]:
        """(check, setting) of each condition this block sets, in `rule_checks.CHECKS` order,
        found once.

        A block is frozen, and a `cached_property` is not a field: equality is unchanged.
        """
        return tuple(
            (check, getattr(self, name))
            for name, check in CHECKS
            if getattr(self, name) is not None
        )

    @property
    def active_checks(self) -> tuple[Check, ...]:
        return tuple(check for check, _ in self.active)

    def is_empty(self) -> bool:
        return not self.active

    def check(self, ctx: Context) -> Outcome:
        """Evaluate every condition (not only up to the first failure, for the explanation)."""
        active = self.active
        if not active:
            return Outcome(holds=True, reason="always (no conditions)")
        if len(active) == 1:
            # One condition: its outcome is the block's (same verdict, reason, confidence, scores).
            check, setting = active[0]
            return check(setting, ctx)
        outcomes = [check(setting, ctx) for check, setting in active]
        failed = [o for o in outcomes if not o.holds]
        scores: dict[str, Any] = {}
        for o in outcomes:
            scores.update(o.scores)
        if failed:
            reason = "; ".join(o.reason for o in failed)
            return Outcome(
                holds=False,
                reason=reason,
                confidence=max(o.confidence for o in failed),
                scores=scores,
            )
        reason = "; ".join(o.reason for o in outcomes)
        return Outcome(
            holds=True, reason=reason, confidence=min(o.confidence for o in outcomes), scores=scores
        )
