"""Property-based tests: any post, whatever its fields hold, is storable after `normalise_post` or
`Unstorable` (the quarantine); a payload nested past the recursion limit is bounded."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given

from kernel.models import Post
from kernel.normalise import bound_payload
from tests.strategies import EXAMPLES, posts, storable_or_quarantined


@EXAMPLES
@given(posts)
def test_any_post_is_storable_or_quarantined(post: Post) -> None:
    storable_or_quarantined(post)


def test_payload_nested_far_past_the_recursion_limit_is_bounded() -> None:
    value: Any = "leaf"
    for _ in range(50_000):
        value = [value]
    raw, notes = bound_payload({"v": value})
    assert notes and json.dumps(raw)
