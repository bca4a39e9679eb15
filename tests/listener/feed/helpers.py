"""Helpers for the feed source tests: recorded and hand-written feeds served by FakeAPI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kernel.models import Page, Post
from listener.feed.source import FeedSource
from tests.httpserver import FakeAPI, Response

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def discourse(*, drop_first: int = 0) -> bytes:
    """The recorded Discourse feed, optionally without its newest topics (an older snapshot)."""
    body = fixture("discourse_latest.rss").decode("utf-8")
    for _ in range(drop_first):
        start = body.index("<item>")
        body = body[:start] + body[body.index("</item>", start) + len("</item>") :]
    return body.encode("utf-8")


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Acme blog</title>'
        "<link>https://blog.example.com/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode("utf-8")


def item(guid: str, title: str, description: str, **extra: str) -> str:
    fields = "".join(
        f"<{k.replace('_', ':')}>{v}</{k.replace('_', ':')}>" for k, v in extra.items()
    )
    return (
        f'<item><title>{title}</title><guid isPermaLink="false">{guid}</guid>'
        f"<description><![CDATA[{description}]]></description>{fields}</item>"
    )


def serve(api: FakeAPI, path: str, body: bytes, content_type: str = RSS, **headers: str) -> None:
    api.add("GET", path, Response(body=body, headers={"Content-Type": content_type, **headers}))


def source(api: FakeAPI, *paths: str, **kwargs: Any) -> FeedSource:
    kwargs.setdefault("platform", "forum")
    return FeedSource(name="feeds", urls=list(paths), base_url=api.url, **kwargs)


def read_all(src: FeedSource, cursor: dict[str, Any] | None = None) -> tuple[list[Post], Any]:
    posts: list[Post] = []
    for page in src.poll(cursor):
        posts.extend(page.posts)
        cursor = page.cursor
    return posts, cursor


def collect(src: FeedSource, cursor: dict[str, Any] | None = None) -> tuple[list[Page], Any]:
    """Pages yielded before the poll raised, and the error."""
    pages: list[Page] = []
    with pytest.raises(Exception) as caught:
        for page in src.poll(cursor):
            pages.append(page)
    return pages, caught.value
