"""The ordered rules engine: YAML rules tried top to bottom, the first match decides.

    rules:
      - name: sensitive-data          # unique
        when: {sensitive_any: [payment_card, iban]}   # all conditions must hold; {} always does
        route: helpdesk               # public_reply | private_dm | helpdesk | ignore
        priority: urgent              # low | normal | high | urgent (default normal)
        review: false                 # true: always wait for a human
        sink: helpdesk                # optional: the sink for helpdesk cases
        tier: 3                       # optional: overrides the route's usual tier
      - name: default
        when: {}                      # the last rule must be this catch-all
        route: ignore

Conditions and the confidence they carry are in `classifiers.rule_conditions`. A decision's
confidence is the smallest of: the matched rule's confidence, and the confidence with which
each earlier rule with a different route failed (a rule that missed its score threshold by a
hair makes the decision as uncertain as a rule that barely matched; a near miss of a rule with
the same route changes nothing). It is 1.0 when only deterministic conditions
were involved. Below the review threshold, or when the rule says `review: true`, the decision
waits for a human.

Loading errors are one `ConfigError` line naming the file, the rule and the field.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from classifiers.rule_checks import CONDITION_NAMES, Context, Outcome
from classifiers.rule_conditions import Conditions
from classifiers.summary import LANGUAGES, summaries
from kernel.errors import ConfigError
from kernel.models import Decision, Post, Route, Signals
from kernel.vocab import Priority

DEFAULT_RULES = "default_rules.yaml"

#: The tier a route implies when a rule does not set one (DESIGN.md, the routes table).
DEFAULT_TIERS: dict[Route, int | None] = {
    Route.PUBLIC_REPLY: 1,
    Route.PRIVATE_DM: 2,
    Route.HELPDESK: 2,
    Route.IGNORE: None,
}


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    when: Conditions = Field(default_factory=Conditions)
    route: Route
    priority: Priority = "normal"
    review: bool = False
    sink: str | None = None
    tier: int | None = Field(default=None, ge=0, le=3)
    #: The reason in one plain phrase per interface language (`en`, `pt_BR`, `es`; a string is
    #: English), with `{sensitive}`, `{what}`, `{about}` filled in: classifiers/summary.py.
    summary: dict[str, str] | None = None

    @field_validator("summary", mode="before")
    @classmethod
    def _summary(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = {"en": value}
        if value is None:
            return None
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
        ):
            raise ValueError("a phrase, or a mapping of language (en, pt_BR, es) to a phrase")
        unknown = [k for k in value if k not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r} (one of {', '.join(LANGUAGES)})")
        for phrase in value.values():
            try:
                phrase.format(sensitive="", what="", about="")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(
                    f"{phrase!r}: only {{sensitive}}, {{what}} and {{about}} can be filled in"
                ) from exc
        return value

    def match(self, post: Post | None, text: str, signals: Signals) -> Outcome:
        """Whether this rule applies, why, and how confidently."""
        return self.when.check(Context(post=post, text=text, signals=signals))


class _RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(min_length=1)


class _Tried(NamedTuple):
    """A rule that was tried and did not match (a tuple: made ~15 times per post)."""

    position: int
    rule: Rule
    outcome: Outcome


class RuleSet:
    """An ordered, validated list of rules; `decide` applies them to one post."""

    def __init__(self, rules: Sequence[Rule], *, version: str, source: str = "<rules>") -> None:
        _check_order(list(rules), source)
        self.rules = tuple(rules)
        self.version = version
        self.source = source
        # Explanation lines that depend only on the rule, built once instead of per post.
        self._tried_labels = tuple(f"  #{i + 1} {r.name!r}: " for i, r in enumerate(self.rules))

    # --- loading ------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> RuleSet:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the rules file: {exc.strerror}") from exc
        return cls.parse(data, source=str(path))

    @classmethod
    def default(cls) -> RuleSet:
        """The shipped rules (`classifiers/default_rules.yaml`)."""
        data = importlib.resources.files("classifiers").joinpath(DEFAULT_RULES).read_bytes()
        return cls.parse(data, source=DEFAULT_RULES)

    @classmethod
    def parse(cls, data: bytes | str, *, source: str = "<string>") -> RuleSet:
        raw_bytes = data.encode("utf-8") if isinstance(data, str) else data
        version = hashlib.sha256(raw_bytes).hexdigest()[:12]
        try:
            raw = yaml.safe_load(raw_bytes.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{source}: not UTF-8 text") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ConfigError(f"{source}{line}: not valid YAML: {problem}") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: the top level must be a mapping with a `rules` list")
        try:
            parsed = _RulesFile.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"{source}: {_format_error(exc, raw)}") from exc
        return cls(parsed.rules, version=version, source=source)

    def describe(self) -> list[str]:
        """One line per rule, in order, for the start-up log and `explain`."""
        return [
            f"{i + 1}. {r.name} -> {r.route.value} ({r.priority}{', review' if r.review else ''})"
            for i, r in enumerate(self.rules)
        ]

    # --- deciding -----------------------------------------------------------------------------

    def decide(
        self, post: Post | None, text: str, signals: Signals, *, review_threshold: float
    ) -> Decision:
        """The first matching rule's decision; later rules are never evaluated."""
        ctx = Context(post=post, text=text, signals=signals)
        tried: list[_Tried] = []
        for index, rule in enumerate(self.rules):
            outcome = rule.when.check(ctx)
            if outcome.holds:
                break
            tried.append(_Tried(index, rule, outcome))
        else:  # pragma: no cover - the last rule has an empty `when`, checked at construction
            raise AssertionError("no rule matched")
        # A near miss only matters if that rule would have decided differently.
        misses = [t.outcome.confidence for t in tried if t.rule.route != rule.route]
        confidence = min([outcome.confidence, *misses])
        confidence = round(confidence, 4)
        needs_review = rule.review or confidence < review_threshold
        scores: dict[str, Any] = {}
        for t in tried:
            scores.update(t.outcome.scores)
        scores.update(outcome.scores)
        if signals.sensitive:
            scores["sensitive"] = sorted({f.kind for f in signals.sensitive})
        tier = rule.tier if rule.tier is not None else DEFAULT_TIERS[rule.route]
        explanation = _explain(
            self, index, rule, outcome, tried, confidence, review_threshold, tier, scores
        )
        return Decision(
            route=rule.route,
            tier=tier,
            confidence=confidence,
            needs_review=needs_review,
            rule=rule.name,
            explanation=explanation,
            priority=rule.priority,
            rules_tried=tuple(t.rule.name for t in tried),
            scores=scores,
            rules_version=self.version,
            sink=rule.sink,
            summary=summaries(
                rule.route, rule.name, confidence, needs_review, rule.summary, signals, scores
            ),
        )


