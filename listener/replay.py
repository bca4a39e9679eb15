"""Replay a JSON-lines file of posts: the embedded default, demos and backfills.

The cursor is the byte offset after the last complete line read, so a file that grows is read
on from where it stopped, and a half-written last line waits for the next poll.

The whole plugin is this one module (settings, source, record) plus its entry point in
pyproject.toml: `replay = "listener.replay:PLUGIN"` (docs/architecture.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from config.base import BrandSettings, _Source
from kernel import plugins
from kernel.abc import Source
from kernel.errors import InputError, MalformedPayload
from kernel.models import Author, Page, Post, PostKind, Skipped
from listener.common import brand_set, clean_text, is_brand, parse_time

log = logging.getLogger(__name__)

REQUIRED = ("source", "external_id", "text", "created_at")
PAGE_SIZE = 1_000


class ReplaySourceSettings(_Source):
    type: Literal["replay"] = "replay"
    #: JSON lines file of posts; the bundled sample when empty.
    path: Path | None = None


PLUGIN = plugins.source(
    "replay", settings=ReplaySourceSettings, implementation="listener.replay:ReplaySource"
)


def bundled_sample() -> Path:
    return Path(str(resources.files("listener") / "data" / "sample_posts.jsonl"))


class ReplaySource(Source):
    type = "replay"

    def __init__(
        self, *, name: str, path: Path, brand_handles: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(name=name)
        self.path = path
        self.brand_handles = brand_handles

    @classmethod
    def from_settings(cls, settings: ReplaySourceSettings, brand: BrandSettings) -> ReplaySource:
        return cls(
            name=settings.name,
            path=settings.path or bundled_sample(),
            brand_handles=brand_set(brand.handles),
        )

    def describe(self) -> str:
        return f"replay source {self.name!r} reading {self.path}"

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        offset = int((cursor or {}).get("offset", 0))
        line_no = int((cursor or {}).get("line", 0))
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read replay file: {exc.strerror}") from exc
        if offset > size:  # the file was replaced by a shorter one: read it from the start
            offset, line_no = 0, 0
        with self.path.open("rb") as handle:
            handle.seek(offset)
            batch: list[Post] = []
            skipped: list[Skipped] = []
            for raw_line in handle:
                if not raw_line.endswith(b"\n") and handle.tell() == size:
                    break  # an incomplete last line: wait until its writer finishes it
                line_no += 1
                offset += len(raw_line)
                if not raw_line.strip():
                    continue
                try:
                    batch.append(self.parse_line(raw_line, line_no))
                except MalformedPayload as exc:
                    log.warning("%s", exc, extra={"source": self.name})
                    skipped.append(Skipped(reason=str(exc), content=_content(raw_line)))
                except (RecursionError, ValueError, TypeError, OverflowError) as exc:
                    # One hostile line (nesting thousands deep, numbers past any range) is
                    # skipped like a malformed one; the rest of the file is still read.
                    reason = f"{self.path}:{line_no}: cannot read the post: {type(exc).__name__}"
                    log.warning("%s", reason, extra={"source": self.name})
                    skipped.append(Skipped(reason=reason, content=_content(raw_line)))
                if len(batch) >= PAGE_SIZE:
                    yield Page(
                        posts=tuple(batch), cursor=_cursor(offset, line_no), skipped=tuple(skipped)
                    )
                    batch, skipped = [], []
            yield Page(posts=tuple(batch), cursor=_cursor(offset, line_no), skipped=tuple(skipped))

    def parse_line(self, raw_line: bytes, line_no: int) -> Post:
        where = f"{self.path}:{line_no}"
        try:
            data = json.loads(raw_line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedPayload(f"{where}: not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise MalformedPayload(f"{where}: expected a JSON object")
        missing = [key for key in REQUIRED if data.get(key) in (None, "")]
        if missing:
            raise MalformedPayload(f"{where}: missing required key {', '.join(missing)}")
        if not isinstance(data["text"], str):
            raise MalformedPayload(f"{where}: text must be a string")
        text, notes = clean_text(data["text"], where=where)
        return Post(
            source=_id(data["source"], "source", where, numbers=False),
            external_id=_id(data["external_id"], "external_id", where),
            text=text,
            created_at=parse_time(data["created_at"], where=where),
            url=data.get("url"),
            author=self._author(data.get("author"), where),
            lang=data.get("lang"),
            conversation_id=_opt_id(data.get("conversation_id"), "conversation_id", where),
            parent_id=_opt_id(data.get("parent_id"), "parent_id", where),
            kind=_kind(data, where),
            query=data.get("query"),
            raw={**data, **notes} if notes else data,
        )

    def _author(self, value: Any, where: str) -> Author:
        if value is None:
            return Author(handle="unknown")
        if not isinstance(value, dict) or not value.get("handle"):
            raise MalformedPayload(f"{where}: author must be an object with a handle")
        handle = str(value["handle"])
        followers = value.get("followers")
        return Author(
            handle=handle,
            name=value.get("name"),
            followers=int(followers) if isinstance(followers, int | float) else None,
            verified=value.get("verified"),
            external_id=_opt_id(value.get("id"), "author.id", where),
            is_brand=bool(value.get("is_brand")) or is_brand(handle, self.brand_handles),
        )


def _kind(data: dict[str, Any], where: str) -> PostKind:
    value = data.get("kind")
    if value is None:
        return PostKind.REPLY if data.get("parent_id") not in (None, "") else PostKind.POST
    try:
        return PostKind(value)
    except ValueError as exc:
        raise MalformedPayload(f"{where}: kind must be post, comment or reply") from exc


def _id(value: Any, name: str, where: str, *, numbers: bool = True) -> str:
    """An id as given: a string, or an integer where platforms use numbers. Anything else
    (`true`, `1.5`, an object) is refused, not coerced into an id nobody sent ("True")."""
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    kinds = "a string or an integer" if numbers else "a string"
    raise MalformedPayload(f"{where}: {name} must be {kinds}, not {_json_type(value)}")


def _opt_id(value: Any, name: str, where: str) -> str | None:
    return None if value is None else _id(value, name, where)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return {float: "a number with a fraction", dict: "an object", list: "a list"}.get(
        type(value), type(value).__name__
    )


def _content(raw_line: bytes) -> str:
    """The line as read, for the quarantine (masked there like a post), cut at 64 KiB."""
    return raw_line[: 64 * 1024].decode("utf-8", "replace").rstrip("\n")


def _cursor(offset: int, line: int) -> dict[str, Any]:
    return {"offset": offset, "line": line}
