"""Property-based tests: generated Bluesky post views either parse or raise `MalformedPayload`, and
finding a page's thread context never fails; every post returned is storable or quarantined."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from kernel.errors import MalformedPayload
from listener.bluesky.parse import Brand as BlueskyBrand
from listener.bluesky.parse import parse_post, sort_time, thread_uris
from tests.strategies import EXAMPLES, ids, json_values, storable_or_quarantined, times

bluesky_refs = st.one_of(st.fixed_dictionaries({}, optional={"uri": ids, "cid": ids}), json_values)
bluesky_records = st.fixed_dictionaries(
    {"text": st.one_of(st.text(max_size=200), json_values)},
    optional={
        "createdAt": times,
        "langs": json_values,
        "facets": json_values,
        "reply": st.one_of(
            st.fixed_dictionaries({}, optional={"parent": bluesky_refs, "root": bluesky_refs}),
            json_values,
        ),
        "embed": json_values,
    },
)
bluesky_views = st.fixed_dictionaries(
    {
        "uri": ids,
        "cid": ids,
        "author": st.one_of(
            st.fixed_dictionaries(
                {"did": ids, "handle": ids},
                optional={"displayName": json_values, "followersCount": json_values},
            ),
            json_values,
        ),
        "record": st.one_of(bluesky_records, json_values),
    },
    optional={"indexedAt": times, "embed": json_values, "reason": json_values},
)


@EXAMPLES
@given(st.lists(st.one_of(bluesky_views, json_values), max_size=3))
@example([{"uri": "at://a", "cid": "c", "author": {"did": "d", "handle": "h"},
           "record": {"text": "", "reply": {"parent": "x"}}}])  # fmt: skip
def test_bluesky_views_parse_or_are_malformed(views: list[Any]) -> None:
    brand = BlueskyBrand()
    objects = [v for v in views if isinstance(v, dict)]
    thread_uris(objects)  # the thread context a page asks for next: never fails
    for view in objects:
        try:
            post = parse_post(view, brand=brand, query="acme", where="bluesky")
            sort_time(view, search=True, where="bluesky")
        except MalformedPayload:
            continue
        storable_or_quarantined(post)
