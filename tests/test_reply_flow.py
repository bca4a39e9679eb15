"""An agent's reply end to end over HTTP: the X source stores a mention, the real X responder
answers it, the post is answered at once, and the listener reading the reply back stores
nothing new (no self-echo). A refused reply leaves the post open."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from config.schema import Settings
from kernel.errors import ReplyError
from listener.respond import build_responder, source_settings
from listener.x.reply import XResponder
from tests.httpserver import FakeAPI
from tests.listener.x.helpers import BRAND_ID, MENTIONS, make_source, response
from triage.storage import Store
from triage.storage.answers import brand_answers, fetched_by, is_answered, send

CUSTOMER = "1790000000000000009"
OTHER = "1790000000000000006"
SENT_ID = "1456012973835788293"  # what create_tweet.tweepy_cassette.json answers


def poll(store: Store, api: FakeAPI, body: dict[str, Any]) -> int:
    api.add("GET", MENTIONS, response("mentions_page1.json", body=body))
    source = make_source(api, queries=[])
    new = sum(store.save_page("brand-x", "x", p.posts, p.cursor) for p in source.poll(None))
    source.close()
    return new


def first_page() -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(response("mentions_page1.json").body)
    body["meta"].pop("next_token", None)
    return body


def echo_page() -> dict[str, Any]:
    """The brand's reply as the mentions timeline returns it."""
    body = first_page()
    tweet = copy.deepcopy(next(t for t in body["data"] if t["author_id"] == BRAND_ID))
    tweet.update(id=SENT_ID, edit_history_tweet_ids=[SENT_ID], text="@maria_silva on it!")
    tweet["referenced_tweets"] = [{"type": "replied_to", "id": CUSTOMER}]
    body["data"] = [tweet]
    body["meta"] = {"result_count": 1, "newest_id": SENT_ID, "oldest_id": SENT_ID}
    return body


def test_reply_answers_the_post_and_the_echo_is_not_queued(
    store: Store, fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert poll(store, fake_api, first_page()) > 0
    asked = store.find_post("x", CUSTOMER)
    other = store.find_post("x", OTHER)
    assert asked is not None and other is not None and not is_answered(store, asked.id)

    for key in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(f"TRIAGE_X_{key}", f"value-of-{key.lower()}")
    settings = Settings.model_validate(
        {
            "sources": [
                {
                    "name": "brand-x",
                    "type": "x",
                    "brand_user_id": BRAND_ID,
                    "brand_username": "AcmeSupport",
                    "base_url": fake_api.url,
                }
            ],
            "replies": {"dry_run": False},
        }
    )
    source = source_settings(settings, fetched_by(store, asked.id))
    responder = build_responder(source, dry_run=settings.replies.dry_run)
    assert isinstance(responder, XResponder) and responder.account == "AcmeSupport"

    fake_api.add("POST", "/2/tweets", response("create_tweet.tweepy_cassette.json"))
    sent = send(store, responder, asked, "@maria_silva on it!", channel="reply", brand_handle="x")
    assert sent.external_id == SENT_ID and is_answered(store, asked.id)
    (answer,) = brand_answers(store, asked.id)
    assert answer.post.author.handle == "AcmeSupport" and answer.post.author.is_brand

    before = store.count_posts()
    assert poll(store, fake_api, echo_page()) == 0  # the echo is the row already stored
    assert store.count_posts() == before and is_answered(store, asked.id)

    fake_api.add("POST", "/2/tweets", response("error_403_duplicate.composite.json"))
    with pytest.raises(ReplyError, match="duplicate"):
        send(store, responder, other, "@maria_silva on it!", channel="reply", brand_handle="x")
    assert not is_answered(store, other.id) and store.count_posts() == before
    responder.close()
