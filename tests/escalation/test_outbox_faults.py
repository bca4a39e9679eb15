"""Fault tests of the outbox (deliver_due, sync_statuses) against a real Request Tracker 5.

Cases are made the way the daemon makes them (classify_pending, with the in-memory keyword
classifier, so no model is loaded) and delivered by the real RequestTrackerSink. "Exactly
once" is always checked by counting tickets IN RT over REST 2.0 (search by the key custom
field), never by trusting the sink's answer or the case row.

RT is shared by the session, and idempotency keys derive from the post identity, so every test
makes posts with ids of its own: otherwise a later test would "find" an earlier test's ticket.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from escalation.request_tracker.sink import RequestTrackerSink, ticketsql_string
from escalation.retry import RetryPolicy
from kernel.models import Post
from tests.escalation.rt_server import CUSTOM_FIELD, RTServer
from tests.test_classify_job import KeywordClassifier
from triage.classify_job import classify_pending
from triage.outbox import DeliveryReport, deliver_due, sync_statuses
from triage.storage import Store, make_engine
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseRow, CaseStore
from triage.storage.tables import cases, decisions

pytestmark = pytest.mark.slow

POLICY = RetryPolicy(base_seconds=30, max_seconds=600, max_attempts=5)


# --- helpers ------------------------------------------------------------------------------------


def _sink(rt: RTServer, name: str = "rt", **overrides: object) -> RequestTrackerSink:
    options: dict[str, object] = {
        "name": name,
        "url": rt.url,
        "user": rt.user,
        "password": rt.password,
        "timeout": 30,
    }
    options.update(overrides)
    return RequestTrackerSink(**options)  # type: ignore[arg-type]


def _add_cases(
    store: Store, helpdesk: int, *, sink: str = "rt", others: int = 1
) -> tuple[CaseStore, CaseDelivery]:
    """`helpdesk` posts that leak a card (-> one case each, to `sink`) and `others` that do
    not (-> no case), decided by classify_pending as the daemon does."""
    run = uuid.uuid4().hex[:12]
    now = datetime.now(UTC)
    texts = [f"charged twice, card 4111 ({i})" for i in range(helpdesk)]
    texts += [f"wifi down again ({i})" for i in range(others)]
    posts = [
        Post(source="x", external_id=f"{run}-{i}", text=text, created_at=now)
        for i, text in enumerate(texts)
    ]
    store.save_page("faults", "replay", posts, None)
    classify_pending(store, KeywordClassifier(), default_sink=sink)
    return CaseStore(store.engine), CaseDelivery(store.engine)


def _rows(cs: CaseStore) -> list[CaseRow]:
    return sorted(cs.list(limit=1000), key=lambda row: row.id)


def _key(cs: CaseStore, case_id: int) -> str:
    case = CaseDelivery(cs.engine).get(case_id)
    assert case is not None
    return case.idempotency_key


def _tickets_in_rt(rt: RTServer, key: str) -> list[str]:
    """Ids of the tickets RT holds with `key` in the key custom field."""
    query = f"'CF.{{{CUSTOM_FIELD}}}'={ticketsql_string(key)}"
    answer = rt.api("GET", "tickets", params={"query": query, "per_page": 100})
    assert answer.status_code == 200, answer.text
    return [str(item["id"]) for item in answer.json()["items"]]


def _assert_each_case_once_in_rt(rt: RTServer, cs: CaseStore) -> None:
    """Every case is `sent` and RT holds exactly the one ticket the case row names."""
    rows = _rows(cs)
    assert rows
    for row in rows:
        assert row.status == "sent", row
        assert _tickets_in_rt(rt, _key(cs, row.id)) == [row.ticket_id]


def _make_due(store: Store, case_ids: list[int] | None = None) -> None:
    """Time passes: backoffs and leases run out."""
    stmt = update(cases).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
    if case_ids is not None:
        stmt = stmt.where(cases.c.id.in_(case_ids))
    with store.engine.begin() as conn:
        conn.execute(stmt)


# --- a: exactly once in the normal case -----------------------------------------------------------


def test_one_ticket_per_case_and_a_second_pass_changes_nothing(
    rt_server: RTServer, store: Store
) -> None:
    cs, outbox = _add_cases(store, 4, others=2)
    sinks = {"rt": _sink(rt_server)}
    assert deliver_due(outbox, sinks, POLICY, batch_size=3) == DeliveryReport(sent=4)
    _assert_each_case_once_in_rt(rt_server, cs)
    before = _rows(cs)
    assert {row.attempts for row in before} == {1}

    assert deliver_due(outbox, sinks, POLICY, batch_size=3) == DeliveryReport()
    assert _rows(cs) == before
    _assert_each_case_once_in_rt(rt_server, cs)


# --- b: RT down for a while ---------------------------------------------------------------------


@pytest.fixture
def own_rt(rt_server: RTServer, tmp_path: Path) -> Iterator[RTServer]:
    """An RT of this test's own (a copy of the session one's database), free to stop."""
    rt = rt_server.clone(tmp_path / "own-rt")
    rt.start()
    try:
        yield rt
    finally:
        rt.stop()


def test_rt_stopped_then_restarted_delivers_every_case_once(own_rt: RTServer, store: Store) -> None:
    sink = _sink(own_rt)  # one sink for the whole outage, as in the daemon
    cs, outbox = _add_cases(store, 2)
    assert deliver_due(outbox, {"rt": sink}, POLICY) == DeliveryReport(sent=2)
    delivered = {row.id for row in _rows(cs)}

    own_rt.stop()  # SIGTERM to rt-server: RT is really gone, its port refuses connections
    _add_cases(store, 3)
    started = datetime.now(UTC)
    assert deliver_due(outbox, {"rt": sink}, POLICY) == DeliveryReport(failed=3)
    waiting = [row for row in _rows(cs) if row.id not in delivered]
    assert len(waiting) == 3
    for row in waiting:
        assert row.status == "failed" and row.attempts == 1 and row.ticket_id is None
        assert row.last_error is not None and "connection failed" in row.last_error
        assert row.next_attempt_at is not None
        assert row.next_attempt_at >= started + timedelta(seconds=POLICY.base_seconds / 2)
    assert deliver_due(outbox, {"rt": sink}, POLICY) == DeliveryReport()  # backing off
    assert sync_statuses(outbox, {"rt": sink}) == 0  # status sync shrugs the outage off too
    assert {row.status for row in _rows(cs) if row.id in delivered} == {"sent"}

    own_rt.start()  # same port, same database
    _make_due(store)
    assert deliver_due(outbox, {"rt": sink}, POLICY) == DeliveryReport(sent=3)
    assert {row.attempts for row in _rows(cs) if row.id not in delivered} == {2}
    _assert_each_case_once_in_rt(own_rt, cs)
    assert deliver_due(outbox, {"rt": sink}, POLICY) == DeliveryReport()


# --- c: the worker SIGKILLed between "ticket created" and "row updated" ------------------------

_DIE_AFTER_SEND = """
import os, signal
from escalation.request_tracker.sink import RequestTrackerSink
from triage.storage import make_engine
from triage.storage.case_delivery import CaseDelivery

