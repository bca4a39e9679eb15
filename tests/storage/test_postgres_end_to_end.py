"""The daemon on the real PostgreSQL with the real embedded model.

SQLite does not enforce `varchar(n)` and the other tests use a tiny model, so a string that
only the real model produces (its 194-character version) once stopped every decision on
PostgreSQL while the suite stayed green. This runs what a user runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import String, func, select

from triage.cli import cli
from triage.storage import make_engine
from triage.storage.tables import decisions, metadata, posts

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_run_once_on_postgresql_decides_every_post_with_the_embedded_model(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "social-triage.yaml").write_text(f"database:\n  url: '{pg_url}'\n")
    result = CliRunner().invoke(cli, ["run", "--once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    stats = json.loads(CliRunner().invoke(cli, ["stats", "--json"]).output)
    assert stats["posts"] >= 80
    assert sum(stats["decisions"].values()) == stats["posts"]
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        undecided = conn.scalar(select(func.count()).where(posts.c.classified_at.is_(None)))
        version = conn.scalar(select(decisions.c.model_version).limit(1))
    engine.dispose()
    assert undecided == 0
    assert version and len(version) > 128  # the string that once did not fit


#: Every bounded string column, and what keeps the values written into it within the bound.
#: A new bounded column must be added here with its guard, or be `Text`.
BOUNDED = {
    "posts.source": "platform names from listener code (x, reddit, forum, ...)",
    "posts.external_id": "platform ids; longer ones are refused at the source boundary",
    "posts.author_handle": "platform handles",
    "posts.author_name": "display names",
    "posts.author_external_id": "platform ids",
    "posts.lang": "language codes",
    "examples.lang": "language codes; `corrections import` refuses one over 16 characters",
    "posts.conversation_id": "platform ids",
    "posts.parent_id": "platform ids",
    "posts.kind": "PostKind values",
    "posts.fetched_by": "configured source names (settings limit them to 64)",
    "source_state.name": "configured source names (settings limit them to 64)",
    "source_state.type": "source type tags",
    "poll_runs.source": "configured source names (settings limit them to 64)",
    "poll_runs.status": "PollStatus values",
    "decisions.route": "Route values",
    "decisions.priority": "Priority values",
    "decisions.sink": "configured sink names (settings limit them to 64)",
    "cases.sink": "configured sink names (settings limit them to 64)",
    "cases.idempotency_key": "st-SOURCE-ROUTE-24 hex digits (decisions.idempotency_key)",
    "cases.status": "CaseStatus values",
    "cases.ticket_id": "helpdesk ticket ids",
    "saved_replies.language": "xx or xx_YY codes (triage.queue.saved_replies.check refuses others)",
    "saved_replies.channel": "reply or dm (triage.queue.saved_replies.check refuses others)",
}


def test_every_bounded_string_column_has_a_guard() -> None:
    bounded = {
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String) and column.type.length is not None
    }
    assert bounded <= set(BOUNDED), f"bounded columns without a guard: {bounded - set(BOUNDED)}"
    for name in ("rule", "model_version", "rules_version", "decided_by"):
        assert decisions.c[name].type.length is None, f"decisions.{name} must be text"
