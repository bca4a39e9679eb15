"""The Reddit source maps listings, comments and searches to posts, odd items included."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime

import pytest

from config.base import BrandSettings
from kernel.models import DELETED_AUTHOR, MAX_TEXT_CHARS, PostKind
from listener.reddit.settings import RedditSourceSettings
from listener.reddit.source import RedditSource
from tests.httpserver import FakeAPI, Response
from tests.listener.reddit.helpers import (
    BASE_TIME,
    COMMENTS,
    NEW,
    SECRET,
    TOKEN,
    comment,
    drain,
    envelope,
    gets,
    listing,
    make_source,
    poll_ok,
    recorded,
    submission,
    with_token,
)

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
    # No selftext: the title, then the flair Reddit shows beside it.
    assert first.text == data["title"] + "\n\nFlair: serious replies only"
    assert first.author.handle == "RedHeadQc"
    assert first.author.is_brand is False
    assert first.created_at == datetime.fromtimestamp(1456821458.0, UTC)
    assert first.conversation_id == "t3_48fbm9"
    assert first.parent_id is None
    assert first.kind is PostKind.POST
    assert first.query == "r/AskReddit"  # the post's own subreddit, as Reddit spells it
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
    assert post.query == f"r/{first['subreddit']}"  # its own subreddit, not the listing


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
    assert {p.query for p in posts} == {f"r/{p.raw['subreddit']} search: praw oauth" for p in posts}
    assert all(p.query and p.query.endswith(" search: praw oauth") for p in posts)
    assert len(posts) == len(envelope("search.json")["body"]["data"]["children"])


def test_search_without_subreddits_covers_r_all(fake_api: FakeAPI) -> None:
    with_token(fake_api).add("GET", "/r/all/search/", recorded("empty_listing.json"))
    source = make_source(fake_api, subreddits=[], queries=["acme outage"])

    pages, error = drain(source, None)

    assert error is None and [p.posts for p in pages] == [()]
    assert gets(fake_api, "/r/all/search/")[0].param("restrict_sr") == "False"


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


def test_subreddit_flair_and_link_of_a_link_post_are_in_the_post(fake_api: FakeAPI) -> None:
    """A listing of r/popular: each post says its own subreddit; a link post its URL."""
    link_post = submission(
        "l1",
        BASE_TIME,
        subreddit="acme",
        is_self=False,
        selftext="",
        url="https://status.acme.example/incidents/42",
        link_flair_text="Outage",
        title="Acme payments down again?",
    )
    self_post = submission("s1", BASE_TIME + 1, subreddit="AcmeHelp", is_self=True)
    with_token(fake_api).add(
        "GET", "/r/popular/new", Response(body=listing([self_post, link_post]))
    )
    fake_api.add("GET", "/r/popular/new", recorded("empty_listing.json"))
    posts, _ = poll_ok(make_source(fake_api, subreddits=["popular"]), None)
    by_id = {p.external_id: p for p in posts}

    link = by_id["t3_l1"]
    assert link.query == "r/acme"
    assert link.text == (
        "Acme payments down again?\n\nhttps://status.acme.example/incidents/42\n\nFlair: Outage"
    )
    assert by_id["t3_s1"].query == "r/AcmeHelp"
    assert by_id["t3_s1"].text == "Post s1\n\nBody of s1"
    assert link.lang is None and link.author.name is None  # Reddit sends neither


def test_a_top_level_comment_carries_its_submission_as_parent(fake_api: FakeAPI) -> None:
    children = COMMENTS["data"]["children"][:4]
    with_token(fake_api).add("GET", "/r/acme/comments/", Response(body=listing(children)))
    fake_api.add("GET", "/r/acme/comments/", recorded("empty_listing.json"))
    posts, _ = poll_ok(make_source(fake_api, submissions=False, comments=True), None)
    by_id = {p.external_id: p for p in posts}

    top = children[2]["data"]  # parent_id t3_...: answers the submission itself
    post = by_id[top["name"]]
    assert post.parent_id == top["parent_id"] == post.conversation_id
    assert post.raw["parent"]["external_id"] == top["parent_id"]
    assert post.raw["parent"]["text"] == top["link_title"]
    assert post.raw["parent"]["author"] == top["link_author"]
    assert post.raw["parent"]["url"] == top["link_permalink"]
    nested = by_id[children[0]["data"]["name"]]  # answers another comment: not in the listing
    assert nested.parent_id == children[0]["data"]["parent_id"] and "parent" not in nested.raw


def test_a_nested_reply_gets_the_comment_it_answers_fetched(fake_api: FakeAPI) -> None:
    children = COMMENTS["data"]["children"][:2]  # both answer comments not in the listing
    parents = [copy.deepcopy(COMMENTS["data"]["children"][5])]
    wanted = children[0]["data"]["parent_id"]
    parents[0]["data"].update(name=wanted, id=wanted.removeprefix("t1_"), body="the parent ✔")
    with_token(fake_api).add("GET", "/r/acme/comments/", Response(body=listing(children)))
    fake_api.add("GET", "/r/acme/comments/", recorded("empty_listing.json"))
    fake_api.add("GET", "/api/info/", Response(body=listing(parents)))
    posts, _ = poll_ok(make_source(fake_api, submissions=False, comments=True), None)
    by_id = {p.external_id: p for p in posts}

    reply = by_id[children[0]["data"]["name"]]
    assert reply.raw["parent"]["external_id"] == wanted
    assert reply.raw["parent"]["text"] == "the parent ✔"
    assert reply.raw["parent"]["author"] == parents[0]["data"]["author"]
    assert "parent" not in by_id[children[1]["data"]["name"]].raw  # Reddit did not return it
    [info] = gets(fake_api, "/api/info/")
    assert set((info.param("id") or "").split(",")) == {
        children[0]["data"]["parent_id"],
        children[1]["data"]["parent_id"],
    }
