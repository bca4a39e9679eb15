"""Helpers for the Bluesky source tests: the real atproto `Client` over HTTP against FakeAPI.

Bodies are tests/fixtures/bluesky (a real post view and records; the other calls written in
the lexicons' shapes and validated against atproto's models, see its README); tests change
ids, times and texts in code where they need to.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

from listener.bluesky.source import BlueskySource
from tests.httpserver import FakeAPI, Response

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bluesky"
PASSWORD = "abcd-efgh-ijkl-mnop"
BRAND = "acme.bsky.social"
BRAND_DID = "did:plc:acmebrand7kzq2vx4mvyxs3ld"
XRPC = "/xrpc/"
LOGIN = XRPC + "com.atproto.server.createSession"
NOTIFICATIONS = XRPC + "app.bsky.notification.listNotifications"
SEARCH = XRPC + "app.bsky.feed.searchPosts"
GET_POSTS = XRPC + "app.bsky.feed.getPosts"
CREATE_RECORD = XRPC + "com.atproto.repo.createRecord"
_DROP = {"content-length", "content-encoding", "transfer-encoding", "connection"}


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def body(name: str) -> Any:
    return copy.deepcopy(fixture(name)["body"])


def response(name: str, **changes: Any) -> Response:
    """The fixture's status, headers and body; its rate-limit window resets in five minutes."""
    env = fixture(name)
    headers = {k: v for k, v in env["headers"].items() if k.lower() not in _DROP}
    headers["ratelimit-reset"] = str(int(time.time()) + 300)
    result = Response(status=env["status"], body=copy.deepcopy(env["body"]), headers=headers)
    for key, value in changes.items():
        setattr(result, key, value)
    return result


def logged_in(api: FakeAPI) -> None:
    api.add("POST", LOGIN, response("create_session.json"))


def make_source(api: FakeAPI, **kwargs: Any) -> BlueskySource:
    options: dict[str, Any] = {
        "name": "brand-bsky",
        "handle": BRAND,
        "app_password": PASSWORD,
        "service_url": api.url,
        "timeout_seconds": 5.0,
    }
    options.update(kwargs)
    return BlueskySource(**options)
