"""The Reddit source end to end: the real praw client over HTTP against FakeAPI.

Every test goes through praw's client-credentials token request (POST /api/v1/access_token)
and its listing requests; payloads are the recorded shapes in tests/fixtures/reddit, with
timestamps, fullnames and texts changed in code where a test needs them.
"""

from __future__ import annotations

import base64
import copy
import json
import socket
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import prawcore
import pytest

from config.schema import BrandSettings
from config.sources import RedditSourceSettings
from listener.reddit import RedditSource
from tests.httpserver import FakeAPI, Request, Response
from triage.errors import (
    AuthError,
    MalformedPayload,
    NotConfigured,
    RateLimited,
    SourceError,
    TransientError,
)
from triage.models import DELETED_AUTHOR, MAX_TEXT_CHARS, Page, Post, PostKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reddit"
TOKEN = "/api/v1/access_token"
SECRET = "csecret-do-not-log"


def envelope(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def recorded(name: str, **overrides: Any) -> Response:
    """The recorded status, headers and body of a fixture envelope."""
    env = envelope(name)
    headers = {
        k: v
        for k, v in env["headers"].items()
        if k.lower() not in {"content-length", "content-encoding", "transfer-encoding"}
    }
    response = Response(status=env["status"], body=env["body"], headers=headers)
    for key, value in overrides.items():
        setattr(response, key, value)
    return response


NEW = envelope("subreddit_new.json")["body"]
COMMENTS = envelope("subreddit_comments.json")["body"]
BASE_TIME = 1_700_000_000.0


def submission(id_: str, created: float, **changes: Any) -> dict[str, Any]:
    child = copy.deepcopy(NEW["data"]["children"][0])
    child["data"].update(
        id=id_,
        name=f"t3_{id_}",
        created=created,
        created_utc=created,
        subreddit="acme",
        permalink=f"/r/acme/comments/{id_}/a_post/",
        title=f"Post {id_}",
        selftext=f"Body of {id_}",
    )
    child["data"].update(changes)
    return child


def comment(id_: str, created: float, **changes: Any) -> dict[str, Any]:
    child = copy.deepcopy(COMMENTS["data"]["children"][0])
    child["data"].update(
        id=id_,
        name=f"t1_{id_}",
        created=created,
        created_utc=created,
        link_id="t3_thread1",
        parent_id="t3_thread1",
        permalink=f"/r/acme/comments/thread1/a_post/{id_}/",
        body=f"Comment {id_}",
    )
    child["data"].update(changes)
    return child


def listing(children: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    body = copy.deepcopy(NEW)
    body["data"]["children"] = children
    body["data"]["after"] = after
    return body


def submissions(ids: Iterable[int]) -> list[dict[str, Any]]:
    """Newest first, as Reddit lists them: a larger id is a newer post."""
    return [submission(f"s{i}", BASE_TIME + i) for i in sorted(ids, reverse=True)]


def make_source(api: FakeAPI, **overrides: Any) -> RedditSource:
    options: dict[str, Any] = {
        "name": "reddit-test",
        "client_id": "cid",
        "client_secret": SECRET,
        "user_agent": "social-triage-tests/0.1",
        "subreddits": ["acme"],
        "comments": False,
        "base_url": api.url,
        "auth_url": api.url,
        "limit": 3,
        "max_pages": 5,
        "retry_delay": 0.0,
    }
    options.update(overrides)
    return RedditSource(**options)


def token_response(name: str = "access_token.json", **overrides: Any) -> Response:
    """A token endpoint answer. prawcore asks for `Connection: close` there; a real server
    says so back, which keeps urllib3 from reusing a socket FakeAPI has already closed."""
    response = recorded(name, **overrides) if name else Response(**overrides)
    response.headers = {**response.headers, "Connection": "close"}
    return response


def with_token(api: FakeAPI) -> FakeAPI:
    api.add("POST", TOKEN, token_response(), sticky=True)
    return api


def drain(
    source: RedditSource, cursor: dict[str, Any] | None
) -> tuple[list[Page], Exception | None]:
    """The pages a poll yields before it ends or raises, as the poller would store them."""
    pages: list[Page] = []
    try:
        for page in source.poll(cursor):
            pages.append(page)
    except SourceError as exc:
        return pages, exc
    return pages, None


def poll_ok(source: RedditSource, cursor: dict[str, Any] | None) -> tuple[list[Post], Any]:
    pages, error = drain(source, cursor)
    assert error is None, error
    posts = [post for page in pages for post in page.posts]
    stored = json.loads(json.dumps(pages[-1].cursor))  # what storage would give back
    return posts, stored


def gets(api: FakeAPI, path: str) -> list[Request]:
    return [r for r in api.requests_to(path) if r.method == "GET"]


# --- mapping recorded payloads ---------------------------------------------------------------


def test_recorded_submissions_map_to_posts(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/askreddit/new", recorded("subreddit_new.json"))
    fake_api.add("GET", "/r/askreddit/new", recorded("empty_listing.json"))
    source = make_source(fake_api, subreddits=["r/askreddit"], limit=100)

    posts, _ = poll_ok(source, None)

    children = NEW["data"]["children"]
    assert [p.external_id for p in posts] == [c["data"]["name"] for c in children]
    first, data = posts[0], children[0]["data"]
    assert first.source == "reddit"
    assert first.external_id == "t3_48fbm9"
    assert first.url == "https://www.reddit.com" + data["permalink"]
    assert first.text == data["title"]  # a link post without selftext: the title alone
    assert first.author.handle == "RedHeadQc"
    assert first.author.is_brand is False
    assert first.created_at == datetime.fromtimestamp(1456821458.0, UTC)
    assert first.conversation_id == "t3_48fbm9"
    assert first.parent_id is None
    assert first.kind is PostKind.POST
    assert first.query == "r/askreddit new"
    assert first.lang is None
    assert first.raw == data
    json.dumps(first.raw)

    token, listing_request = fake_api.requests[0], fake_api.requests[1]
    assert token.method == "POST" and token.path == TOKEN
    assert token.body == b"grant_type=client_credentials"
    assert token.headers["authorization"] == "Basic " + base64.b64encode(
        f"cid:{SECRET}".encode()
    ).decode("ascii")
    assert listing_request.path == "/r/askreddit/new"
    assert listing_request.query == {"limit": ["100"], "raw_json": ["1"]}
    assert listing_request.headers["authorization"] == "bearer <ACCESS_TOKEN>"
    assert gets(fake_api, "/r/askreddit/new")[1].param("after") == children[-1]["data"]["name"]


def test_selftext_joins_title_and_comments_map_thread_ids(fake_api: FakeAPI) -> None:
    with_token(fake_api)
    fake_api.add("GET", "/r/acme/new", Response(body=listing([submission("a1", BASE_TIME)])))
    recorded_comments = listing(COMMENTS["data"]["children"][:2])
    fake_api.add("GET", "/r/acme/comments/", Response(body=recorded_comments))
    source = make_source(fake_api, comments=True)

    posts, _ = poll_ok(source, None)

    by_id = {p.external_id: p for p in posts}
    assert by_id["t3_a1"].text == "Post a1\n\nBody of a1"
    first = COMMENTS["data"]["children"][0]["data"]
    post = by_id[first["name"]]
    assert post.kind is PostKind.COMMENT
    assert post.text == first["body"]
    assert post.conversation_id == first["link_id"]
    assert post.parent_id == first["parent_id"]
    assert post.author.external_id == first["author_fullname"]
    assert post.url == "https://www.reddit.com" + first["permalink"]
    assert post.query == "r/acme comments"


def test_search_is_restricted_to_the_subreddits_newest_first(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme+acmehelp/search/", recorded("search.json"))
    fake_api.add("GET", "/r/acme+acmehelp/search/", recorded("empty_listing.json"))
    source = make_source(
        fake_api,
        subreddits=["acme", "acmehelp"],
        submissions=False,
        queries=["praw oauth"],
        limit=100,
    )

    posts, _ = poll_ok(source, None)

    request = gets(fake_api, "/r/acme+acmehelp/search/")[0]
    assert request.query == {
        "q": ["praw oauth"],
        "restrict_sr": ["True"],
        "sort": ["new"],
        "syntax": ["lucene"],
        "t": ["all"],
        "limit": ["100"],
        "raw_json": ["1"],
    }
    assert {p.query for p in posts} == {"praw oauth"}
    assert len(posts) == len(envelope("search.json")["body"]["data"]["children"])


def test_search_without_subreddits_covers_r_all(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/all/search/", recorded("empty_listing.json"))
    source = make_source(fake_api, subreddits=[], queries=["acme outage"])

    pages, error = drain(source, None)

    assert error is None and [p.posts for p in pages] == [()]
    assert gets(fake_api, "/r/all/search/")[0].param("restrict_sr") == "False"


# --- pagination, cursor, resume --------------------------------------------------------------


def test_pagination_follows_after_until_the_listing_ends(fake_api: FakeAPI) -> None:
    page1, page2 = submissions(range(4, 7)), submissions(range(1, 4))
    with_token(fake_api).add("GET", "/r/acme/new", Response(body=listing(page1, "t3_s4")))
    fake_api.add("GET", "/r/acme/new", Response(body=listing(page2, None)))
    source = make_source(fake_api)

    pages, error = drain(source, None)

    assert error is None
    assert len(pages) == 1  # one page per stream: its posts and its cursor, stored together
    assert [p.external_id for p in pages[0].posts] == [f"t3_s{i}" for i in range(6, 0, -1)]
    requests = gets(fake_api, "/r/acme/new")
    assert [r.param("after") for r in requests] == [None, "t3_s4"]
    assert {r.param("limit") for r in requests} == {"3"}
    state = pages[0].cursor["streams"]["r/acme new"]  # type: ignore[index]
    assert state["newest"] == BASE_TIME + 6
    assert set(state["seen"]) == {f"t3_s{i}" for i in range(1, 7)}


def test_resume_after_restart_emits_only_new_items(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", Response(body=listing(submissions([3, 2, 1]))))
    _, cursor = poll_ok(make_source(fake_api), None)

    # A new process (fresh praw client) with the stored cursor; two posts arrived since.
    fake_api.add(
        "GET", "/r/acme/new", Response(body=listing(submissions([5, 4, 3]), after="t3_s3"))
    )
    posts, cursor = poll_ok(make_source(fake_api), cursor)

    assert [p.external_id for p in posts] == ["t3_s5", "t3_s4"]
    # The page reached an already seen item at the cursor time: no second page requested.
    assert len(gets(fake_api, "/r/acme/new")) == 2

    fake_api.add(
        "GET", "/r/acme/new", Response(body=listing(submissions([5, 4, 3]), after="t3_s3"))
    )
    posts, _ = poll_ok(make_source(fake_api), cursor)
    assert posts == []


def test_same_second_arrival_is_new_but_seen_items_are_not(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", Response(body=listing(submissions([2, 1]))))
    _, cursor = poll_ok(make_source(fake_api), None)
    twin = submission("twin", BASE_TIME + 2)  # created in the same second as the newest seen
    fake_api.add(
        "GET", "/r/acme/new", Response(body=listing([twin, *submissions([2, 1])], "t3_s1"))
    )

    posts, _ = poll_ok(make_source(fake_api), cursor)

    assert [p.external_id for p in posts] == ["t3_twin"]


def test_max_pages_never_skips_the_gap(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", Response(body=listing(submissions([2, 1]))))
    _, cursor = poll_ok(make_source(fake_api, max_pages=2), None)

    # Nine new posts (s11..s19) since; two pages of three is all one poll may read.
    new = submissions(range(11, 20))
    old = submissions([2, 1])
    for start, after in ((0, "t3_s17"), (3, "t3_s14")):
        fake_api.add("GET", "/r/acme/new", Response(body=listing(new[start : start + 3], after)))
    posts, cursor = poll_ok(make_source(fake_api, max_pages=2), cursor)
    assert [p.external_id for p in posts] == [f"t3_s{i}" for i in range(19, 13, -1)]
    state = cursor["streams"]["r/acme new"]
    assert state["resume_after"] == "t3_s14"
    assert state["resume_until"] == BASE_TIME + 2

    # The next poll continues the gap from where it stopped, down to the old boundary.
    fake_api.add("GET", "/r/acme/new", Response(body=listing(new[6:9], "t3_s11")))
    fake_api.add("GET", "/r/acme/new", Response(body=listing(old, None)))
    posts, cursor = poll_ok(make_source(fake_api, max_pages=2), cursor)
    assert [p.external_id for p in posts] == ["t3_s13", "t3_s12", "t3_s11"]
    assert [r.param("after") for r in gets(fake_api, "/r/acme/new")[-2:]] == ["t3_s14", "t3_s11"]
    assert "resume_after" not in cursor["streams"]["r/acme new"]

    # And then reads from the top again, stopping at the first page.
    fake_api.add("GET", "/r/acme/new", Response(body=listing(new[0:3], "t3_s17")))
    posts, _ = poll_ok(make_source(fake_api, max_pages=2), cursor)
    assert posts == []
    assert gets(fake_api, "/r/acme/new")[-1].param("after") is None


def test_first_poll_reads_at_most_max_pages(fake_api: FakeAPI) -> None:
    with_token(fake_api)
    for start, after in ((0, "t3_s7"), (3, "t3_s4")):
        batch = submissions(range(1, 10))[start : start + 3]
        fake_api.add("GET", "/r/acme/new", Response(body=listing(batch, after)))

    posts, cursor = poll_ok(make_source(fake_api, max_pages=2), None)

    assert len(posts) == 6
    assert len(gets(fake_api, "/r/acme/new")) == 2
    assert "resume_after" not in cursor["streams"]["r/acme new"]


def test_empty_listing(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/acme/new", recorded("empty_listing.json"))

    pages, error = drain(make_source(fake_api), None)

    assert error is None
    assert [page.posts for page in pages] == [()]
    assert pages[0].cursor is not None
    assert pages[0].cursor["streams"]["r/acme new"]["newest"] is None
    assert len(gets(fake_api, "/r/acme/new")) == 1


# --- deleted, removed, emoji, long text, brand -----------------------------------------------


def test_deleted_authors_and_removed_bodies(fake_api: FakeAPI) -> None:
    deleted_post = envelope("submission_deleted_author.json")["body"]["data"]["children"][0]
    deleted_comment = envelope("comment_deleted_info.json")["body"]["data"]["children"][0]
    removed = comment("rm", BASE_TIME + 4, body="[removed]")
    orphan = comment("orph", BASE_TIME + 3, author="[deleted]", body="Still here, no account")
    no_author = comment("none", BASE_TIME + 2, author=None)
    with_token(fake_api)
    fake_api.add("GET", "/r/acme/new", Response(body=listing([deleted_post])))
    fake_api.add(
        "GET",
        "/r/acme/comments/",
        Response(body=listing([removed, orphan, no_author, deleted_comment])),
    )
    source = make_source(fake_api, comments=True)

    pages, error = drain(source, None)

    assert error is None
    posts = {p.external_id: p for page in pages for p in page.posts}
    assert set(posts) == {"t1_orph", "t1_none"}
    assert posts["t1_orph"].author == DELETED_AUTHOR
    assert posts["t1_orph"].text == "Still here, no account"
    assert posts["t1_none"].author == DELETED_AUTHOR
    skipped = [reason for page in pages for reason in page.skipped]
    assert len(skipped) == 3
    for fullname, body in (("t3_4b1tfm", "[deleted]"), ("t1_rm", "[removed]")):
        assert any(fullname in r and body in r for r in skipped), skipped
    assert any("t1_d7ltvl0" in r for r in skipped)
    assert all("reddit-test" in r for r in skipped)

    # Skipped items count as seen: the next poll does not report them again.
    cursor = json.loads(json.dumps(pages[-1].cursor))
    fake_api.add("GET", "/r/acme/new", Response(body=listing([deleted_post])))
    fake_api.add("GET", "/r/acme/comments/", Response(body=listing([removed, orphan])))
    pages, error = drain(make_source(fake_api, comments=True), cursor)
    assert error is None
    assert [(page.posts, page.skipped) for page in pages] == [((), ()), ((), ())]


def test_emoji_and_long_text(fake_api: FakeAPI) -> None:
    long_body = "Acme ate my refund 😡🔥 " + "x" * (MAX_TEXT_CHARS + 500)
    with_token(fake_api).add(
        "GET",
        "/r/acme/comments/",
        Response(
            body=listing(
                [
                    comment("long", BASE_TIME + 2, body=long_body),
                    comment("emoji", BASE_TIME + 1, body="Obrigado @acme 🙏🏽 café ✅\u0000"),
                ]
            )
        ),
    )
    source = make_source(fake_api, submissions=False, comments=True)

    posts, _ = poll_ok(source, None)

    by_id = {p.external_id: p for p in posts}
    long_post = by_id["t1_long"]
    assert len(long_post.text) == MAX_TEXT_CHARS
    assert long_post.text.startswith("Acme ate my refund 😡🔥 ")
    assert long_post.raw["_truncated_from"] == len(long_body)
    assert long_post.raw["body"] == long_body  # the payload as the platform sent it
    assert by_id["t1_emoji"].text == "Obrigado @acme 🙏🏽 café ✅"


def test_brand_accounts_are_marked(fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_REDDIT_ID", "cid")
    monkeypatch.setenv("TEST_REDDIT_SECRET", SECRET)
    settings = RedditSourceSettings(
        name="reddit-brand",
        client_id_env="TEST_REDDIT_ID",
        client_secret_env="TEST_REDDIT_SECRET",
        subreddits=["acme"],
        comments=False,
        brand_usernames=["u/Acme_Care"],
        base_url=fake_api.url,
        auth_url=fake_api.url,
    )
    source = RedditSource.from_settings(settings, BrandSettings(handles=["AcmeSupport"]))
    children = [
        submission("b1", BASE_TIME + 3, author="acmesupport"),
        submission("b2", BASE_TIME + 2, author="Acme_Care"),
        submission("c1", BASE_TIME + 1, author="angry_customer"),
    ]
    with_token(fake_api).add("GET", "/r/acme/new", Response(body=listing(children)))

    posts, _ = poll_ok(source, None)

    assert {p.external_id: p.author.is_brand for p in posts} == {
        "t3_b1": True,
        "t3_b2": True,
        "t3_c1": False,
    }
    assert gets(fake_api, "/r/acme/new")[0].param("limit") == "100"  # settings.limit


# --- errors ----------------------------------------------------------------------------------


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


# --- configuration ---------------------------------------------------------------------------


def test_missing_credentials_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_REDDIT_ID", raising=False)
    settings = RedditSourceSettings(
        name="reddit-x", client_id_env="TEST_REDDIT_ID", subreddits=["acme"]
    )
    with pytest.raises(NotConfigured, match=r"sources\[reddit-x\]\.client_id"):
        RedditSource.from_settings(settings, BrandSettings())


def test_nothing_to_read_is_not_configured(fake_api: FakeAPI) -> None:
    with pytest.raises(NotConfigured, match="subreddits"):
        make_source(fake_api, subreddits=[], queries=[])


def test_describe_names_streams_not_secrets(fake_api: FakeAPI) -> None:
    source = make_source(fake_api, comments=True, queries=["acme down", "acme refund"])
    text = source.describe()
    assert "r/acme new" in text and "r/acme comments" in text and "2 searches" in text
    assert SECRET not in text and "cid" not in text
    source.close()
