"""What the helpdesk sinks (Zendesk, Request Tracker, Zammad) do alike: one ticket per case
key, a credential that must be configured, and a JSON answer or a retry.

Looking a key up and then creating its ticket is not atomic at any helpdesk, so `once` holds a
lock per helpdesk and key around both (`escalation._locks`); a sink names its helpdesk in
`where` (its API URL), so two sinks never wait on each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config.secrets import resolve_secret
from escalation._http import HTTPResponse
from escalation._locks import KeyedLocks
from kernel.errors import DeliveryRetryable, NotConfigured
from kernel.models import TicketRef

log = logging.getLogger(__name__)

_CREATES = KeyedLocks()


def once(
    key: str,
    *,
    sink: str,
    where: str,
    find: Callable[[str], TicketRef | None],
    create: Callable[[], TicketRef],
) -> TicketRef:
    """The ticket `find` knows for `key`, else the one `create` makes, never two at once.

    `sink` names the sink in the log; `where` is its helpdesk (the API's URL)."""
    with _CREATES(f"{where}|{key}"):
        existing = find(key)
        if existing is not None:
            log.info("%s: ticket %s already exists for %s", sink, existing.ticket_id, key)
            return existing
        return create()


def required_secret(where: str, name: str, *, env: str | None, file: Path | None) -> str:
    """The secret `<name>_env` or `<name>_file` names; `NotConfigured` when neither is set."""
    if not env and file is None:
        raise NotConfigured(f"{where}.{name}_env: not configured (or give {name}_file)")
    return resolve_secret(env=env, file=file, setting=f"{where}.{name}")


def json_answer(response: HTTPResponse, label: str) -> Any:
    """A delivered answer's JSON; a body that is not JSON is worth another try."""
    try:
        return response.json()
    except ValueError as exc:
        raise DeliveryRetryable(f"{label}: answer is not JSON") from exc
