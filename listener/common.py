"""Helpers every source uses to turn platform data into clean `Post`s."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from kernel.errors import MalformedPayload
from kernel.models import MAX_TEXT_CHARS

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: a field of the wrong type in a
    platform's answer reads as missing instead of failing the page."""
    return value if isinstance(value, dict) else {}


def clean_text(text: str, *, where: str) -> tuple[str, dict[str, int]]:
    """Text fit to store, plus notes for the raw payload; binary content is refused.

    Raises `MalformedPayload` naming `where` for text that is mostly control characters
    (a binary blob, not a post) or nothing but control characters and spaces. Stray control
    characters are dropped; text past `MAX_TEXT_CHARS` is truncated and the original length
    recorded.
    """
    notes: dict[str, int] = {}
    controls = len(_CONTROL.findall(text))
    if controls:
        if "\x00" in text and controls > max(8, len(text) // 10):
            raise MalformedPayload(f"{where}: binary content ({controls} control characters)")
        text = _CONTROL.sub("", text)
        if not text.strip():
            raise MalformedPayload(f"{where}: text is only control characters ({controls})")
        notes["_control_chars_removed"] = controls
    if len(text) > MAX_TEXT_CHARS:
        notes["_truncated_from"] = len(text)
        text = text[:MAX_TEXT_CHARS]
    return text, notes


def parse_time(value: object, *, where: str) -> datetime:
    """An ISO 8601 string or epoch seconds as an aware UTC datetime."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
    except (ValueError, OverflowError, OSError) as exc:
        raise MalformedPayload(f"{where}: bad timestamp {value!r}") from exc
    raise MalformedPayload(f"{where}: bad timestamp {value!r}")


def is_brand(handle: str | None, brand_handles: frozenset[str]) -> bool:
    return bool(handle) and handle.lstrip("@").lower() in brand_handles  # type: ignore[union-attr]


def brand_set(handles: list[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(h.lstrip("@").lower() for h in handles)


def parent_context(
    *, external_id: str, text: str, handle: str | None, created_at: datetime, url: str | None
) -> dict[str, str | None]:
    """The parent a reply answers, as the platform sent it along (for `raw["parent"]`).

    When the parent itself is not stored (it mentioned nobody we listen for), the case's thread
    is shown from this, so an agent still sees what the reply answers.
    """
    return {
        "external_id": external_id,
        "text": text,
        "author": handle,
        "created_at": created_at.isoformat(),
        "url": url,
    }
