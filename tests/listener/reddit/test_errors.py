"""Reddit failures: 429s and rate limits, auth, malformed payloads, outages."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import prawcore

from kernel.errors import (
    AuthError,
    MalformedPayload,
    RateLimited,
    TransientError,
)
from listener.reddit.source import RedditSource
from tests.httpserver import FakeAPI, Response
from tests.listener.reddit.helpers import (
    BASE_TIME,
    SECRET,
    TOKEN,
    drain,
    gets,
    listing,
    make_source,
    poll_ok,
    recorded,
    submission,
    submissions,
    token_response,
    with_token,
)


def test_429_html_with_retry_after(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", recorded("error_429_html_retry_after.json"))
    before = datetime.now(UTC)

    pages, error = drain(make_source(fake_api), None)

    assert isinstance(error, RateLimited)
    assert isinstance(error.__cause__, prawcore.TooManyRequests)
    assert error.reset_at is not None
    assert before + timedelta(seconds=3) <= error.reset_at <= before + timedelta(seconds=30)
    assert "GET /r/acme/new" in str(error) and "429" in str(error)
    assert [page.posts for page in pages] == [()]
    assert len(gets(fake_api, "/r/acme/new")) == 1  # a 429 is not retried in place


def test_429_json_on_the_token_endpoint(fake_api: FakeAPI) -> None:
    fake_api.add("POST", TOKEN, token_response("error_429_access_token_json.json"))

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, RateLimited)
    assert error.reset_at is not None and error.reset_at > datetime.now(UTC)
    assert f"POST {TOKEN}" in str(error)
    assert gets(fake_api, "/r/acme/new") == []


def test_low_rate_limit_is_reported_and_stops_before_the_window_runs_out(
    fake_api: FakeAPI,
) -> None:
    headers = {
        "x-ratelimit-remaining": "3.0",
        "x-ratelimit-used": "597",
        "x-ratelimit-reset": "120",
    }
    with_token(fake_api).add(
        "GET", "/r/acme/new", Response(body=listing(submissions([1])), headers=headers)
    )
    before = datetime.now(UTC)
    source = make_source(fake_api, comments=True)

    pages, error = drain(source, None)

    assert [p.external_id for p in pages[0].posts] == ["t3_s1"]
    limit = pages[0].rate_limit
    assert limit is not None and limit.remaining == 3 and limit.limit == 600
    assert limit.reset_at is not None and limit.reset_at >= before + timedelta(seconds=119)
    assert isinstance(error, RateLimited)
    assert error.reset_at == limit.reset_at
    assert gets(fake_api, "/r/acme/comments/") == []  # stopped before asking


def test_plenty_of_rate_limit_left_is_not_reported(fake_api: FakeAPI) -> None:
    headers = {
        "x-ratelimit-remaining": "599.0",
        "x-ratelimit-used": "1",
        "x-ratelimit-reset": "525",
    }
    with_token(fake_api).add("GET", "/r/acme/new", recorded("empty_listing.json", headers=headers))

    pages, error = drain(make_source(fake_api), None)

    assert error is None and pages[0].rate_limit is None


def test_401_renews_the_token_once_then_is_an_auth_error(fake_api: FakeAPI) -> None:
    with_token(fake_api).add(
        "GET", "/r/acme/new", recorded("error_401_invalid_token.json"), sticky=True
    )

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, AuthError)
    assert isinstance(error.__cause__, prawcore.InvalidToken)
    assert "401" in str(error) and SECRET not in str(error) and "\n" not in str(error)
    assert [(r.method, r.path) for r in fake_api.requests] == [
        ("POST", TOKEN),
        ("GET", "/r/acme/new"),
        ("POST", TOKEN),
        ("GET", "/r/acme/new"),
    ]


def test_401_without_www_authenticate_is_an_auth_error(fake_api: FakeAPI) -> None:
    with_token(fake_api).add(
        "GET", "/r/acme/new", Response(status=401, body={"message": "Unauthorized"}), sticky=True
    )

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, AuthError) and "401" in str(error)


def test_403_is_an_auth_error(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", recorded("error_403_forbidden.json"))

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, AuthError) and "403" in str(error)


def test_invalid_grant_on_http_200_is_an_auth_error(fake_api: FakeAPI) -> None:
    fake_api.add("POST", TOKEN, token_response("access_token.invalid_grant.json"))

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, AuthError)
    assert isinstance(error.__cause__, prawcore.OAuthException)
    message = str(error)
    assert "invalid_grant" in message and f"POST {TOKEN}" in message
    assert SECRET not in message and "\n" not in message
    assert gets(fake_api, "/r/acme/new") == []


def test_token_endpoint_401_is_an_auth_error(fake_api: FakeAPI) -> None:
    fake_api.add(
        "POST",
        TOKEN,
        token_response("", status=401, body={"message": "Unauthorized", "error": 401}),
    )

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, AuthError)
    assert f"POST {TOKEN}" in str(error) and SECRET not in str(error)


def test_malformed_json_names_source_and_endpoint(fake_api: FakeAPI) -> None:
    broken = Response(
        body='{"kind": "Listing", "data": {"chil',
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )
    with_token(fake_api).add("GET", "/r/acme/new", broken)

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, MalformedPayload)
    assert isinstance(error.__cause__, prawcore.BadJSON)
    assert "reddit-test" in str(error) and "GET /r/acme/new" in str(error)


def test_json_that_is_not_a_listing(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", Response(body={"kind": "t3", "data": []}))

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, MalformedPayload) and "GET /r/acme/new" in str(error)


def test_malformed_second_page_keeps_the_first_and_resumes_there(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", Response(body=listing(submissions([2, 1]))))
    _, cursor = poll_ok(make_source(fake_api), None)
    fake_api.add(
        "GET", "/r/acme/new", Response(body=listing(submissions([9, 8, 7]), after="t3_s7"))
    )
    fake_api.add("GET", "/r/acme/new", Response(body="<html>upstream hiccup</html>"))

    pages, error = drain(make_source(fake_api), cursor)

    assert isinstance(error, MalformedPayload)
    assert [p.external_id for p in pages[0].posts] == ["t3_s9", "t3_s8", "t3_s7"]
    cursor = json.loads(json.dumps(pages[0].cursor))
    assert cursor["streams"]["r/acme new"]["resume_after"] == "t3_s7"

    fake_api.add("GET", "/r/acme/new", Response(body=listing(submissions([6, 2, 1]))))
    posts, _ = poll_ok(make_source(fake_api), cursor)
    assert [p.external_id for p in posts] == ["t3_s6"]
    assert gets(fake_api, "/r/acme/new")[-1].param("after") == "t3_s7"


def test_a_malformed_item_is_skipped_with_its_reason(fake_api: FakeAPI) -> None:
    bad = submission("bad", BASE_TIME + 2, created_utc="yesterday")
    with_token(fake_api).add(
        "GET", "/r/acme/new", Response(body=listing([bad, submission("ok", BASE_TIME + 1)]))
    )

    pages, error = drain(make_source(fake_api), None)

    assert error is None
    assert [p.external_id for p in pages[0].posts] == ["t3_ok"]
    assert len(pages[0].skipped) == 1 and "t3_bad" in pages[0].skipped[0]


def test_server_error_is_retried_once_then_transient(fake_api: FakeAPI) -> None:
    with_token(fake_api).add(
        "GET", "/r/acme/new", Response(status=503, body="<html>busy</html>"), sticky=True
    )

    _, error = drain(make_source(fake_api), None)

    assert isinstance(error, TransientError) and "503" in str(error)
    assert len(gets(fake_api, "/r/acme/new")) == 2


def test_connection_refused_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    source = RedditSource(
        name="reddit-down",
        client_id="cid",
        client_secret=SECRET,
        user_agent="social-triage-tests/0.1",
        subreddits=["acme"],
        base_url=url,
        auth_url=url,
        retry_delay=0.0,
    )

    _, error = drain(source, None)

    assert isinstance(error, TransientError)
    assert isinstance(error.__cause__, prawcore.RequestException)
    assert SECRET not in str(error)


def test_a_failing_stream_does_not_starve_the_others(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", recorded("error_403_forbidden.json"))
    source = make_source(fake_api, comments=True)
    pages, error = drain(source, None)
    assert isinstance(error, AuthError) and len(pages) == 1
    cursor = json.loads(json.dumps(pages[0].cursor))

    fake_api.add("GET", "/r/acme/comments/", recorded("empty_listing.json"))
    fake_api.add("GET", "/r/acme/new", recorded("empty_listing.json"))
    pages, error = drain(make_source(fake_api, comments=True), cursor)

    assert error is None
    assert [r.path for r in fake_api.requests if r.method == "GET"][-2:] == [
        "/r/acme/comments/",
        "/r/acme/new",
    ]
