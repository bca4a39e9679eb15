"""Alembic environment: run by `social-triage migrate` and at daemon start, never by hand."""

from __future__ import annotations

from alembic import context

from triage.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
