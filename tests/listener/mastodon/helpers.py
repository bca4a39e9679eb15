"""Helpers for the Mastodon source tests: the real Mastodon.py client over HTTP against FakeAPI.

Responses come from the recorded VCR cassettes in tests/fixtures/mastodon (real answers of a
Mastodon 4.x server, Mastodon.py's test suite): status, headers (`x-ratelimit-*`, `Link`) and
body as recorded; statuses for more pages are the recorded ones with ids and texts changed.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from listener.mastodon.source import MastodonSource
from tests.httpserver import FakeAPI, Response

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mastodon"
TOKEN = "mastodon-token-do-not-log"
NOTIFICATIONS = "/api/v1/notifications"
STATUSES = "/api/v1/statuses"
_KEEP = ("content-type", "link", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def interaction(cassette: str, method: str, path: str, index: int = 0) -> dict[str, Any]:
    """The `index`-th recorded request to `method path` in a cassette."""
    data = yaml.safe_load((FIXTURES / cassette).read_text(encoding="utf-8"))
    found = [
        i
        for i in data["interactions"]
        if i["request"]["method"] == method and i["request"]["uri"].split("?")[0].endswith(path)
    ]
    return found[index]  # type: ignore[no-any-return]


def recorded(cassette: str, method: str, path: str, index: int = 0, **changes: Any) -> Response:
    """The recorded response, its `Link` pointing at the test server; `x-ratelimit-reset` moved
    into the future (a recorded reset in the past means the window has already reset)."""
    response = interaction(cassette, method, path, index)["response"]
    headers = {k: v[0] for k, v in response["headers"].items() if k.lower() in _KEEP}
    headers["x-ratelimit-reset"] = _future()
    body = json.loads(response["body"]["string"])
    result = Response(status=response["status"]["code"], body=body, headers=headers)
    for key, value in changes.items():
        setattr(result, key, value)
    return result


def _future(minutes: int = 5) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def mention(notification_id: int, status_id: int, **status_changes: Any) -> dict[str, Any]:
    """The recorded mention notification with new ids (and any status field changed)."""
    [notification] = recorded("test_notifications.yaml", "GET", NOTIFICATIONS).body
    notification = copy.deepcopy(notification)
    notification["id"] = str(notification_id)
    status = notification["status"]
    status.update(
        id=str(status_id),
        url=f"http://localhost:3000/@admin/{status_id}",
        content=f"<p>@acme my order {status_id} never arrived</p>",
    )
    status.update(status_changes)
    return notification  # type: ignore[no-any-return]


def notifications_page(
    notifications: list[dict[str, Any]], *, next_max_id: str | None, remaining: int = 290
) -> Response:
    """A page of notifications with the recorded headers and the `Link` Mastodon sends."""
    response = recorded("test_notifications.yaml", "GET", NOTIFICATIONS)
    links = []
    if next_max_id:
        links.append(f'<http://localhost:3000{NOTIFICATIONS}?max_id={next_max_id}>; rel="next"')
    if notifications:
        newest = max(int(n["id"]) for n in notifications)
        links.append(f'<http://localhost:3000{NOTIFICATIONS}?min_id={newest}>; rel="prev"')
    response.body = notifications
    response.headers["x-ratelimit-remaining"] = str(remaining)
    if links:
        response.headers["link"] = ", ".join(links)
    else:
        response.headers.pop("link", None)
    return response


def make_source(api: FakeAPI, **kwargs: Any) -> MastodonSource:
    options: dict[str, Any] = {
        "name": "brand-mastodon",
        "instance_url": api.url,
        "access_token": TOKEN,
        "brand_handles": frozenset({"acme"}),
        "timeout_seconds": 5.0,
    }
    options.update(kwargs)
    return MastodonSource(**options)
