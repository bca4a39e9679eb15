"""A `helpdesk` decision that needs review waits for a human: its case is `held`, never claimed
or sent, until `cases release ID` makes it pending (DESIGN.md: `review` is a flag)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import Settings
from escalation.memory import MemorySink
from escalation.retry import RetryPolicy
from kernel.models import Decision, Post, Signals
from tests.test_classify_job import KeywordClassifier, add_posts
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.outbox import DeliveryReport, deliver_due
from triage.stages import Stages
from triage.storage import Store, make_engine, migrate
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseStore

POLICY = RetryPolicy(base_seconds=10, max_seconds=60, max_attempts=3)


class ReviewingClassifier(KeywordClassifier):
    """The keyword classifier, with `needs_review` on every post whose text says 'unsure'."""

    def classify(self, items: list[tuple[Post | None, str]]) -> list[tuple[Signals, Decision]]:
        return [
            (signals, replace(decision, needs_review="unsure" in text))
            for (signals, decision), (_post, text) in zip(
                super().classify(items), items, strict=True
            )
        ]


def decide(
    store: Store, texts: list[str], *, hold_for_review: bool = True
) -> tuple[CaseStore, CaseDelivery]:
    add_posts(store, texts)
    classify_pending(
        store, ReviewingClassifier(), default_sink="desk", hold_for_review=hold_for_review
    )
    return CaseStore(store.engine), CaseDelivery(store.engine)


def test_a_helpdesk_decision_needing_review_is_held_and_never_delivered(store: Store) -> None:
    cs, outbox = decide(store, ["card, unsure", "card, sure", "wifi down, unsure"])
    assert cs.counts() == {"held": 1, "pending": 1}  # the unsure public reply makes no case
    [held] = cs.list("held")
    assert held.next_attempt_at is None and held.attempts == 0
    sink = MemorySink(name="desk")
    assert deliver_due(outbox, {"desk": sink}, POLICY) == DeliveryReport(sent=1)
    assert deliver_due(outbox, {"desk": sink}, POLICY) == DeliveryReport()
    assert sink.sends == 1 and held.id not in {c.id for c in sink.cases.values()}
    assert outbox.claim_due(limit=10, lease_seconds=300) == []
    assert cs.counts() == {"held": 1, "sent": 1}


def test_a_released_case_is_delivered_exactly_once(store: Store) -> None:
    cs, outbox = decide(store, ["card, unsure"])
    [held] = cs.list("held")
    sink = MemorySink(name="desk")
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 0
    assert cs.release(held.id)
    assert not cs.release(held.id)  # already pending: nothing to release
    [pending] = cs.list("pending")
    assert pending.id == held.id and pending.next_attempt_at is not None
    assert deliver_due(outbox, {"desk": sink}, POLICY) == DeliveryReport(sent=1)
    assert deliver_due(outbox, {"desk": sink}, POLICY) == DeliveryReport()
    assert sink.sends == 1 and len(sink.tickets) == 1
    [sent] = cs.list()
    assert sent.status == "sent" and sent.ticket_id == "1"
    delivered = next(iter(sink.cases.values()))
    assert delivered.decision.needs_review and delivered.id == held.id


def test_hold_for_review_off_creates_pending_cases_as_before(store: Store) -> None:
    cs, outbox = decide(store, ["card, unsure", "card, sure"], hold_for_review=False)
    assert cs.counts() == {"pending": 2}
    sink = MemorySink(name="desk")
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 2


def test_release_of_unknown_or_not_held_cases_says_so(store: Store) -> None:
    cs, _ = decide(store, ["card, sure"])
    [pending] = cs.list()
    assert not cs.release(pending.id) and cs.status_of(pending.id) == "pending"
    assert not cs.release(999) and cs.status_of(999) is None


def test_the_setting_reaches_the_classify_stage_and_the_file_sink(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Through the daemon's own stages and the embedded default's file sink."""
    cases_file = tmp_path / "cases.jsonl"
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)

    def stages(hold: bool) -> Stages:
        settings = Settings.model_validate(
            {
                "sinks": [{"name": "local", "type": "file", "path": str(cases_file)}],
                "escalation": {"hold_for_review": hold},
            }
        )
        return Stages(settings, Store(engine), classifier=ReviewingClassifier())

    assert Settings().escalation.hold_for_review is True
    held = stages(True)
    add_posts(held.store, ["card, unsure"])
    held.classify()
    with caplog.at_level(logging.INFO, logger="triage.stages"):
        assert held.deliver() == DeliveryReport() and not cases_file.exists()
        assert held.deliver() == DeliveryReport()
    said = [r.getMessage() for r in caplog.records if "held for review" in r.getMessage()]
    assert said == [  # once, when the number changes, with what to do about it
        "1 helpdesk case(s) held for review: `social-triage cases --status held`, "
        "then `social-triage cases release ID`"
    ]
    [case] = held.cases.list("held")
    assert held.cases.release(case.id)
    assert held.deliver() == DeliveryReport(sent=1)
    assert len(cases_file.read_text(encoding="utf-8").splitlines()) == 1

    sent_at_once = stages(False)
    post = Post(source="x", external_id="1", text="card, unsure", created_at=datetime.now(UTC))
    sent_at_once.store.save_page("s", "replay", [post], None)
    sent_at_once.classify()
    assert sent_at_once.deliver() == DeliveryReport(sent=1)
    lines = [json.loads(line) for line in cases_file.read_text(encoding="utf-8").splitlines()]
    assert [line["decision"]["needs_review"] for line in lines] == [True, True]
    assert held.cases.counts() == {"sent": 2}
    engine.dispose()


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def held_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A working directory whose default database holds one held and one pending case."""
    monkeypatch.chdir(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path}/social-triage.db")
    migrate(engine)
    cs, _ = decide(Store(engine), ["card, unsure", "card, sure"])
    [held] = cs.list("held")
    engine.dispose()
    return held.id


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_cases_lists_held_cases_and_stats_counts_them(held_case: int) -> None:
    code, out = run("cases", "--status", "held", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["id"] == held_case and row["status"] == "held"
    code, out = run("cases", "--status", "held")
    assert f"case {held_case} [held]" in out and f"cases release {held_case}" in out
    # What the agent decides on: the (redacted) text and why it is held; no "(None)" anywhere.
    assert "    text: card, unsure\n" in out and "    held because: rule " in out
    assert "(None)" not in out
    assert json.loads(run("stats", "--json")[1])["cases"] == {"held": 1, "pending": 1}


def test_cases_release_queues_a_held_case(held_case: int) -> None:
    code, out = run("cases", "release", str(held_case))
    assert code == 0 and out == f"case {held_case} released: queued for delivery\n"
    assert json.loads(run("stats", "--json")[1])["cases"] == {"pending": 2}
    assert run("cases", "--status", "held")[1] == "no cases in status held\n"


def test_cases_release_of_a_case_not_held_is_a_one_line_error(held_case: int) -> None:
    assert run("cases", "release", str(held_case))[0] == 0
    code, out = run("cases", "release", str(held_case))
    assert code == 2 and out == (
        f"error: case {held_case} is pending, not held; only held cases are released\n"
    )
    code, out = run("cases", "release", "999")
    assert code == 2 and out == "error: case 999: no such case\n"


def test_cases_retry_points_a_held_case_to_release(held_case: int) -> None:
    code, out = run("cases", "retry", str(held_case))
    assert code == 2 and out == (
        f"error: case {held_case} is held for review: use `cases release {held_case}`\n"
    )
    assert run("cases", "retry", "999")[1] == "error: case 999: no such case\n"
