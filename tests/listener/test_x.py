"""XSource end to end: the real tweepy Client over HTTP against FakeAPI and recorded shapes."""

from __future__ import annotations

import copy
import json
import logging
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config.schema import BrandSettings
from config.sources import XSourceSettings
from listener.x import XSource
from tests.httpserver import FakeAPI, Response
from triage.errors import (
    AuthError,
    MalformedPayload,
    NotConfigured,
    Permanent,
    RateLimited,
    SourceError,
    TransientError,
)
from triage.models import MAX_TEXT_CHARS, Page, Post, PostKind
from triage.polling import poll_source
from triage.storage import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x"
BRAND_ID = "1487212150346592258"
MENTIONS = f"/2/users/{BRAND_ID}/mentions"
SEARCH = "/2/tweets/search/recent"
TOKEN = "AAAAtest-bearer-token-0123456789"
PAGE2_TOKEN = "7140dibdnow9c7btw423i3sy3u5zupmkcpofxcsmxj48j"
_DROP = {"content-length", "content-encoding", "transfer-encoding", "connection"}


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def response(name: str, **overrides: Any) -> Response:
    """A FakeAPI response with a fixture envelope's status, headers and (a copy of its) body."""
    envelope = fixture(name)
    headers = {k: v for k, v in envelope["headers"].items() if k.lower() not in _DROP}
    result = Response(status=envelope["status"], body=copy.deepcopy(envelope["body"]))
    result.headers = headers
    for key, value in overrides.items():
        setattr(result, key, value)
    return result


def make_source(api: FakeAPI, **kwargs: Any) -> XSource:
    options: dict[str, Any] = {
        "name": "brand-x",
        "bearer_token": TOKEN,
        "brand_user_id": BRAND_ID,
        "brand_handles": frozenset({"acmesupport", "acmehelp"}),
        "base_url": api.url,
        "retry_backoff": 0.0,
        "timeout_seconds": 5.0,
    }
    options.update(kwargs)
    return XSource(**options)


def collect(source: XSource, cursor: dict[str, Any] | None = None) -> list[Page]:
    return list(source.poll(cursor))


def collect_until_error(
    source: XSource, cursor: dict[str, Any] | None = None
) -> tuple[list[Page], SourceError]:
    pages: list[Page] = []
    with pytest.raises(SourceError) as info:
        for page in source.poll(cursor):
            pages.append(page)
    return pages, info.value


def by_id(pages: list[Page]) -> dict[str, Post]:
    return {post.external_id: post for page in pages for post in page.posts}


# --- pagination and cursors ------------------------------------------------------------------


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
    assert first.param("expansions") == "author_id,referenced_tweets.id"
    assert set(first.param("tweet.fields").split(",")) == {  # type: ignore[union-attr]
        "created_at",
        "lang",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_tweets",
        "public_metrics",
        "author_id",
    }
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


# --- mapping tweets to posts ------------------------------------------------------------------


