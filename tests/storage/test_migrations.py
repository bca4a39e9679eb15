from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from triage.storage import Store
from triage.storage.tables import metadata


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migrating_twice_is_harmless(store: Store) -> None:
    from triage.storage import migrate

    migrate(store.engine)
    assert store.count_posts() == 0
