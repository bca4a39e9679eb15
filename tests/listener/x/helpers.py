"""Helpers for the X source tests: the real tweepy Client over HTTP against FakeAPI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from kernel.errors import SourceError
from kernel.models import Page, Post
from listener.x.source import XSource
from tests.httpserver import FakeAPI, Response

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x"
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
