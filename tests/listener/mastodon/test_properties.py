"""Property-based tests: generated Mastodon statuses (and parents) either parse or raise
`MalformedPayload`; every post returned is storable or quarantined."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from kernel.errors import MalformedPayload
from listener.mastodon.parse import Brand as MastodonBrand
from listener.mastodon.parse import parse_status
from tests.strategies import EXAMPLES, ids, json_values, storable_or_quarantined, times

mastodon_accounts = st.fixed_dictionaries(
    {"acct": st.one_of(st.text(min_size=1, max_size=40), json_values)},
    optional={
        "id": ids,
        "display_name": st.one_of(st.text(max_size=60), json_values),
        "followers_count": json_values,
    },
)
mastodon_statuses = st.fixed_dictionaries(
    {"id": ids, "account": st.one_of(mastodon_accounts, json_values)},
    optional={
        "content": st.one_of(st.text(max_size=200), json_values),
        "spoiler_text": json_values,
        "created_at": times,
        "url": json_values,
        "uri": json_values,
        "language": json_values,
        "in_reply_to_id": ids,
        "reblog": json_values,
        "media_attachments": st.one_of(
            st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {}, optional={"description": json_values, "type": json_values}
                    ),
                    json_values,
                ),
                max_size=3,
            ),
            json_values,
        ),
    },
)


@EXAMPLES
@given(
    st.one_of(mastodon_statuses, json_values), st.one_of(st.none(), mastodon_statuses, json_values)
)
@example({"id": "1", "account": {"acct": "a"}, "media_attachments": ["x"]}, None)
def test_mastodon_statuses_parse_or_are_malformed(status: Any, parent: Any) -> None:
    brand = MastodonBrand(host="mastodon.social")
    try:
        post = parse_status(status, brand=brand, query="acme", where="mastodon", parent=parent)
    except MalformedPayload:
        return
    if post is not None:
        storable_or_quarantined(post)
