"""What the queue's tests share: a service over the real store with the seeded people, and a
store in the working folder for the CLI's tests (the CLI finds `social-triage.db` there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.schema import Settings
from tests.queue.seed import users
from triage.queue import QueueService
from triage.storage import Store, make_engine, migrate


@pytest.fixture
def service(store: Store) -> QueueService:
    users(store)
    return QueueService(Settings(), store)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path}/social-triage.db")
    migrate(engine)
    store = Store(engine)
    users(store)
    return store
