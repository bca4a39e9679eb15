"""Property-based tests: the sensitive-data detector never fails on any text, and what it calls a
card or a credential is stored masked."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given

from classifiers.sensitive import KINDS, detect, redact
from kernel.models import Post
from kernel.protect import protect_post
from tests.strategies import EXAMPLES, texts


@EXAMPLES
@given(texts)
def test_the_detector_never_fails_and_never_leaks_a_card(text: str) -> None:
    findings = detect(text)
    for finding in findings:
        assert finding.kind in KINDS
        assert 0 <= finding.start < finding.end <= len(text)
    redact(text)
    masked = protect_post(
        Post(source="x", external_id="1", text=text, created_at=datetime.now(UTC)), detect
    ).text
    # Whatever the detector calls a card or a credential is stored masked.
    for finding in detect(masked):
        if finding.kind in {"payment_card", "credential"}:
            value = masked[finding.start : finding.end]
            assert "*" in value, (finding, masked)
