"""The articles agents sent from the queue (issue 18, item 8): read from the real send log on
SQLite and PostgreSQL, and lifting those articles for similar posts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, insert

from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)
from tests.queue.seed import decide
from tests.suggest.test_kb import ARTICLES, Counting, encoder, write_csv  # noqa: F401
from triage.storage import Store
from triage.storage.tables import replies
from triage.suggest import Suggester
from triage.suggest.history import SentHistory, url_pattern
from triage.suggest.kb import Article, KnowledgeBase


def send(
    store: Store, post_id: int, text: str, *, dry_run: bool = False, sent: bool = True
) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            insert(replies).values(
                post_id=post_id,
                channel="reply",
                text=text,
                dry_run=dry_run,
                external_id="900" if sent else None,
                sent_by="ana",
                sent_at=datetime.now(UTC),
            )
        )


def unit_rows(texts: list[str]) -> np.ndarray:
    """A stand-in embedding for the send log's posts: one-hot by text length (the encoder's
    own behaviour is tested with the real one below)."""
    out = np.zeros((len(texts), 8), dtype=np.float32)
    for row, text in enumerate(texts):
        out[row, len(text) % 8] = 1.0
    return out


KB = KnowledgeBase(
    [
        Article(id="pw", title="", url="https://help.acme.test/password", text="x"),
        Article(id="pw-reset", title="", url="https://help.acme.test/password-reset/", text="x"),
        Article(id="refunds", title="", url="http://help.acme.test/refunds", text="x"),
    ],
    np.eye(3, 8, dtype=np.float32),
)


def test_sent_replies_count_per_article_and_dry_runs_do_not(store: Store) -> None:
    a = decide(store, external_id="1", text="forgot my password")
    b = decide(store, external_id="2", text="where is my refund")
    send(store, a, "Reset it here: https://help.acme.test/password-reset. Thanks!")
    send(store, a, "See help.acme.test/password, then log in")
    send(store, b, "Refunds: HTTPS://HELP.ACME.TEST/refunds/ (5-10 days)")
    send(store, b, "https://help.acme.test/refunds", dry_run=True)  # never reached anyone
    send(store, b, "https://help.acme.test/refunds", sent=False)  # send still under way
    history = SentHistory(store, refresh=0).snapshot(KB, unit_rows)
    assert history.sent == {"pw-reset": 1, "pw": 1, "refunds": 1}
    assert set(history.posts) == {"pw", "pw-reset", "refunds"}
    assert history.posts["pw"].shape == (1, 8)


def test_reads_are_incremental_throttled_and_redone_for_a_new_knowledge_base(
    store: Store,
) -> None:
    a = decide(store, external_id="1", text="forgot my password")
    now = [0.0]
    embedded: list[str] = []

    def embed(texts: list[str]) -> np.ndarray:
        embedded.extend(texts)
        return unit_rows(texts)

    log = SentHistory(store, refresh=60, clock=lambda: now[0])
    send(store, a, "https://help.acme.test/password")
    assert log.snapshot(KB, embed).sent == {"pw": 1}
    send(store, a, "again: https://help.acme.test/password")
    assert log.snapshot(KB, embed).sent == {"pw": 1}  # read at most once a minute
    now[0] = 61.0
    assert log.snapshot(KB, embed).sent == {"pw": 2}
    assert len(embedded) == 2  # each sent reply's post embedded once
    other = KnowledgeBase(KB.articles[:1], KB.vectors[:1])
    assert log.snapshot(other, embed).sent == {"pw": 2}  # matched again from the start


def test_url_pattern_does_not_match_a_longer_path() -> None:
    pattern = url_pattern("https://help.acme.test/password")
    assert pattern.search("go to https://help.acme.test/password.")
    assert pattern.search("(help.acme.test/password/)")
    assert not pattern.search("https://help.acme.test/password-reset")
    assert not pattern.search("https://help.acme.test/password/other")
    assert not pattern.search("https://help.acme.test/password.html")


def test_an_article_sent_for_a_similar_post_gains_probability(
    sqlite_store: Store,
    tmp_path: Path,
    encoder: Counting,  # noqa: F811
) -> None:
    path = write_csv(tmp_path / "kb.csv", ARTICLES)
    question = "my parcel never arrived and the courier says delivered"
    without = Suggester(brand="Acme", knowledge_base=path, encoder=encoder).articles(question, k=4)
    earlier = decide(sqlite_store, external_id="1", text=question)
    send(sqlite_store, earlier, "Sorry! Please see https://help.acme.test/wifi")
    with_history = Suggester(
        brand="Acme",
        knowledge_base=path,
        encoder=encoder,
        history=SentHistory(sqlite_store, refresh=0),
    ).articles(question, k=4)
    before = {a.id: a.score for a in without}
    after = {a.id: a.score for a in with_history}
    assert after["a4"] > before["a4"]
    assert all(after[i] <= before[i] + 1e-9 for i in ("a1", "a2", "a3"))
    assert {a.id: a.similarity for a in with_history} == pytest.approx(
        {a.id: a.similarity for a in without}, abs=1e-6
    )


def test_a_long_send_log_is_embedded_newest_first_within_a_bound(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("triage.suggest.history.EMBED_PER_READ", 2)
    a = decide(sqlite_store, external_id="1", text="forgot my password")
    for _ in range(5):
        send(sqlite_store, a, "https://help.acme.test/password")
    embedded: list[str] = []

    def embed(texts: list[str]) -> np.ndarray:
        embedded.extend(texts)
        return unit_rows(texts)

    history = SentHistory(sqlite_store, refresh=0).snapshot(KB, embed)
    assert history.sent == {"pw": 5}  # every send counts as a link
    assert len(embedded) == 2 and history.posts["pw"].shape == (2, 8)


def test_an_erased_reply_leaves_the_history_at_the_next_rebuild(store: Store) -> None:
    a = decide(store, external_id="1", text="forgot my password")
    send(store, a, "https://help.acme.test/password")
    now = [0.0]
    log = SentHistory(store, refresh=60, rebuild=3_600, clock=lambda: now[0])
    assert log.snapshot(KB, unit_rows).sent == {"pw": 1}
    with store.engine.begin() as conn:
        conn.execute(delete(replies))  # what erasing the customer's post does to its replies
    now[0] = 120.0
    assert log.snapshot(KB, unit_rows).sent == {"pw": 1}  # an incremental read cannot see it
    now[0] = 3_700.0
    history = log.snapshot(KB, unit_rows)
    assert history.sent == {} and history.posts == {}
