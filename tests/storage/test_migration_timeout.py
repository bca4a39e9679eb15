"""Migrations run without the daemon's statement timeout (issue 19): a migration step on a big
PostgreSQL table may take longer than `database.statement_timeout_seconds`, which bounds the
daemon's own statements. Here a test-only migration after the newest one sleeps longer than
both the server's statement timeout and the client's wait for an answer, on the real
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

import triage.storage
import triage.storage.engine
from kernel.errors import ConfigError
from triage.storage import make_engine, migrate

pytestmark = pytest.mark.postgres


def _real_head() -> str:
    """The newest real revision: the test-only step goes after it."""
    heads = ScriptDirectory.from_config(triage.storage.alembic_config()).get_heads()
    assert len(heads) == 1, f"one line of migrations expected, got heads {heads}"
    return heads[0]


HEAD = _real_head()
SLOW_STEP = '''
"""a test-only step that takes longer than the statement timeout"""
from alembic import op
from sqlalchemy import text

revision = "9901"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    setting = op.get_bind().execute(text("SHOW statement_timeout")).scalar_one()
    op.execute(text("CREATE TABLE slow_step_saw (statement_timeout text)"))
    op.get_bind().execute(text("INSERT INTO slow_step_saw VALUES (:s)"), {{"s": setting}})
    op.execute(text("SELECT pg_sleep(2.5)"))


def downgrade() -> None:
    op.execute(text("DROP TABLE slow_step_saw"))
'''


@pytest.fixture
def tight_engine(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Statements limited to 1 s by the server, and the client waits 1.5 s for any answer."""
    monkeypatch.setattr(triage.storage.engine, "ANSWER_MARGIN_SECONDS", 0.5)
    engine = make_engine(pg_url, statement_timeout=1)
    migrate(engine)  # up to the newest real revision
    yield engine
    engine.dispose()


@pytest.fixture
def slow_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "9901_slow_step.py").write_text(SLOW_STEP.format(head=HEAD), encoding="utf-8")
    real = triage.storage.alembic_config

    def with_slow_step() -> AlembicConfig:
        cfg = real()
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option(
            "version_locations", f"{triage.storage.MIGRATIONS / 'versions'}:{tmp_path}"
        )
        return cfg

    monkeypatch.setattr(triage.storage, "alembic_config", with_slow_step)


def _sleep_fails(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(2.5)"))
    except OperationalError:
        return True
    return False


def test_the_slow_step_follows_the_newest_real_migration() -> None:
    assert HEAD.isdigit() and HEAD != "9901"


def test_a_migration_step_longer_than_the_statement_timeout_succeeds(
    tight_engine: Engine, slow_step: None
) -> None:
    assert _sleep_fails(tight_engine)  # the daemon's statements are bounded ...
    migrate(tight_engine)  # ... the migration's are not
    with tight_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9901"
        assert conn.execute(text("SELECT statement_timeout FROM slow_step_saw")).scalar() == "0"
        # The pooled connection that migrated is back to the engine's limit.
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "1s"
    assert _sleep_fails(tight_engine)


def test_migration_timeout_seconds_bounds_it_and_says_which_setting(
    tight_engine: Engine, slow_step: None
) -> None:
    with pytest.raises(ConfigError, match=r"database\.migration_timeout_seconds"):
        migrate(tight_engine, timeout_seconds=1)
    with tight_engine.connect() as conn:  # rolled back as a whole
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