cases = CaseDelivery(make_engine(os.environ["TRIAGE_DB_URL"]))
[case] = cases.claim_due(limit=1, lease_seconds=300)
sink = RequestTrackerSink(
    name="rt", url=os.environ["RT_URL"], user=os.environ["RT_USER"],
    password=os.environ["TRIAGE_RT_PASSWORD"],
)
ticket = sink.send(case)
print(case.id, ticket.ticket_id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # before cases.mark_sent(case.id, ticket)
print("still alive", flush=True)
"""


def test_worker_killed_after_the_ticket_exists_still_one_ticket(
    rt_server: RTServer, store: Store
) -> None:
    cs, outbox = _add_cases(store, 2)
    env = dict(
        os.environ,
        TRIAGE_DB_URL=store.engine.url.render_as_string(hide_password=False),
        RT_URL=rt_server.url,
        RT_USER=rt_server.user,
        TRIAGE_RT_PASSWORD=rt_server.password,
    )
    child = subprocess.run(
        [sys.executable, "-c", _DIE_AFTER_SEND],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "still alive" not in child.stdout
    case_id, ticket_id = child.stdout.split()
    killed = int(case_id)
    key = _key(cs, killed)
    assert _tickets_in_rt(rt_server, key) == [ticket_id]  # the ticket exists...
    [row] = [row for row in _rows(cs) if row.id == killed]
    assert row.status == "pending" and row.ticket_id is None and row.attempts == 1  # ...unrecorded
    assert row.next_attempt_at is not None and row.next_attempt_at > datetime.now(UTC)

    sinks = {"rt": _sink(rt_server)}  # a restarted worker: fresh sink, fresh process state
    # The other case is sent; the dead worker's lease still holds its case.
    assert deliver_due(outbox, sinks, POLICY) == DeliveryReport(sent=1)
    _make_due(store, [killed])  # the dead worker's lease runs out
    assert deliver_due(outbox, sinks, POLICY) == DeliveryReport(sent=1)
    [row] = [row for row in _rows(cs) if row.id == killed]
    assert row.status == "sent" and row.ticket_id == ticket_id and row.attempts == 2
    _assert_each_case_once_in_rt(rt_server, cs)


# --- d: a permanent rejection --------------------------------------------------------------------


def test_rejected_case_goes_dead_with_rts_reason_and_the_others_flow(
    rt_server: RTServer, sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    cs, outbox = _add_cases(sqlite_store, 1, sink="nowhere", others=0)  # claimed first: lowest id
    _add_cases(sqlite_store, 3, others=0)
    sinks = {"rt": _sink(rt_server), "nowhere": _sink(rt_server, "nowhere", queue="Nowhere")}
    assert deliver_due(outbox, sinks, POLICY) == DeliveryReport(sent=3, dead=1)

    [dead] = cs.list("dead")
    assert dead.sink == "nowhere" and dead.next_attempt_at is None and dead.ticket_id is None
    assert dead.last_error is not None
    assert "create ticket: HTTP 403: No permission" in dead.last_error
    assert "queue 'Nowhere'" in dead.last_error
    assert f"ALERT case {dead.id} is dead (sink nowhere)" in caplog.text
    assert _tickets_in_rt(rt_server, _key(cs, dead.id)) == []
    for row in cs.list("sent"):
        assert _tickets_in_rt(rt_server, _key(cs, row.id)) == [row.ticket_id]
    assert deliver_due(outbox, sinks, POLICY) == DeliveryReport()  # dead is never retried by itself

    # The operator fixes the queue and runs `social-triage cases retry ID`.
    assert cs.retry(dead.id)
    sinks["nowhere"] = _sink(rt_server, "nowhere")
    assert deliver_due(outbox, sinks, POLICY) == DeliveryReport(sent=1)
    _assert_each_case_once_in_rt(rt_server, cs)


# --- e: status sync ------------------------------------------------------------------------------


def test_ticket_resolved_in_rt_closes_its_case(rt_server: RTServer, sqlite_store: Store) -> None:
    cs, outbox = _add_cases(sqlite_store, 3)
    sinks = {"rt": _sink(rt_server)}
    deliver_due(outbox, sinks, POLICY)
    assert sync_statuses(outbox, sinks) == 0  # all still "new" in RT
    rows = _rows(cs)
    assert {row.ticket_status for row in rows} == {"new"}

    statuses = ["resolved", "open", "resolved"]
    for row, status in zip(rows, statuses, strict=True):
        answer = rt_server.api("PUT", f"ticket/{row.ticket_id}", json={"Status": status})
        assert answer.status_code == 200, answer.text
    # Pages of 2: the third ticket sits behind an open one and must still be read.
    assert sync_statuses(outbox, sinks, batch_size=2) == 2
    rows = _rows(cs)
    assert [(row.status, row.ticket_status) for row in rows] == [
        ("closed", "resolved"),
        ("sent", "open"),
        ("closed", "resolved"),
    ]
    assert sync_statuses(outbox, sinks, batch_size=2) == 0
    assert cs.counts() == {"closed": 2, "sent": 1}


# --- f: end to end through the real command line -------------------------------------------------


def _cli(config: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("social-triage")
    assert exe, "the social-triage console script is not installed (pip install -e .)"
    done = subprocess.run(
        [exe, *args, "--config", str(config)],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def _rt_ticket_ids_above(rt: RTServer, ticket_id: int) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        answer = rt.api(
            "GET",
            "tickets",
            params={"query": f"id > {ticket_id}", "per_page": 100, "page": page},
        ).json()
        ids += [int(item["id"]) for item in answer["items"]]
        if page >= int(answer.get("pages") or 1):
            return ids
        page += 1


def test_run_once_with_the_sample_makes_one_rt_ticket_per_helpdesk_case(
    rt_server: RTServer, tmp_path: Path
) -> None:
    """The embedded default (bundled sample, real model) with an RT sink, via the CLI.

    Cases whose decision needs review are held (no ticket) until `cases release ID`."""
    config = tmp_path / "social-triage.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{tmp_path}/triage.db'}}\n"
        "sinks:\n"
        f"  - {{name: rt, type: request_tracker, url: '{rt_server.url}', user: {rt_server.user},"
        " password_env: FAULT_TEST_RT_PASSWORD}\n"
        "escalation: {default_sink: rt}\n"
    )
    env = dict(os.environ, FAULT_TEST_RT_PASSWORD=rt_server.password)
    before = max(_rt_ticket_ids_above(rt_server, 0), default=0)

    _cli(config, "run", "--once", env=env)
    stats = json.loads(_cli(config, "stats", "--json", env=env).stdout)
    helpdesk = stats["decisions"].get("helpdesk", 0)
    assert helpdesk > 0, stats
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    try:
        cs = CaseStore(engine)
        held = [row for row in _rows(cs) if row.status == "held"]
        with engine.connect() as conn:
            to_review = conn.execute(
                select(func.count())
                .select_from(decisions)
                .where(
                    decisions.c.route == "helpdesk",
                    decisions.c.needs_review.is_(True),
                    decisions.c.superseded_at.is_(None),
                )
            ).scalar_one()
        assert len(held) == to_review
        by_status = {"sent": helpdesk - len(held), "held": len(held)}
        assert stats["cases"] == {status: n for status, n in by_status.items() if n}
        assert len(_rt_ticket_ids_above(rt_server, before)) == helpdesk - len(held)
        assert all(_tickets_in_rt(rt_server, _key(cs, row.id)) == [] for row in held)

        # A person looked at the held cases and let them go.
        for row in held:
            _cli(config, "cases", "release", str(row.id), env=env)
        _cli(config, "run", "--once", env=env)
        stats = json.loads(_cli(config, "stats", "--json", env=env).stdout)
        assert stats["cases"] == {"sent": helpdesk}
        assert len(_rt_ticket_ids_above(rt_server, before)) == helpdesk
        _assert_each_case_once_in_rt(rt_server, cs)
        tickets = {row.id: row.ticket_id for row in _rows(cs)}
        # The daemon died after creating half of the tickets, before recording them.
        crashed = sorted(tickets)[::2]
        with engine.begin() as conn:
            conn.execute(
                update(cases)
                .where(cases.c.id.in_(crashed))
                .values(status="pending", ticket_id=None, ticket_url=None, ticket_status=None)
            )
        _make_due(Store(engine), crashed)

        _cli(config, "run", "--once", env=env)
        assert json.loads(_cli(config, "stats", "--json", env=env).stdout) == stats
        assert len(_rt_ticket_ids_above(rt_server, before)) == helpdesk  # no new ticket
        assert {row.id: row.ticket_id for row in _rows(cs)} == tickets
        _assert_each_case_once_in_rt(rt_server, cs)
        with engine.connect() as conn:
            attempts = dict(conn.execute(select(cases.c.id, cases.c.attempts)).all())
        assert {attempts[i] for i in crashed} == {2}
    finally:
        engine.dispose()