def test_maps_a_reply_with_author_thread_and_emoji(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    post = by_id(collect(make_source(fake_api, max_pages=1)))["1790000000000000009"]

    assert post.source == "x" and post.kind is PostKind.REPLY
    assert post.text == "@AcmeSupport meu cartão foi cobrado duas vezes 😡🙏🏽 alguém pode ajudar?"
    assert post.url == "https://x.com/maria_silva/status/1790000000000000009"
    assert post.created_at == datetime(2024, 5, 13, 10, 5, tzinfo=UTC)
    assert post.lang == "pt"
    assert post.conversation_id == post.parent_id == "1790000000000000001"
    assert post.query == "mentions"
    author = post.author
    assert (author.handle, author.name, author.followers) == ("maria_silva", "Maria Silva 🌻", 312)
    assert author.verified is False and author.is_brand is False
    assert author.external_id == "1379899464345923590"
    assert post.raw["tweet"]["id"] == post.external_id
    assert post.raw["author"]["username"] == "maria_silva"
    assert post.raw["referenced"][0]["author_id"] == BRAND_ID  # the parent, for context
    assert post.raw["metrics"] == {
        "repost_count": 2,
        "reply_count": 1,
        "like_count": 7,
        "quote_count": 0,
    }
    json.dumps(post.raw)  # storable as it is


def test_plain_post_and_both_public_metrics_naming_sets(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    posts = by_id(collect(make_source(fake_api)))

    old_names = posts["1790000000000000006"]
    assert old_names.kind is PostKind.POST and old_names.parent_id is None
    assert old_names.author.verified is True and old_names.author.followers == 120455
    assert old_names.raw["metrics"]["repost_count"] == 104

    new_names = posts["1790000000000000005"]
    assert new_names.raw["metrics"] == {
        "repost_count": 3,
        "reply_count": 0,
        "like_count": 4,
        "quote_count": 1,
        "bookmark_count": 0,
        "impression_count": 512,
    }
    assert new_names.author.verified is True  # verified_type "blue", no `verified` key

    missing_author = posts["1790000000000000003"]
    assert missing_author.author.handle == "unknown"
    assert missing_author.author.external_id == "999999999999999999"
    assert missing_author.url == "https://x.com/i/web/status/1790000000000000003"
    assert missing_author.lang is None  # "qme": media only, not a language


def test_brand_posts_are_kept_and_marked_by_id_and_by_handle(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    posts = by_id(collect(make_source(fake_api)))
    by_brand_id = posts["1790000000000000008"]
    assert by_brand_id.author.is_brand and by_brand_id.author.handle == "AcmeSupport"
    by_handle = posts["1790000000000000004"]  # @acmehelp: a brand handle, another user id
    assert by_handle.author.is_brand and by_handle.kind is PostKind.REPLY
    assert sum(p.author.is_brand for p in posts.values()) == 2


def test_retweets_are_skipped_unless_asked_for(fake_api: FakeAPI) -> None:
    retweet = "1790000000000000007"
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    assert retweet not in by_id(collect(make_source(fake_api, max_pages=1)))

    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    kept = by_id(collect(make_source(fake_api, max_pages=1, include_retweets=True)))
    assert kept[retweet].text.startswith("RT @AcmeSupport:")
    assert kept[retweet].raw["referenced"][0]["id"] == "1790000000000000002"


def test_long_text_is_truncated_and_recorded(fake_api: FakeAPI) -> None:
    page = response("mentions_page1.json")
    long_text = "🙂 socorro " * 5_000  # 50,000 characters
    page.body["data"][0]["text"] = long_text
    fake_api.add("GET", MENTIONS, page)
    post = by_id(collect(make_source(fake_api, max_pages=1)))["1790000000000000009"]
    assert len(post.text) == MAX_TEXT_CHARS and post.text.startswith("🙂 socorro")
    assert post.raw["_truncated_from"] == len(long_text)


def test_real_recorded_page_without_expansions_or_created_at(fake_api: FakeAPI) -> None:
    """tweepy's own cassette: no includes and no created_at; the snowflake id has the time."""
    fake_api.add("GET", MENTIONS, response("mentions.tweepy_cassette.json"))
    pages = collect(make_source(fake_api, max_pages=1))
    posts = pages[0].posts
    assert len(posts) == 10 and all(p.author.handle == "unknown" for p in posts)
    assert posts[0].created_at.date() == datetime(2022, 10, 7, tzinfo=UTC).date()
    assert "🤨" in by_id(pages)["1578516220231397376"].text
    assert pages[0].rate_limit is not None and pages[0].rate_limit.limit == 450


def test_docs_example_page(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions.docs_example.json"))
    page = collect(make_source(fake_api, max_pages=1))[0]
    (post,) = page.posts
    assert post.author.handle == "developer" and post.author.name == "Dev Person"
    assert page.cursor is not None
    assert page.cursor["mentions"]["next_token"] == "t3buvdr5pujq9g7bggsnf3ep2ha28"


# --- errors and rate limits -------------------------------------------------------------------


def test_429_raises_rate_limited_with_reset_and_keeps_pages_before_it(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("error_429.v2_composite.json"))
    pages, error = collect_until_error(make_source(fake_api))
    assert isinstance(error, RateLimited)
    assert error.reset_at == datetime.fromtimestamp(1665183228, UTC)
    assert "429" in str(error) and "brand-x" in str(error)
    assert len(fake_api.requests_to(MENTIONS)) == 2  # no retry, no sleep
    assert pages[-1].cursor is not None
    assert pages[-1].cursor["mentions"]["next_token"] == PAGE2_TOKEN


def test_exhausted_quota_on_success_goes_on_the_page_and_stops_the_stream(
    fake_api: FakeAPI,
) -> None:
    page = response("mentions_page1.json")
    page.headers["x-rate-limit-remaining"] = "0"
    fake_api.add("GET", MENTIONS, page)
    pages = collect(make_source(fake_api))
    assert len(pages) == 1 and len(fake_api.requests_to(MENTIONS)) == 1
    limit = pages[0].rate_limit
    assert limit is not None and limit.remaining == 0 and limit.limit == 450
    assert limit.reset_at == datetime.fromtimestamp(1665183228, UTC)


def test_401_problem_json_is_an_auth_error_without_the_token(
    fake_api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # tweepy logs request headers at DEBUG
    fake_api.add("GET", MENTIONS, response("error_401.real_report.json"))
    fake_api.add("GET", SEARCH, response("search_recent.docs_example.json"))
    pages, error = collect_until_error(make_source(fake_api, queries=["acme"]))
    assert isinstance(error, AuthError) and pages == []
    message = str(error)
    assert "\n" not in message and "401" in message and "bearer token" in message
    assert TOKEN not in message and TOKEN not in caplog.text
    assert "Bearer ***" in caplog.text  # the redaction did run
    assert fake_api.requests_to(SEARCH) == []  # every stream would fail alike


def test_403_is_an_auth_error(fake_api: FakeAPI) -> None:
    body = {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "Forbidden"}
    fake_api.add("GET", MENTIONS, Response(status=403, body=body))
    _, error = collect_until_error(make_source(fake_api))
    assert isinstance(error, AuthError) and "403" in str(error)


def test_malformed_json_names_source_and_endpoint_and_keeps_the_cursor(
    fake_api: FakeAPI,
) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, Response(status=200, body='{"data": [{"id": "1"'))
    pages, error = collect_until_error(make_source(fake_api))
    assert isinstance(error, MalformedPayload)
    assert "'brand-x'" in str(error) and MENTIONS in str(error) and "not valid JSON" in str(error)
    assert len(pages) == 1
    cursor = pages[-1].cursor
    assert cursor is not None and cursor["mentions"]["next_token"] == PAGE2_TOKEN

    # The next poll asks for the same page again; nothing was skipped.
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    collect(make_source(fake_api), cursor)
    assert fake_api.requests_to(MENTIONS)[-1].param("pagination_token") == PAGE2_TOKEN


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([{"id": "1"}], "expected a JSON object"),
        ({"data": {"id": "1"}, "meta": {}}, "data is dict"),
        ({"errors": [{"title": "Oops", "detail": "gone"}]}, "neither data nor meta"),
        ({"meta": {"result_count": 1, "next_token": 7}}, "next_token"),
    ],
)
def test_wrong_shape_is_malformed(fake_api: FakeAPI, body: Any, reason: str) -> None:
    fake_api.add("GET", MENTIONS, Response(status=200, body=body))
    pages, error = collect_until_error(make_source(fake_api))
    assert isinstance(error, MalformedPayload) and reason in str(error) and pages == []


def test_a_bad_item_is_skipped_with_a_reason_and_the_rest_kept(fake_api: FakeAPI) -> None:
    page = response("mentions_page1.json")
    page.body["data"].append({"text": "no id"})
    page.body["data"][0]["created_at"] = "yesterday"
    fake_api.add("GET", MENTIONS, page)
    (result,) = collect(make_source(fake_api, max_pages=1))
    assert len(result.posts) == 2
    first, second = result.skipped
    assert "tweet 1790000000000000009: bad timestamp 'yesterday'" in first
    assert "data[4] is not a tweet with an id" in second


def test_partial_errors_are_logged_and_the_data_kept(
    fake_api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.add("GET", MENTIONS, response("partial_errors.mentions.json"))
    with caplog.at_level(logging.WARNING, logger="listener.x"):
        (page,) = collect(make_source(fake_api))
    (post,) = page.posts
    assert post.parent_id == "1790000000000000010" and "referenced" not in post.raw
    assert "partial error" in caplog.text and "Not Found Error" in caplog.text


def test_server_errors_are_retried_then_transient(fake_api: FakeAPI) -> None:
    outage = Response(status=503, body={"title": "Service Unavailable", "status": 503})
    fake_api.add("GET", MENTIONS, outage)
    fake_api.add("GET", MENTIONS, outage)
    fake_api.add("GET", MENTIONS, response("zero_results.dm_events.tweepy_cassette.json"))
    assert collect(make_source(fake_api))[0].posts == ()
    assert len(fake_api.requests_to(MENTIONS)) == 3

    fake_api.add("GET", MENTIONS, outage, sticky=True)
    _, error = collect_until_error(make_source(fake_api, retries=1))
    assert isinstance(error, TransientError) and "503" in str(error)
    assert len(fake_api.requests_to(MENTIONS)) == 5


def test_connection_refused_is_transient() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = XSource(
        name="brand-x",
        bearer_token=TOKEN,
        brand_user_id=BRAND_ID,
        base_url=f"http://127.0.0.1:{port}",
        retries=1,
        retry_backoff=0.0,
    )
    with pytest.raises(TransientError, match="network error") as info:
        list(source.poll(None))
    assert TOKEN not in str(info.value)


def test_a_silent_server_times_out_as_transient() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        source = XSource(
            name="brand-x",
            bearer_token=TOKEN,
            brand_user_id=BRAND_ID,
            base_url=f"http://127.0.0.1:{silent.getsockname()[1]}",
            timeout_seconds=0.2,
            retries=0,
        )
        with pytest.raises(TransientError, match="timed out"):
            list(source.poll(None))


def test_a_stale_cursor_rejected_with_400_restarts_the_stream(fake_api: FakeAPI) -> None:
    rejected = {
        "errors": [{"parameters": {"since_id": ["1"]}, "message": "Invalid 'since_id'"}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    fake_api.add("GET", SEARCH, Response(status=400, body=rejected))
    fake_api.add("GET", SEARCH, response("search_recent.docs_example.json"))
    source = make_source(fake_api, mentions=False, queries=["python"])
    pages = collect(source, {"q:python": {"since_id": "1"}})
    first, second = fake_api.requests_to(SEARCH)
    assert first.param("since_id") == "1" and second.param("since_id") is None
    assert pages[-1].cursor == {"q:python": {"since_id": "1234567890123456789"}, "_turn": 1}

    fake_api.add("GET", SEARCH, Response(status=400, body=rejected), sticky=True)
    _, error = collect_until_error(source)  # no cursor to blame: a bad query
    assert isinstance(error, Permanent) and "400" in str(error)


def test_base_url_with_a_path_prefix(fake_api: FakeAPI) -> None:
    prefixed = f"/gateway{MENTIONS}"
    fake_api.add("GET", prefixed, response("zero_results.dm_events.tweepy_cassette.json"))
    collect(make_source(fake_api, base_url=f"{fake_api.url}/gateway/"))
    assert len(fake_api.requests_to(prefixed)) == 1


# --- settings ----------------------------------------------------------------------------------


def settings(**kwargs: Any) -> XSourceSettings:
    return XSourceSettings(name="brand-x", brand_user_id=BRAND_ID, **kwargs)


def test_from_settings_without_the_env_var_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIAGE_X_TEST_TOKEN", raising=False)
    with pytest.raises(NotConfigured, match="TRIAGE_X_TEST_TOKEN") as info:
        XSource.from_settings(settings(bearer_token_env="TRIAGE_X_TEST_TOKEN"), BrandSettings())
    assert "sources[brand-x].bearer_token" in str(info.value)


def test_from_settings_with_nothing_to_poll_refuses() -> None:
    with pytest.raises(NotConfigured, match="nothing to poll"):
        XSource.from_settings(
            XSourceSettings(name="brand-x", brand_username="AcmeSupport"), BrandSettings()
        )


def test_from_settings_builds_a_source_that_polls(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_X_BEARER_TOKEN", TOKEN)
    source = XSource.from_settings(
        settings(base_url=fake_api.url, queries=["acme"], brand_username="AcmeBrand"),
        BrandSettings(handles=["acme"]),
    )
    assert source.brand.handles == frozenset({"acme", "acmebrand"})
    assert TOKEN not in source.describe() and "q:acme" in source.describe()
    fake_api.add("GET", MENTIONS, response("zero_results.dm_events.tweepy_cassette.json"))
    fake_api.add("GET", SEARCH, response("zero_results.dm_events.tweepy_cassette.json"))
    pages = collect(source)
    assert [p.cursor for p in pages][-1] == {"mentions": {}, "q:acme": {}, "_turn": 1}
    assert fake_api.requests_to(SEARCH)[0].param("max_results") == "100"
    source.close()
