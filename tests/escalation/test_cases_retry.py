"""`cases retry` re-queues only dead cases and failed ones that are due (issue 19, defect 6):
a pending or claimed case is refused, so a second worker never sends it again. SQLite and
PostgreSQL, two delivery workers in threads."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import update

from escalation.memory import MemorySink
from escalation.retry import RetryPolicy
from kernel.errors import DeliveryPermanent
from kernel.models import Case, TicketRef
from tests.test_classify_job import KeywordClassifier, add_posts
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.outbox import deliver_due
from triage.storage import Store
from triage.storage.cases import CaseStore
from triage.storage.tables import cases

POLICY = RetryPolicy(base_seconds=60, max_seconds=600, max_attempts=5)


class GatedSink(MemorySink):
    """Holds every delivery until the test opens the gate; `sends` counts the POSTs."""

    def __init__(self) -> None:
        super().__init__(name="desk")
        self.entered = threading.Event()
        self.gate = threading.Event()

    def send(self, case: Case) -> TicketRef:
        self.entered.set()
        assert self.gate.wait(30)
        return super().send(case)


def _retry(cfg: Path, case_id: int) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["cases", "retry", str(case_id), "--config", str(cfg)])
    return result.exit_code, result.output


def test_a_claimed_case_is_not_retried_and_is_sent_once(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    add_posts(store, ["my card was charged twice"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    outbox = CaseStore(store.engine)
    [case] = outbox.list("pending")

    code, out = _retry(cfg, case.id)  # pending, not claimed yet: queued already
    assert code == 2 and f"case {case.id} is pending and queued" in out

    sink = GatedSink()
    first = threading.Thread(target=deliver_due, args=(outbox, {"desk": sink}, POLICY))
    first.start()
    try:
        assert sink.entered.wait(30)  # worker 1 holds the case, mid-delivery
        code, out = _retry(cfg, case.id)
        assert code == 2 and "not retried" in out
        # Worker 2 (another replica) finds nothing due.
        assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 0
    finally:
        sink.gate.set()
        first.join(30)
    assert sink.sends == 1
    assert outbox.status_of(case.id) == "sent"
    code, out = _retry(cfg, case.id)
    assert code == 2 and "only dead or failed cases are retried" in out


def test_dead_and_due_failed_cases_are_retried(store: Store, db_url: str, tmp_path: Path) -> None:
    add_posts(store, ["card one", "card two"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    outbox = CaseStore(store.engine)
    sink = MemorySink(name="desk")
    sink.fail_next = [DeliveryPermanent("HTTP 422"), DeliveryPermanent("HTTP 422")]
    deliver_due(outbox, {"desk": sink}, POLICY)
    dead, failed = sorted(c.id for c in outbox.list("dead"))
    # One of them failed instead, its next attempt in the future: it may be in flight.
    later = datetime.now(UTC) + timedelta(minutes=5)
    with store.engine.begin() as conn:
        conn.execute(
            update(cases).where(cases.c.id == failed).values(status="failed", next_attempt_at=later)
        )
    assert _retry(cfg, dead) == (0, f"case {dead} queued for delivery\n")
    code, out = _retry(cfg, failed)
    assert code == 2 and f"case {failed} is failed and queued" in out
    with store.engine.begin() as conn:
        conn.execute(
            update(cases)
            .where(cases.c.id == failed)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert _retry(cfg, failed)[0] == 0
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 2
