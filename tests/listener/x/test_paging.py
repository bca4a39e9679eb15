"""The X source pages with tokens, resumes from since_id and rotates its streams."""

from __future__ import annotations

from kernel.errors import (
    MalformedPayload,
)
from tests.httpserver import FakeAPI, Response
from tests.listener.x.helpers import (
    MENTIONS,
    PAGE2_TOKEN,
    SEARCH,
    TOKEN,
    collect,
    collect_until_error,
    make_source,
    response,
)
from triage.polling import poll_source
from triage.storage import Store


def test_paginates_then_resumes_from_since_id_after_restart(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    pages = collect(make_source(fake_api))

    assert [len(p.posts) for p in pages] == [3, 3]  # the retweet on page 1 is skipped
    newest = "1790000000000000009"  # meta.newest_id of the run's first page
    assert pages[0].cursor == {
        "mentions": {"next_token": PAGE2_TOKEN, "newest_id": newest},
        "_turn": 1,
    }
    assert pages[1].cursor == {"mentions": {"since_id": newest}, "_turn": 1}
    first, second = fake_api.requests_to(MENTIONS)
    assert first.param("since_id") is None and first.param("pagination_token") is None
    assert second.param("pagination_token") == PAGE2_TOKEN
    assert first.param("expansions") == (
        "author_id,referenced_tweets.id,referenced_tweets.id.author_id,attachments.media_keys"
    )
    assert set(first.param("tweet.fields").split(",")) == {  # type: ignore[union-attr]
        "created_at",
        "lang",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_tweets",
        "public_metrics",
        "author_id",
        "text",
        "note_tweet",
        "attachments",
    }
    assert first.param("media.fields") == "type,url,preview_image_url,alt_text"
    assert first.param("user.fields") == "username,name,public_metrics,verified"
    assert first.headers["authorization"] == f"Bearer {TOKEN}"

    # A new process (a restart) with the stored cursor asks only for what is newer.
    fake_api.add("GET", MENTIONS, response("zero_results.dm_events.tweepy_cassette.json"))
    again = collect(make_source(fake_api), pages[-1].cursor)
    third = fake_api.requests_to(MENTIONS)[2]
    assert third.param("since_id") == newest and third.param("pagination_token") is None
    assert again[0].posts == ()
    assert again[0].cursor == {"mentions": {"since_id": newest}, "_turn": 2}


def test_max_pages_stops_mid_run_and_the_next_poll_resumes_there(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    source = make_source(fake_api, max_pages=1)
    pages = collect(source)
    assert len(pages) == 1 and len(fake_api.requests_to(MENTIONS)) == 1
    cursor = pages[0].cursor
    assert cursor is not None and cursor["mentions"]["next_token"] == PAGE2_TOKEN

    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    pages = collect(source, cursor)
    resumed = fake_api.requests_to(MENTIONS)[1]
    # The rest of the same run: its token, and no since_id yet (the first run had none).
    assert resumed.param("pagination_token") == PAGE2_TOKEN
    assert resumed.param("since_id") is None
    assert pages[-1].cursor == {"mentions": {"since_id": "1790000000000000009"}, "_turn": 2}


def test_poll_source_budget_and_restart_with_the_real_store(
    fake_api: FakeAPI, sqlite_store: Store
) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    fake_api.add("GET", MENTIONS, response("zero_results.dm_events.tweepy_cassette.json"))

    first = poll_source(sqlite_store, make_source(fake_api), max_pages=1)
    assert (first.status, first.new) == ("ok", 3)
    stored = sqlite_store.get_cursor("brand-x")
    assert stored is not None and stored["mentions"]["next_token"] == PAGE2_TOKEN

    second = poll_source(sqlite_store, make_source(fake_api), max_pages=10)
    assert (second.status, second.new) == ("ok", 3)
    third = poll_source(sqlite_store, make_source(fake_api), max_pages=10)
    assert (third.status, third.new) == ("ok", 0)
    params = [(r.param("since_id"), r.param("pagination_token")) for r in fake_api.requests]
    assert params == [(None, None), (None, PAGE2_TOKEN), ("1790000000000000009", None)]
    assert sqlite_store.count_posts() == 6


def test_resumes_a_run_that_had_a_since_id_keeping_it(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    newest = "1790000000000000020"  # of the run's first page, read before the restart
    cursor = {"mentions": {"since_id": "100", "next_token": "T", "newest_id": newest}}
    pages = collect(make_source(fake_api), cursor)
    request = fake_api.requests_to(MENTIONS)[0]
    assert (request.param("since_id"), request.param("pagination_token")) == ("100", "T")
    assert pages[-1].cursor == {"mentions": {"since_id": newest}, "_turn": 1}


def test_empty_first_poll_keeps_no_since_id(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("zero_results.dm_events.tweepy_cassette.json"))
    pages = collect(make_source(fake_api))
    assert len(pages) == 1 and pages[0].posts == ()
    assert pages[0].cursor == {"mentions": {}, "_turn": 1}
    assert pages[0].rate_limit is not None and pages[0].rate_limit.remaining == 299


def test_search_query_stream_uses_next_token_and_since_id(fake_api: FakeAPI) -> None:
    page1 = response("mentions_page1.json")  # same tweet shape as a search page
    fake_api.add("GET", SEARCH, page1)
    fake_api.add("GET", SEARCH, response("search_recent.docs_example.json"))
    source = make_source(fake_api, mentions=False, queries=["python", "python"])
    pages = collect(source)

    first, second = fake_api.requests_to(SEARCH)
    assert first.param("query") == "python" and first.param("next_token") is None
    assert second.param("next_token") == PAGE2_TOKEN
    assert pages[-1].cursor == {"q:python": {"since_id": "1790000000000000009"}, "_turn": 1}
    post = pages[-1].posts[0]
    assert post.query == "python"
    assert post.url == "https://x.com/pythondev/status/1234567890123456789"
    assert fake_api.requests_to(MENTIONS) == []


def test_streams_rotate_and_one_failing_stream_does_not_block_the_others(
    fake_api: FakeAPI,
) -> None:
    fake_api.add("GET", MENTIONS, Response(status=200, body="<html>gateway</html>"))
    fake_api.add("GET", SEARCH, response("search_recent.docs_example.json"))
    source = make_source(fake_api, queries=["acme"])
    pages, error = collect_until_error(source)
    assert isinstance(error, MalformedPayload)
    assert [p.posts[0].query for p in pages] == ["acme"]
    assert pages[0].cursor is not None and "mentions" not in pages[0].cursor

    fake_api.add("GET", MENTIONS, response("zero_results.dm_events.tweepy_cassette.json"))
    fake_api.add("GET", SEARCH, response("zero_results.dm_events.tweepy_cassette.json"))
    collect(source, pages[0].cursor)  # the next poll starts with the other stream
    assert [r.path for r in fake_api.requests[2:]] == [SEARCH, MENTIONS]
