"""Property-based tests: generated Reddit listing children either parse or raise `MalformedPayload`;
every post returned is storable or quarantined."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kernel.errors import MalformedPayload
from listener.reddit.items import parse_child
from tests.strategies import EXAMPLES, ids, json_values, storable_or_quarantined

reddit_children = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["t1", "t3", "t5", "x"]),
        "data": st.fixed_dictionaries(
            {},
            optional={
                "id": ids,
                "name": ids,
                "created_utc": st.one_of(st.floats(), st.integers(), json_values),
                "body": st.one_of(st.text(max_size=200), json_values),
                "selftext": st.one_of(st.text(max_size=200), json_values),
                "title": st.one_of(st.text(max_size=200), json_values),
                "author": st.one_of(st.text(max_size=300), json_values),
                "permalink": json_values,
                "url": json_values,
                "link_id": ids,
                "parent_id": ids,
                "removed_by_category": json_values,
                "author_fullname": ids,
            },
        ),
    }
)


@EXAMPLES
@given(st.one_of(reddit_children, json_values))
def test_reddit_children_parse_or_are_malformed(child: Any) -> None:
    try:
        item = parse_child(child, query="r/acme", brand=frozenset(), where="reddit")
    except MalformedPayload:
        return
    if item.post is not None:
        storable_or_quarantined(item.post)
