"""X failures: 429s and quotas, auth, malformed payloads, outages and stale cursors."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from kernel.errors import (
    AuthError,
    MalformedPayload,
    Permanent,
    RateLimited,
    TransientError,
)
from listener.x.source import XSource
from tests.httpserver import FakeAPI, Response
from tests.listener.x.helpers import (
    BRAND_ID,
    MENTIONS,
    PAGE2_TOKEN,
    SEARCH,
    TOKEN,
    collect,
    collect_until_error,
    make_source,
    response,
)


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
    # An earlier CLI test's configure_logging() quiets these loggers to WARNING; lift that here.
    for name in ("tweepy", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
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
    with caplog.at_level(logging.WARNING, logger="listener.x.source"):
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
