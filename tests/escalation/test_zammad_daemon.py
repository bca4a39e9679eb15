"""The daemon with a Zammad sink, through the CLI: `run --once` on the bundled sample (real
model) delivers each helpdesk case to Zammad once, a crash between "created" and "recorded"
makes no second ticket, a closed ticket closes its case, and the token never reaches a log line
or a stored row.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from escalation.zammad.sink import reference
from tests.escalation.test_outbox_faults import _cli, _make_due, _rows
from tests.escalation.zammad_fake import ZammadFake
from triage.storage import Store, make_engine
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseStore
from triage.storage.tables import cases

pytestmark = pytest.mark.slow

TOKEN = "zammad-daemon-token-5f4e3d2c1b"


@pytest.fixture
def zammad() -> Iterator[ZammadFake]:
    api = ZammadFake(token=TOKEN)
    api.start()
    try:
        yield api
    finally:
        api.stop()


def test_run_once_delivers_each_case_once_and_syncs_the_state(
    zammad: ZammadFake, tmp_path: Path
) -> None:
    db = tmp_path / "triage.db"
    config = tmp_path / "social-triage.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{db}'}}\n"
        "sinks:\n"
        f"  - {{name: desk, type: zammad, url: '{zammad.url}', token_env: TEST_ZAMMAD_TOKEN,"
        " group: Social media, customer: social@acme.example}\n"
        "escalation: {default_sink: desk, hold_for_review: false}\n"
    )
    env = dict(os.environ, TEST_ZAMMAD_TOKEN=TOKEN)
    runs = [_cli(config, "run", "--once", env=env)]
    stats = json.loads(_cli(config, "stats", "--json", env=env).stdout)
    helpdesk = stats["decisions"].get("helpdesk", 0)
    assert helpdesk > 0, stats
    assert stats["cases"] == {"sent": helpdesk}
    assert len(zammad.tickets) == zammad.creates() == helpdesk

    engine = make_engine(f"sqlite:///{db}")
    try:
        cs, outbox = CaseStore(engine), CaseDelivery(engine)
        rows = _rows(cs)
        for row in rows:
            case = outbox.get(row.id)
            assert case is not None
            assert zammad.tickets_tagged(reference(case.idempotency_key)) == 1
            assert row.ticket_url == f"{zammad.url}/#ticket/zoom/{row.ticket_id}"

        # The daemon died after creating the first ticket, before recording it.
        first = rows[0]
        with engine.begin() as conn:
            conn.execute(
                update(cases)
                .where(cases.c.id == first.id)
                .values(status="pending", ticket_id=None, ticket_url=None, ticket_status=None)
            )
        _make_due(Store(engine), [first.id])
        zammad.set_state(int(rows[-1].ticket_id or 0), "closed")
        runs.append(_cli(config, "run", "--once", env=env))
        assert len(zammad.tickets) == zammad.creates() == helpdesk  # nothing new
        assert outbox.get(first.id) is not None
        assert {r.id: r.ticket_id for r in _rows(cs)} == {r.id: r.ticket_id for r in rows}
        [closed] = cs.list("closed")
        assert closed.id == rows[-1].id and closed.ticket_status == "closed"
        assert closed.follow_up

        listed = _cli(config, "cases", "--status", "closed", env=env).stdout
        assert "closed" in listed and str(closed.ticket_id) in listed
        with engine.connect() as conn:
            stored = json.dumps([list(r) for r in conn.execute(select(cases)).all()], default=str)
    finally:
        engine.dispose()
    for text in [stored, *(r.stdout + r.stderr for r in runs)]:
        assert TOKEN not in text
