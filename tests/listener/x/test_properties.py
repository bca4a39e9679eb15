"""Property-based tests: generated X API pages either parse or raise `MalformedPayload` (a one-line,
reported error); every post returned is storable or quarantined."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from kernel.errors import MalformedPayload
from listener.x.parse import Brand, parse_page
from tests.strategies import EXAMPLES, ids, json_values, storable_or_quarantined, times

tweets = st.fixed_dictionaries(
    {"id": ids},
    optional={
        "text": st.one_of(st.text(max_size=200), json_values),
        "author_id": ids,
        "created_at": times,
        "lang": st.one_of(st.text(max_size=40), json_values),
        "conversation_id": ids,
        "in_reply_to_user_id": ids,
        "referenced_tweets": st.one_of(
            st.lists(st.fixed_dictionaries({"type": st.text(max_size=10), "id": ids})),
            json_values,
        ),
        "public_metrics": json_values,
    },
)
users = st.fixed_dictionaries(
    {"id": ids},
    optional={
        "username": st.one_of(st.text(max_size=300), json_values),
        "name": st.one_of(st.text(max_size=300), json_values),
        "verified": json_values,
        "public_metrics": json_values,
    },
)
x_bodies = st.fixed_dictionaries(
    {},
    optional={
        "data": st.one_of(st.lists(tweets, max_size=4), json_values),
        "meta": st.one_of(st.fixed_dictionaries({}, optional={"next_token": ids}), json_values),
        "includes": st.one_of(
            st.fixed_dictionaries({}, optional={"users": st.lists(users, max_size=3)}),
            json_values,
        ),
        "errors": json_values,
    },
)


@EXAMPLES
@given(x_bodies)
# Unicode digits that `str.isdigit` accepts and `int()` refuses (found by a newer hypothesis).
@example({"data": [{"id": "\u00b2"}]})
@example({"data": [{"id": "\u00b2", "text": ""}]})
# A user's public_metrics that is no object (found by hypothesis in a README test run).
@example({"data": [{"id": "0", "text": "", "author_id": "0"}],
          "includes": {"users": [{"id": "0", "public_metrics": True}]}})  # fmt: skip
def test_x_pages_parse_or_are_malformed(body: dict[str, Any]) -> None:
    try:
        page = parse_page(body, where="x", query="acme", brand=Brand(), include_retweets=False)
    except MalformedPayload:
        return
    for post in page.posts:
        storable_or_quarantined(post)
