"""Helpers for the Reddit source tests: the real praw client over HTTP against FakeAPI.

Every test goes through praw's client-credentials token request (POST /api/v1/access_token)
and its listing requests; payloads are the recorded shapes in tests/fixtures/reddit, with
timestamps, fullnames and texts changed in code where a test needs them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kernel.errors import SourceError
from kernel.models import Page, Post
from listener.reddit.source import RedditSource
from tests.httpserver import FakeAPI, Request, Response

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reddit"
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
        link_flair_text=None,
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
