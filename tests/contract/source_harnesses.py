"""One harness per registered source type, for tests/contract/test_source_contract.py.

A harness builds the real source against the real transport (tweepy, praw, requests +
feedparser over HTTP to `FakeAPI`; a file for replay) and scripts what the platform answers:
two pages of posts, or one failure. A source type registered in kernel/plugins.py without a
harness here fails the contract suite, so a new source cannot skip it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, ClassVar

from kernel.abc import Source
from listener.feed.source import FeedSource
from listener.replay import PAGE_SIZE, ReplaySource
from tests.httpserver import FakeAPI, Response
from tests.listener.bluesky import helpers as bluesky
from tests.listener.feed import helpers as feeds
from tests.listener.mastodon import helpers as mastodon
from tests.listener.reddit import helpers as reddit
from tests.listener.x import helpers as x

#: Failures a platform can answer with; a harness lists the ones its platform cannot produce.
FAILURES = ("rate_limit", "malformed", "truncated", "auth")


class Harness:
    #: Failures that cannot happen on this platform, each with the reason.
    unsupported: ClassVar[dict[str, str]] = {}

    def __init__(self, api: FakeAPI, tmp_path: Path) -> None:
        self.api, self.tmp_path = api, tmp_path

    def source(self) -> Source:
        raise NotImplementedError

    def serve_pages(self) -> int:
        """Script two pages of posts (again, when called again); the number of distinct posts."""
        raise NotImplementedError

    def serve_failure(self, failure: str) -> None:
        raise NotImplementedError


class XHarness(Harness):
    def source(self) -> Source:
        return x.make_source(self.api)

    def serve_pages(self) -> int:
        self.api.add("GET", x.MENTIONS, x.response("mentions_page1.json"))
        self.api.add("GET", x.MENTIONS, x.response("mentions_page2.json"))
        pages = [
            x.fixture(n)["body"]["data"] for n in ("mentions_page1.json", "mentions_page2.json")
        ]
        retweets = sum(
            any(r.get("type") == "retweeted" for r in t.get("referenced_tweets", []))
            for page in pages
            for t in page
        )
        return sum(len(page) for page in pages) - retweets

    def serve_failure(self, failure: str) -> None:
        if failure == "rate_limit":
            self.api.add("GET", x.MENTIONS, x.response("error_429.v2_composite.json"))
        elif failure == "auth":
            self.api.add("GET", x.MENTIONS, x.response("error_401.real_report.json"))
        elif failure == "malformed":
            self.api.add("GET", x.MENTIONS, Response(body={"data": "not a list", "meta": {}}))
        else:
            text = json.dumps(x.fixture("mentions_page1.json")["body"])
            self.api.add("GET", x.MENTIONS, _json_text(text[: len(text) // 2]))


class RedditHarness(Harness):
    PATH = "/r/acme/new"

    def source(self) -> Source:
        return reddit.make_source(self.api)

    def serve_pages(self) -> int:
        reddit.with_token(self.api)
        first, second = reddit.submissions(range(4, 7)), reddit.submissions(range(1, 4))
        self.api.add("GET", self.PATH, Response(body=reddit.listing(first, "t3_s4")))
        self.api.add("GET", self.PATH, Response(body=reddit.listing(second, None)))
        return 6

    def serve_failure(self, failure: str) -> None:
        reddit.with_token(self.api)
        if failure == "rate_limit":
            self.api.add("GET", self.PATH, reddit.recorded("error_429_html_retry_after.json"))
        elif failure == "auth":
            self.api.add("GET", self.PATH, reddit.recorded("error_403_forbidden.json"))
        elif failure == "malformed":
            self.api.add("GET", self.PATH, Response(body={"kind": "Listing", "data": []}))
        else:
            text = json.dumps(reddit.listing(reddit.submissions(range(1, 4))))
            self.api.add("GET", self.PATH, _json_text(text[: len(text) // 2]))


class MastodonHarness(Harness):
    PATH = mastodon.NOTIFICATIONS

    def source(self) -> Source:
        return mastodon.make_source(self.api)

    def serve_pages(self) -> int:
        first = [mastodon.mention(n, n * 10) for n in (16, 15, 14)]
        second = [mastodon.mention(n, n * 10) for n in (13, 12)]
        self.api.add("GET", self.PATH, mastodon.notifications_page(first, next_max_id="14"))
        self.api.add("GET", self.PATH, mastodon.notifications_page(second, next_max_id=None))
        return 5

    def serve_failure(self, failure: str) -> None:
        if failure == "rate_limit":
            response = mastodon.notifications_page([], next_max_id=None, remaining=0)
            response.status, response.body = 429, {"error": "Too many requests"}
        elif failure == "auth":
            response = Response(status=401, body={"error": "The access token is invalid"})
        elif failure == "malformed":
            broken = mastodon.mention(17, 170)
            del broken["status"]["account"]
            response = mastodon.notifications_page([broken], next_max_id=None)
        else:
            page = mastodon.notifications_page([mastodon.mention(17, 170)], next_max_id=None)
            text = json.dumps(page.body)
            response = _json_text(text[: len(text) // 2])
        self.api.add("GET", self.PATH, response)


class BlueskyHarness(Harness):
    PATH = bluesky.NOTIFICATIONS

    def source(self) -> Source:
        return bluesky.make_source(self.api)

    def serve_pages(self) -> int:
        self.api.add("POST", bluesky.LOGIN, bluesky.response("create_session.json"), sticky=True)
        self.api.add("GET", bluesky.GET_POSTS, bluesky.response("get_posts.json"), sticky=True)
        for name in ("list_notifications_page1.json", "list_notifications_page2.json"):
            self.api.add("GET", self.PATH, bluesky.response(name))
        return 3 + 2

    def serve_failure(self, failure: str) -> None:
        if failure == "rate_limit":
            self.api.add("GET", self.PATH, bluesky.response("error_429.json"))
        elif failure == "auth":  # the app password was revoked: the new login is refused
            self.api.add("POST", bluesky.LOGIN, bluesky.response("error_401_login.json"))
        elif failure == "malformed":
            page = bluesky.response("list_notifications_page2.json")
            page.body["notifications"][0]["record"] = {"$type": "app.bsky.feed.post"}
            self.api.add("GET", self.PATH, page)
        else:
            text = json.dumps(bluesky.body("list_notifications_page1.json"))
            self.api.add("GET", self.PATH, _json_text(text[: len(text) // 2]))


class FeedHarness(Harness):
    URLS = ("/latest.rss", "/posts.rss")

    def source(self) -> Source:
        return FeedSource(name="forum-feeds", urls=list(self.URLS), base_url=self.api.url)

    def serve_pages(self) -> int:
        latest, posts = feeds.discourse(), feeds.fixture("discourse_posts.rss")
        for path, body in zip(self.URLS, (latest, posts), strict=True):
            self.api.add("GET", path, Response(body=body, headers={"Content-Type": feeds.RSS}))
        return 9 + 4

    def serve_failure(self, failure: str) -> None:
        path, full = self.URLS[0], feeds.discourse()
        if failure == "rate_limit":
            response = Response(status=429, body="slow down", headers={"Retry-After": "120"})
        elif failure == "auth":
            response = Response(status=401, body="login required")
        elif failure == "malformed":
            response = Response(body=b"<html><body>maintenance</body></html>")
        else:
            response = Response(body=full[: len(full) // 2], headers={"Content-Type": feeds.RSS})
        self.api.add("GET", path, response)
        self.api.add("GET", self.URLS[1], Response(status=304))


class ReplayHarness(Harness):
    unsupported: ClassVar[dict[str, str]] = {
        "rate_limit": "a local file has no rate limit",
        "auth": "a local file has no credentials",
    }

    @property
    def path(self) -> Path:
        return self.tmp_path / "replay.jsonl"

    def source(self) -> Source:
        return ReplaySource(name="file", path=self.path)

    def serve_pages(self) -> int:
        count = PAGE_SIZE + 5  # two pages
        if not self.path.exists():  # served again: the file is unchanged
            self.path.write_text("".join(_line(i) + "\n" for i in range(count)))
        return count

    def serve_failure(self, failure: str) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            if failure == "malformed":
                handle.write('{"source": "x", "external_id": \n')
            else:  # a writer cut off mid-line: nothing of it is stored until it is whole
                handle.write(_line(10**6)[:30])


def _line(i: int) -> str:
    return json.dumps(
        {"source": "x", "external_id": f"r{i}", "text": f"post {i}", "created_at": "2026-11-20"}
    )


def _json_text(text: str) -> Response:
    response = Response(body=text)
    response.headers = {"Content-Type": "application/json; charset=utf-8"}
    return response


HARNESSES: dict[str, type[Harness]] = {
    "bluesky": BlueskyHarness,
    "x": XHarness,
    "reddit": RedditHarness,
    "feed": FeedHarness,
    "mastodon": MastodonHarness,
    "replay": ReplayHarness,
}


def copy_of(value: Any) -> Any:
    return copy.deepcopy(value)
