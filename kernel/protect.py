"""Data protection at rest: what is never stored in clear.

Card numbers (PCI DSS forbids keeping them) are masked to their last four digits and shared
credentials (passwords, PINs, API keys and tokens a customer pastes: Stripe, AWS, GitHub,
Slack, Google, JWTs) are masked whole, in the post text and
in every string of its raw payload, before the post is written. Everything downstream (the
classifier, the helpdesk sinks, the file sink, exports) only ever sees the masked form; the
detector still recognises a masked card, so a masked post routes as the original would.

Other personal data (CPF, IBAN, e-mail, phone, account numbers, health terms) is kept: the
helpdesk case needs it. It is masked in logs, lists and exports instead (see
docs/data-protection.md).

The kernel owns the policy (which kinds are masked at rest, and how a finding is replaced by
its preview); the detector (`classifiers.sensitive.detect`: patterns, validators, keyword
lists shared with the intents) is passed in by the application, so the ground floor does not
carry the classifiers' word lists and validators.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from kernel.abc import Detector
from kernel.models import Post, SensitiveFinding

#: Kinds masked before anything is stored.
MASKED_AT_REST = frozenset({"payment_card", "credential"})
#: Strings shorter than this cannot hold a card number or a "password: x" phrase.
_MIN_LEN = 8
#: Every credential cue of the detector (classifiers/sensitive.py) starts with one of these.
#: API keys and tokens a customer pastes start with one of these (`sk_live_`, `AKIA`, `ghp_`,
#: `github_pat_`, `xoxb-`, `AIza`, a JWT's `eyJ`).
_CUES = re.compile(
    r"(?i)pass|pwd|senha|contras|clave|pin|nip"
    r"|(?-i:[sr]k_(?:live|test)_|whsec_|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|AIza|eyJ)"
)
#: A card number is 12-19 digits with at most single spaces or dashes between them.
_CARDLIKE = re.compile(r"\d(?:[ -]?\d){11,18}")


def mask_text(text: str, detect: Detector) -> tuple[str, frozenset[str]]:
    """`text` with card numbers and credentials masked, and the kinds that were masked."""
    if len(text) < _MIN_LEN:
        return text, frozenset()
    # The full detector costs ~0.5 ms a string; most strings have neither a run of 12+ digits
    # (a card) nor a credential cue, and skip it.
    if "****" not in text and not _CUES.search(text) and not _CARDLIKE.search(text):
        return text, frozenset()
    findings = [f for f in detect(text) if f.kind in MASKED_AT_REST]
    # A masked card is recognised as a card too; masking it again changes nothing visible.
    findings = [f for f in findings if text[f.start : f.end] != f.preview]
    if not findings:
        return text, frozenset()
    return redact_findings(text, findings), frozenset(f.kind for f in findings)


def protect_post(post: Post, detect: Detector) -> Post:
    """The post as it may be stored: masked text and raw payload, with a note of what was."""
    text, kinds = mask_text(post.text, detect)
    found: set[str] = set(kinds)
    raw = _mask_value(post.raw, found, {post.text: text}, detect)
    if not found:
        return post
    assert isinstance(raw, dict)
    raw["_masked"] = sorted(found)
    return dataclasses.replace(post, text=text, raw=raw)


def redact_findings(text: str, findings: Sequence[SensitiveFinding]) -> str:
    """`text` with every finding's span replaced by its preview."""
    out = text
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        out = out[: finding.start] + finding.preview + out[finding.end :]
    return out


def _mask_value(value: Any, found: set[str], seen: dict[str, str], detect: Detector) -> Any:
    if isinstance(value, str):
        if value not in seen:
            masked, kinds = mask_text(value, detect)
            found.update(kinds)
            seen[value] = masked
        return seen[value]
    if isinstance(value, dict):
        return {k: _mask_value(v, found, seen, detect) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(v, found, seen, detect) for v in value]
    return value
