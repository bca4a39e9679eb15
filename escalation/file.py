"""Local file sink: one JSON line per case, the embedded default when no helpdesk is set up.

The line is the webhook body (escalation/payload.py) plus `ticket_id` and `written_at`, so a
script can replay the file into a real helpdesk later. `send` scans for the key under an
exclusive file lock before appending: repeats, from retries or from another process, are never
written twice.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from config.sinks import FileSinkSettings
from escalation.content import Renderer
from escalation.payload import case_payload
from triage.abc import Sink
from triage.errors import DeliveryPermanent, DeliveryRetryable, NotConfigured
from triage.models import Case, TicketRef


class FileSink(Sink):
    type = "file"

    def __init__(self, *, name: str, path: Path, renderer: Renderer | None = None) -> None:
        super().__init__(name=name)
        self.path = Path(path)
        self.renderer = renderer or Renderer()

    @classmethod
    def from_settings(
        cls, settings: FileSinkSettings, *, templates: Path | None = None
    ) -> FileSink:
        """`templates`: the escalation-wide override folder; the sink's own setting wins."""
        if not str(settings.path):
            raise NotConfigured(f"sinks[{settings.name}].path: not configured")
        return cls(
            name=settings.name,
            path=settings.path,
            renderer=Renderer(settings.templates or templates),
        )

    def send(self, case: Case) -> TicketRef:
        key = case.idempotency_key
        record: dict[str, Any] = case_payload(case, self.renderer.render(case))
        record["ticket_id"] = key
        record["written_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        line = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
        with self._locked("a+b") as handle:
            handle.seek(0)
            existing = _scan(handle, key)
            if existing is not None:
                return self._ref(existing.ticket_id)
            end = handle.seek(0, os.SEEK_END)
            if end:
                handle.seek(end - 1)
                if handle.read(1) != b"\n":
                    line = b"\n" + line  # a crash cut the last line short: leave it alone
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        return self._ref(key)

    def find(self, idempotency_key: str) -> TicketRef | None:
        if not self.path.exists():
            return None
        with self._locked("rb") as handle:
            found = _scan(handle, idempotency_key)
        return None if found is None else self._ref(found.ticket_id)

    def describe(self) -> str:
        return f"file sink {self.name!r} -> {self.path}"

    def _ref(self, ticket_id: str) -> TicketRef:
        return TicketRef(ticket_id=ticket_id, url=self.path.resolve().as_uri())

    @contextmanager
    def _locked(self, mode: str) -> Iterator[IO[bytes]]:
        try:
            if "a" in mode:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open(mode)
        except PermissionError as exc:
            raise DeliveryPermanent(f"file {self.name}: cannot open {self.path}: denied") from exc
        except OSError as exc:
            raise DeliveryRetryable(f"file {self.name}: cannot open {self.path}: {exc}") from exc
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX if "a" in mode else fcntl.LOCK_SH)
            try:
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _scan(handle: IO[bytes], key: str) -> TicketRef | None:
    """The record for `key`, skipping lines a crash may have cut short."""
    needle = json.dumps(key, ensure_ascii=False)[1:-1].encode("utf-8")
    for line in handle:
        if needle not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("idempotency_key") == key:
            return TicketRef(ticket_id=str(record.get("ticket_id") or key))
    return None
