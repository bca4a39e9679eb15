"""Response times and answered share per route, with known answers (SQLite and PostgreSQL).

Answers come from the one path the queue and the listener share: the brand's public replies
stored as posts (`parent_id` = the answered post) and the queue's sent DMs (`replies`, not dry
runs)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from kernel.models import Author, Post, PostKind
from kernel.period import Window
from tests.digest.helpers import at, seed
from triage.digest.compute import build_digest
from triage.digest.i18n import Formatter
from triage.digest.render import render_csv, render_html
from triage.storage import Store
from triage.storage.digest_reads import DigestReads
from triage.storage.tables import replies

ROWS = [
    {"text": "a", "created_at": at(10, 10), "sentiment": "negative", "route": "public_reply",
     "external_id": "a"},
    {"text": "b", "created_at": at(10, 11), "sentiment": "negative", "route": "public_reply",
     "external_id": "b"},
    {"text": "c", "created_at": at(11, 9), "sentiment": "neutral", "route": "public_reply",
     "external_id": "c"},
    {"text": "d", "created_at": at(11, 9), "sentiment": "negative", "route": "private_dm",
     "external_id": "d"},
    {"text": "e", "created_at": at(12, 8), "sentiment": "negative", "route": "private_dm",
     "external_id": "e"},
    {"text": "f", "created_at": at(12, 8), "sentiment": "negative", "route": "helpdesk",
     "external_id": "f"},
]  # fmt: skip


def brand_reply(store: Store, parent: str, created: object, external_id: str) -> None:
    post = Post(
        source="x",
        external_id=external_id,
        text="on it",
        created_at=created,  # type: ignore[arg-type]
        author=Author(handle="acmehelp", is_brand=True),
        parent_id=parent,
        kind=PostKind.REPLY,
    )
    store.save_page("test", "replay", [post], None)


def test_response_times_per_route(store: Store) -> None:
    ids = seed(store, ROWS)
    # public replies: a after 30 min (and again later: the first counts), b after 90 min
    brand_reply(store, "a", at(10, 10, 30), "r1")
    brand_reply(store, "a", at(10, 15), "r2")
    brand_reply(store, "b", at(10, 12, 30), "r3")
    with store.engine.begin() as conn:
        conn.execute(
            replies.insert(),
            [
                # d: a DM sent 2 h later; e: only a dry run (not an answer)
                {"post_id": ids[3], "channel": "dm", "text": "x", "dry_run": False,
                 "sent_by": "ana", "sent_at": at(11, 11)},
                {"post_id": ids[4], "channel": "dm", "text": "x", "dry_run": True,
                 "sent_by": "ana", "sent_at": at(12, 9)},
                # b: a queue DM earlier than its public reply: 20 min
                {"post_id": ids[1], "channel": "dm", "text": "x", "dry_run": False,
                 "sent_by": "ana", "sent_at": at(10, 11, 20)},
            ],
        )  # fmt: skip
    window = Window(start=at(10, 0), end=at(17, 0))
    digest = build_digest(DigestReads(store.engine), window, brand="Acme")
    public = digest.responses["public_reply"]
    assert (public.posts, public.answered) == (3, 2)
    assert public.share == pytest.approx(2 / 3)
    times = [30 * 60, 20 * 60]
    assert public.p50 == pytest.approx(float(np.percentile(times, 50)))  # 25 min
    assert public.p50 == pytest.approx(25 * 60)
    assert public.p90 == pytest.approx(29 * 60)
    dm = digest.responses["private_dm"]
    assert (dm.posts, dm.answered, dm.p50, dm.p90) == (2, 1, 7200.0, 7200.0)
    helpdesk = digest.responses["helpdesk"]
    assert (helpdesk.posts, helpdesk.answered, helpdesk.p50, helpdesk.share) == (1, 0, None, 0.0)
    assert digest.responses["ignore"].share is None

    csv = render_csv(digest)
    assert "response,public_reply,answered_share,0.6667" in csv
    assert "response,public_reply,p50_seconds,1500.0000" in csv
    assert "response,private_dm,p90_seconds,7200.0000" in csv
    html = render_html(digest, locale="en").html
    assert "Response times" in html and "25 min" in html and "2.0 h" in html
    pt = render_html(digest, locale="pt_BR").html
    assert "Tempos de resposta" in pt and "67%" in pt


def test_duration_format() -> None:
    fmt = Formatter("pt_BR")
    assert fmt.duration(None) == "\u2013"
    assert fmt.duration(45 * 60) == "45 min"
    assert fmt.duration(timedelta(hours=3, minutes=30).total_seconds()) == "3,5 h"
    assert Formatter("en").duration(timedelta(days=2, hours=3).total_seconds()) == "2.1 d"
