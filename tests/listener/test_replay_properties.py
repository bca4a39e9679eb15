"""Property-based tests: generated replay-file lines (bytes, JSON, post-shaped objects) either parse
or raise `MalformedPayload`; every post returned is storable or quarantined."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kernel.errors import MalformedPayload
from listener.replay import ReplaySource
from tests.strategies import (
    EXAMPLES,
    ids,
    json_values,
    scalars,
    storable_or_quarantined,
    times,
)

replay_lines = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"source": ids, "external_id": ids, "text": json_values, "created_at": times},
        optional={
            "url": json_values,
            "author": st.one_of(
                st.fixed_dictionaries(
                    {"handle": ids},
                    optional={"name": json_values, "followers": json_values, "verified": scalars},
                ),
                json_values,
            ),
            "lang": json_values,
            "kind": json_values,
            "parent_id": json_values,
            "conversation_id": json_values,
            "query": json_values,
        },
    ).map(lambda v: json.dumps(v).encode()),
)


@EXAMPLES
@given(replay_lines)
def test_replay_lines_parse_or_are_malformed(line: bytes) -> None:
    source = ReplaySource(name="r", path=Path("posts.jsonl"))
    try:
        post = source.parse_line(line, 1)
    except MalformedPayload:
        return
    storable_or_quarantined(post)
