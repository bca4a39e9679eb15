"""What the queue's terminal commands share: the service and the person acting (`--as`).

Its own module so that `queue_cmds`, `item_cmds`, `bulk_cmds` and `templates_cmds` each import
it, instead of the last three importing private names from the first."""

from __future__ import annotations

from typing import Any

import click

from kernel.errors import InputError
from triage.cli.common import settings_from
from triage.queue.models import User
from triage.queue.service import QueueService
from triage.queue.users import UserStore
from triage.storage import open_store


def queue_service(config_path: str | None) -> QueueService:
    """The same service the web app uses, over the configured store (no logging set up: the
    commands print their own output)."""
    settings = settings_from(config_path, logs=False)
    return QueueService(settings, open_store(settings))


def acting_user(service: QueueService, name: str) -> User:
    """The active user named by `--as`; anyone else is refused before anything is done."""
    user = UserStore(service.engine).get(name)
    if user is None or not user.active:
        raise InputError(f"--as: no active user named {name!r} (add one with `users add`)")
    return user


def as_option(func: Any) -> Any:
    """`--as NAME`: the person acting, recorded in the audit log as on the web."""
    return click.option("--as", "as_user", required=True, help="The person acting (a user).")(func)
