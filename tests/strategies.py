"""What the property tests share: their hypothesis settings, strategies for arbitrary JSON, ids,
times, posts and texts, and the check every parser's posts must pass.

A helper module rather than a conftest because these are values to import, not fixtures; the tests
themselves live beside the tests of the code they exercise (tests/listener/x/, tests/kernel/,
tests/classifiers/...)."""

from __future__ import annotations

import json
from datetime import UTC

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from classifiers.sensitive import detect
from kernel.models import Author, Post, PostKind
from kernel.normalise import Unstorable, normalise_post
from kernel.protect import protect_post

EXAMPLES = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
ids = st.one_of(st.text(min_size=1, max_size=30), st.integers(0, 2**64), json_values)
times = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    st.text(max_size=30),
    json_values,
)


posts = st.builds(
    Post,
    source=st.one_of(st.text(max_size=80), json_values),
    external_id=st.one_of(st.text(max_size=220), json_values),
    text=st.one_of(st.text(max_size=300), json_values),
    created_at=st.one_of(st.datetimes(), st.datetimes(timezones=st.just(UTC)), json_values),
    url=st.one_of(st.text(max_size=50), json_values),
    author=st.one_of(
        st.builds(
            Author,
            handle=st.one_of(st.text(max_size=300), json_values),
            name=st.one_of(st.text(max_size=300), json_values),
            followers=st.one_of(st.integers(-(2**80), 2**80), json_values),
            verified=json_values,
            external_id=st.one_of(st.text(max_size=250), json_values),
        ),
        json_values,
    ),
    lang=st.one_of(st.text(max_size=30), json_values),
    conversation_id=st.one_of(st.text(max_size=250), json_values),
    parent_id=st.one_of(st.text(max_size=250), json_values),
    kind=st.one_of(st.sampled_from(list(PostKind)), json_values),
    query=json_values,
    raw=json_values,
)


texts = st.one_of(
    st.text(max_size=400),
    st.lists(
        st.sampled_from(
            [
                "4111 1111 1111 1111",
                "**** **** **** 1111",
                "senha: abc12345",
                "password is hunter22",
                "123.456.789-09",
                "GB82 WEST 1234 5698 7654 32",
                "jane@example.com",
                "+55 11 91234-5678",
                "conta 12345-6",
                "pin 1234",
                " ",
                "\x00",
                "é",
                "🔥",
                "\u202e",
                "\ud800",
            ]
        )
        | st.text(max_size=20),
        max_size=20,
    ).map("".join),
)


def storable_or_quarantined(post: Post) -> None:
    """What a parser returned is storable after `normalise_post`, or `Unstorable` (the
    quarantine): nothing else."""
    try:
        clean = protect_post(normalise_post(post), detect)
    except Unstorable:
        return
    assert "\x00" not in clean.text and "\x00" not in (clean.url or "")
    assert len(clean.source) <= 64 and len(clean.external_id) <= 191
    assert len(clean.author.handle) <= 255 and (clean.lang is None or len(clean.lang) <= 16)
    json.dumps(clean.raw, allow_nan=False)  # plain JSON every engine accepts
