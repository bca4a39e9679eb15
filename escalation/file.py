"""Local file sink: one JSON line per case, the embedded default when no helpdesk is set up.

The line is the webhook body (escalation/payload.py) plus `ticket_id` and `written_at`, so a
script can replay the file into a real helpdesk later. `send` looks the key up under an
exclusive file lock before appending: repeats, from retries or from another process, are never
written twice. The keys the file holds are read once per sink and then kept in memory (`_SentKeys`):
under the lock each send reads only the lines appended since, by this process or another, so a
send costs the same on a file of ten lines or ten million.

The whole plugin is this module (settings, sink, record) and its entry point.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from config.base import _Sink
from escalation.content import Renderer
from escalation.payload import case_payload
from kernel import plugins
from kernel.abc import Sink
from kernel.errors import DeliveryPermanent, DeliveryRetryable, NotConfigured
from kernel.models import Case, TicketRef


class FileSinkSettings(_Sink):
    type: Literal["file"] = "file"
    #: JSON lines, one case each; a relative path is relative to the config file.
    path: Path = Path("escalated-cases.jsonl")


PLUGIN = plugins.sink("file", settings=FileSinkSettings, implementation="escalation.file:FileSink")


class FileSink(Sink):
    type = "file"

    def __init__(self, *, name: str, path: Path, renderer: Renderer | None = None) -> None:
        super().__init__(name=name)
        self.path = Path(path)
        self.renderer = renderer or Renderer()
        self._sent = _SentKeys()
        #: The file lock serialises processes; this one keeps the threads of one process off
        #: `_sent` while they read it (shared file locks do not exclude each other).
        self._sent_lock = threading.Lock()

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
            existing = self._sent.get(handle, key)
            if existing is not None:
                return self._ref(existing)
            end = handle.seek(0, os.SEEK_END)
            if end:
                handle.seek(end - 1)
                if handle.read(1) != b"\n":
                    line = b"\n" + line  # a crash cut the last line short: leave it alone
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
            self._sent.wrote(key, read_to=end + len(line))
        return self._ref(key)

    def find(self, idempotency_key: str) -> TicketRef | None:
        if not self.path.exists():
            return None
        with self._locked("rb") as handle:
            found = self._sent.get(handle, idempotency_key)
        return None if found is None else self._ref(found)

    def erase(self, keys: Collection[str], scrub: Callable[[Any], Any]) -> tuple[int, int]:
        """Drop the lines of the cases `keys` and pass every other record through `scrub`
        (an erasure request); (lines dropped, lines changed). The file is rewritten in place
        under its lock, so a daemon appending at the same time waits and loses nothing."""
        if not self.path.exists():
            return 0, 0
        dropped = changed = 0
        with self._locked("r+b") as handle:
            lines = handle.read().splitlines(keepends=True)
            kept: list[bytes] = []
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:
                    kept.append(line)  # cut short by a crash: not ours to judge
                    continue
                if isinstance(record, dict) and record.get("idempotency_key") in keys:
                    dropped += 1
                    continue
                cleaned = scrub(record)
                if cleaned != record:
                    changed += 1
                    line = json.dumps(cleaned, ensure_ascii=False, sort_keys=True).encode() + b"\n"
                kept.append(line)
            if dropped or changed:
                handle.seek(0)
                handle.writelines(kept)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())
                self._sent = _SentKeys()
        return dropped, changed

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
        with self._sent_lock, handle:
            exclusive = "a" in mode or "+" in mode
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class _SentKeys:
    """The keys in the file and their ticket ids, read once, then only what was appended.

    Callers hold the file lock. Before a look-up the index reads the lines appended since it
    last read (by this sink, another instance or another process) and starts over when the
    file at the path was replaced or truncated; a line a crash cut short is skipped.
    """

    def __init__(self) -> None:
        self._tickets: dict[str, str] = {}
        #: (device, inode) of the file read, and how far: the bytes already in `_tickets`.
        self._file: tuple[int, int] | None = None
        self._read_to = 0

    def get(self, handle: IO[bytes], key: str) -> str | None:
        """The ticket id written for `key`, after catching up with the file."""
        info = os.fstat(handle.fileno())
        if (info.st_dev, info.st_ino) != self._file or info.st_size < self._read_to:
            self._tickets.clear()
            self._file = (info.st_dev, info.st_ino)
            self._read_to = 0
        if info.st_size > self._read_to:
            handle.seek(self._read_to)
            for line in handle:
                _add_line(self._tickets, line)
            self._read_to = handle.tell()
        return self._tickets.get(key)

    def wrote(self, key: str, *, read_to: int) -> None:
        """This sink appended `key`'s line; the file now ends at `read_to`."""
        self._tickets.setdefault(key, key)
        self._read_to = read_to


def _add_line(tickets: dict[str, str], line: bytes) -> None:
    """Index one line; the first line for a key wins, as the first scan found it."""
    try:
        record = json.loads(line)
    except ValueError:
        return  # cut short by a crash, or empty
    if isinstance(record, dict):
        key = record.get("idempotency_key")
        if isinstance(key, str):
            tickets.setdefault(key, str(record.get("ticket_id") or key))