def _explain(
    ruleset: RuleSet,
    index: int,
    rule: Rule,
    outcome: Outcome,
    tried: list[_Tried],
    confidence: float,
    threshold: float,
    tier: int | None,
    scores: dict[str, Any],
) -> str:
    total = len(ruleset.rules)
    if rule.review:
        review = "yes (the rule asks for review)"
    elif confidence < threshold:
        review = f"yes (confidence {confidence:.2f} < threshold {threshold:.2f})"
    else:
        review = "no"
    lines = [
        f"matched rule {rule.name!r} (#{index + 1} of {total}): {outcome.reason}",
        f"route {rule.route.value}, tier {tier if tier is not None else '-'}, priority "
        f"{rule.priority}, confidence {confidence:.2f}, needs review: {review}",
    ]
    if tried:
        lines.append("tried first, did not match:")
        labels = ruleset._tried_labels
        lines += [labels[t.position] + t.outcome.reason for t in tried]
    else:
        lines.append("tried first: none")
    shown = ", ".join(
        f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in sorted(scores.items())
    )
    lines.append(f"scores: {shown or 'none looked at'}")
    lines.append(f"rules version {ruleset.version} ({ruleset.source})")
    return "\n".join(lines)


# --- validation messages ---------------------------------------------------------------------


def _check_order(rules: list[Rule], source: str) -> None:
    if not rules:
        raise ConfigError(f"{source}: rules: at least one rule (the default) is required")
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        where = f"{source}: rules[{i}] (name {rule.name!r})"
        if rule.name in seen:
            raise ConfigError(f"{where}: name: duplicate rule name (also rules[{seen[rule.name]}])")
        seen[rule.name] = i
        if rule.when.is_empty() and i < len(rules) - 1:
            raise ConfigError(
                f"{where}: when: an empty `when` matches everything, so the rules after it "
                "would never run; only the last rule may be the default"
            )
    last = rules[-1]
    if not last.when.is_empty():
        raise ConfigError(
            f"{source}: rules[{len(rules) - 1}] (name {last.name!r}): when: the last rule must be "
            "the default, with an empty `when`"
        )


def _format_error(exc: ValidationError, raw: dict[str, Any]) -> str:
    """`rules[3] (name 'billing'): sentiment: Input should be ...` (+ how many more)."""
    errors = exc.errors()
    first = errors[0]
    loc = list(first["loc"])
    prefix = ""
    in_when = False
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        index = loc[1]
        items = raw.get("rules")
        item = items[index] if isinstance(items, list) and index < len(items) else None
        name = item.get("name") if isinstance(item, dict) else None
        prefix = f"rules[{index}]" + (f" (name {name!r})" if isinstance(name, str) else "") + ": "
        loc = loc[2:]
        if loc and loc[0] == "when":
            in_when, loc = True, loc[1:]
    field = ".".join(str(part) for part in loc) or ("when" if in_when else "(top level)")
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        if in_when:
            message = f"unknown condition (known: {', '.join(CONDITION_NAMES)})"
        else:
            message = "unknown field"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{prefix}{field}: {message}{more}"
