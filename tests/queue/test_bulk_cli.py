"""`social-triage queue bulk`: the queue page's bulk ignore, escalate, assign and undo in a
terminal, through the same guarded service and audit log."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import select

from config.schema import Settings
from tests.queue.seed import decide
from triage.cli import cli
from triage.queue import QueueService
from triage.queue.users import UserStore
from triage.storage import Store
from triage.storage.tables import audit_log


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["queue", "bulk", *args])
    return result.exit_code, result.output


def test_bulk_ignore_assign_and_undo_from_a_terminal(here: Store) -> None:
    a, b, held = (decide(here, external_id=f"s{i}", text=f"PROMO {i}") for i in range(3))
    service = QueueService(Settings(), here)
    bia = UserStore(here.engine).get("bia")
    assert bia is not None
    service.claim(held, bia)
    code, out = run("ignore", str(a), str(b), str(held), "--as", "ana", "--reason", "spam")
    assert code == 0, out
    assert f"ignored 2: {a} {b}" in out
    assert f"skipped #{held}: post {held} is claimed by bia until" in out
    batch = re.search(r"social-triage queue bulk undo (\d+) --as ana", out)
    assert batch and service.item(a).status.value == "ignored"

    code, out = run("undo", batch.group(1), "--as", "bia")
    assert code == 2 and "nothing of yours to undo" in out
    code, out = run("undo", batch.group(1), "--as", "ana")
    assert code == 0 and f"undone 2: {a} {b}" in out
    assert service.item(a).status.value == "open"

    code, out = run("assign", "bia", str(a), "--as", "ana")
    assert code == 2 and "only a lead" in out
    code, out = run("assign", "bia", str(a), str(b), "--as", "lia")
    assert code == 0 and f"assigned to bia 2: {a} {b}" in out
    assert service.item(b).assigned_to == "bia"
    code, out = run("ignore", str(held), "--as", "ana")
    assert code == 2 and f"skipped #{held}" in out and "nothing ignored" in out
    with here.engine.connect() as conn:
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
    assert actions.count("bulk_ignore") == 2 and "bulk_undo" in actions
    assert "bulk_assign" in actions


def test_bulk_escalate_from_a_terminal_one_case_per_post_and_its_undo(here: Store) -> None:
    a, b, held = (decide(here, external_id=f"e{i}", text=f"golpe {i}") for i in range(3))
    service = QueueService(Settings(), here)
    bia = UserStore(here.engine).get("bia")
    assert bia is not None
    service.claim(held, bia)
    code, out = run("escalate", str(a), str(b), str(held), "--as", "ana", "--reason", "fraude")
    assert code == 0, out
    found = re.search(rf"escalated 2: {a} \(case (\d+)\) {b} \(case (\d+)\)", out)
    assert found, out
    assert f"skipped #{held}: post {held} is claimed by bia until" in out
    assert service.item(a).status.value == "escalated"
    first = re.search(r"social-triage queue bulk undo (\d+) --as ana", out)
    assert first
    code, out = run("escalate", str(a), "--as", "ana")
    assert code == 2 and f"post {a} is already escalated: case {found.group(1)}" in out
    assert "nothing escalated" in out
    batch = re.search(r"social-triage queue bulk undo (\d+) --as ana", out)
    assert batch is None  # nothing to undo in a batch that did nothing
    code, out = run("escalate", str(b), "--as", "bia")
    assert code == 2 and "already escalated" in out
    code, out = run("undo", first.group(1), "--as", "ana")
    assert code == 0 and f"undone 2: {a} {b}" in out
    assert service.item(a).status.value == "open" and service.item(b).status.value == "open"
