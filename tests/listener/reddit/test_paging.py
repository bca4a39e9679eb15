"""The Reddit source pages through listings and resumes from its stored cursor."""

from __future__ import annotations

from tests.httpserver import FakeAPI, Response
from tests.listener.reddit.helpers import (
    BASE_TIME,
    drain,
    gets,
    listing,
    make_source,
    poll_ok,
    recorded,
    submission,
    submissions,
    with_token,
)


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
