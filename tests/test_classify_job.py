from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kernel.models import Decision, Post, Route, SensitiveFinding, Signals
from triage.classify_job import classify_pending
from triage.storage import Store, make_engine
from triage.storage.decisions import DecisionStore, idempotency_key
from triage.storage.tables import cases, decisions


class KeywordClassifier:
    """An in-memory classifier: 'card' -> helpdesk, 'spam' -> ignore, else public_reply."""

    def __init__(self) -> None:
        self.calls = 0
        self.sizes: list[int] = []
        self.lock = threading.Lock()

    def classify(self, items: list[tuple[Post | None, str]]) -> list[tuple[Signals, Decision]]:
        with self.lock:
            self.calls += 1
            self.sizes.append(len(items))
        out = []
        for _post, text in items:
            sensitive = (
                (SensitiveFinding(kind="payment_card", start=0, end=4, preview="****"),)
                if "card" in text
                else ()
            )
            route = (
                Route.HELPDESK
                if sensitive
                else (Route.IGNORE if "spam" in text else Route.PUBLIC_REPLY)
            )
            signals = Signals(
                sentiment="negative",
                sentiment_score=0.9,
                complaint=0.7,
                private_score=0.2,
                intents={"billing": 0.8},
                sensitive=sensitive,
                language="en",
            )
            out.append(
                (
                    signals,
                    Decision(
                        route=route,
                        tier=1,
                        confidence=0.9,
                        needs_review=False,
                        rule=f"r-{route.value}",
                        explanation="because",
                        scores={"x": 1.0},
                    ),
                )
            )
        return out


def add_posts(store: Store, texts: list[str]) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    store.save_page(
        "s",
        "replay",
        [Post(source="x", external_id=str(i), text=t, created_at=now) for i, t in enumerate(texts)],
        None,
    )


def test_every_post_gets_one_decision_and_helpdesk_posts_a_case(store: Store) -> None:
    add_posts(store, ["my card 4111", "spam spam", "wifi down", "card again"])
    assert classify_pending(store, KeywordClassifier(), claim_size=3, default_sink="desk") == 4
    assert classify_pending(store, KeywordClassifier(), default_sink="desk") == 0
    counts = DecisionStore(store.engine).counts()
    assert counts["by_route"] == {"helpdesk": 2, "ignore": 1, "public_reply": 1}
    assert counts["unclassified"] == 0
    with store.engine.connect() as conn:
        rows = conn.execute(select(cases.c.sink, cases.c.status, cases.c.idempotency_key)).all()
    assert sorted(r.sink for r in rows) == ["desk", "desk"]
    assert {r.status for r in rows} == {"pending"}
    stored = store.find_post("x", "0")
    assert stored is not None
    current = DecisionStore(store.engine).current(stored.id)
    assert current is not None and current.decision.rule == "r-helpdesk"
    assert current.signals is not None and current.signals.sensitive[0].preview == "****"
    assert idempotency_key(stored.post, Route.HELPDESK) in {r.idempotency_key for r in rows}


def test_a_new_decision_supersedes_and_never_duplicates_the_case(store: Store) -> None:
    add_posts(store, ["my card 4111"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    stored = store.find_post("x", "0")
    assert stored is not None
    ds = DecisionStore(store.engine)
    signals, decision = KeywordClassifier().classify([(None, "card")])[0]
    with store.engine.begin() as conn:
        ds.save(conn, stored, signals, decision, decided_by="agent:ana", case_sink="desk")
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() == 2
    current = ds.current(stored.id)
    assert current is not None and current.decided_by == "agent:ana"
    assert ds.counts()["by_route"] == {"helpdesk": 1}


def test_the_daemon_claims_claim_size_posts_not_one_encoder_batch(store: Store) -> None:
    """Several encoder batches per call, so every encoder thread has work (issue 3, speed)."""
    from config import Settings
    from triage.stages import Stages

    settings = Settings.model_validate({"classifier": {"batch_size": 2, "claim_size": 5}})
    classifier = KeywordClassifier()
    stages = Stages(settings, store, classifier=classifier)
    add_posts(store, [f"post {i}" for i in range(12)])
    assert stages.classify() == 12
    assert classifier.sizes == [5, 5, 2]
    assert Settings().classifier.claim_size == 512


def test_no_sink_means_no_case(store: Store) -> None:
    add_posts(store, ["my card 4111"])
    classify_pending(store, KeywordClassifier(), default_sink=None)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == 0


@pytest.mark.postgres
def test_replicas_never_decide_the_same_post_twice(pg_url: str) -> None:
    from triage.storage import migrate

    engines = [make_engine(pg_url) for _ in range(3)]
    migrate(engines[0])
    add_posts(Store(engines[0]), [f"post {i} card" for i in range(300)])
    classifier = KeywordClassifier()
    counts: list[int] = []
    threads = [
        threading.Thread(
            target=lambda e=e: counts.append(
                classify_pending(Store(e), classifier, claim_size=10, default_sink="desk")
            )
        )
        for e in engines
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(counts) == 300
    with engines[0].connect() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() == 300
        assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == 300
    for e in engines:
        e.dispose()


def test_case_sink_is_the_rules_then_the_prioritys_then_the_default() -> None:
    from dataclasses import replace

    from triage.classify_job import SinkChoice

    _, decision = KeywordClassifier().classify([(None, "card")])[0]
    choice = SinkChoice("default", {"urgent": "rt-urgent"})
    assert choice.sink_for(decision) == "default"  # priority normal
    assert choice.sink_for(replace(decision, priority="urgent")) == "rt-urgent"
    assert choice.sink_for(replace(decision, priority="urgent", sink="legal")) == "legal"


def test_priority_sinks_must_name_configured_sinks(tmp_path: Path) -> None:
    from config import load_settings
    from kernel.errors import ConfigError

    cfg = tmp_path / "c.yaml"
    cfg.write_text("escalation: {priority_sinks: {urgent: nowhere}}\n")
    with pytest.raises(ConfigError, match=r"escalation\.priority_sinks\.urgent: no sink is named"):
        load_settings(cfg)
