"""`cases retry` re-queues only dead or failed cases (issue 19, defect 6): a pending or claimed
case is refused, so a second worker never sends it again. SQLite and PostgreSQL, two delivery
workers in threads."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from escalation.memory import MemorySink
from escalation.retry import RetryPolicy
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from kernel.models import Case, TicketRef
from tests.test_classify_job import KeywordClassifier, add_posts
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.outbox import deliver_due
from triage.storage import Store
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseStore
from triage.storage.tables import cases

POLICY = RetryPolicy(base_seconds=60, max_seconds=600, max_attempts=5)


class GatedSink(MemorySink):
    """Holds every delivery until the test opens the gate; `sends` counts the attempts."""

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


@pytest.mark.parametrize("after_a_failure", [False, True])
def test_a_claimed_case_is_not_retried_and_is_sent_once(
    store: Store, db_url: str, tmp_path: Path, after_a_failure: bool
) -> None:
    add_posts(store, ["my card was charged twice"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    cs, outbox = CaseStore(store.engine), CaseDelivery(store.engine)
    [case] = cs.list("pending")
    sink = GatedSink()
    if after_a_failure:  # the second attempt is the one in flight
        sink.fail_next = [DeliveryRetryable("503")]
        sink.gate.set()
        deliver_due(outbox, {"desk": sink}, POLICY)
        sink.gate.clear()
        with store.engine.begin() as conn:
            due = datetime.now(UTC) - timedelta(seconds=1)
            conn.execute(update(cases).where(cases.c.id == case.id).values(next_attempt_at=due))
    else:
        code, out = _retry(cfg, case.id)  # pending, not claimed yet: queued already
        assert code == 2 and f"case {case.id} is pending: queued already" in out

    first = threading.Thread(target=deliver_due, args=(outbox, {"desk": sink}, POLICY))
    sends_before = sink.sends
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
    assert sink.sends - sends_before == 1
    assert cs.status_of(case.id) == "sent"
    code, out = _retry(cfg, case.id)
    assert code == 2 and "only dead or failed cases are retried" in out


def test_dead_and_failed_cases_are_retried(store: Store, db_url: str, tmp_path: Path) -> None:
    add_posts(store, ["card one", "card two"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    cs, outbox = CaseStore(store.engine), CaseDelivery(store.engine)
    sink = MemorySink(name="desk")
    sink.fail_next = [DeliveryPermanent("HTTP 422"), DeliveryRetryable("HTTP 503")]
    deliver_due(outbox, {"desk": sink}, POLICY)
    [dead] = cs.list("dead")
    [failed] = cs.list("failed")
    assert _retry(cfg, dead.id) == (0, f"case {dead.id} queued for delivery\n")
    assert _retry(cfg, failed.id) == (0, f"case {failed.id} queued for delivery\n")
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 2
