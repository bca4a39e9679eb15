"""X API v2 response envelopes: bodies, error bodies and rate-limit headers; no I/O.

What every X call shares, whatever it asked for: the JSON object of a body, one line from a
problem (problem+json, v1.1 `errors[]`, or text), X's usage-cap and credits problems that come
as a 429, and the `x-rate-limit-*` headers. Turning the data of a page into `Post`s is
`listener/x/parse.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kernel.errors import MalformedPayload
from kernel.models import RateLimit
from kernel.util import one_line


def decode(content: bytes, *, where: str) -> dict[str, Any]:
    """The JSON object of a response body, or `MalformedPayload` naming `where`."""
    try:
        body = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedPayload(f"{where}: response is not valid JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise MalformedPayload(f"{where}: expected a JSON object, got {type(body).__name__}")
    return body


def partial_errors(body: dict[str, Any]) -> tuple[str, ...]:
    errors = body.get("errors")
    lines = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            parts = [error.get("title"), error.get("detail") or error.get("message")]
            lines.append(one_line(": ".join(str(p) for p in parts if p) or json.dumps(error)))
    return tuple(lines)


def problem(content: bytes) -> str:
    """One line from an error body (problem+json, v1.1 `errors[]`, or text); never long."""
    try:
        body = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return one_line(content[:200].decode("utf-8", "replace"))
    if isinstance(body, dict):
        if body.get("title") or body.get("detail"):
            title, detail = body.get("title"), body.get("detail")
            return one_line(f"{title}: {detail}" if detail and detail != title else str(title))
        errors = partial_errors(body)
        if errors:
            return errors[0]
    return one_line(json.dumps(body)[:200])


#: Problems X answers (as a 429) when reads that cost money are no longer served.
USAGE_CAPPED = ("usagecapexceeded", "usage-capped")
CREDITS_DEPLETED = ("creditsdepleted", "credits-depleted")


def billing_problem(content: bytes) -> tuple[str, str] | None:
    """("usage_cap" | "credits", one line) when a 429 body is X's usage-cap or credits problem."""
    try:
        body = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    candidates = (
        [body, *(e for e in errors if isinstance(e, dict))] if isinstance(errors, list) else [body]
    )
    for item in candidates:
        marker = " ".join(str(item.get(k) or "") for k in ("title", "type")).lower()
        kind = (
            "usage_cap"
            if any(m in marker for m in USAGE_CAPPED)
            else "credits"
            if any(m in marker for m in CREDITS_DEPLETED)
            else None
        )
        if kind:
            title, detail = item.get("title"), item.get("detail")
            text = f"{title}: {detail}" if detail and detail != title else str(title or kind)
            return kind, one_line(text)
    return None


def rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """What `x-rate-limit-limit/remaining/reset` said; None when the headers are absent."""
    limit = _int(headers.get("x-rate-limit-limit"))
    remaining = _int(headers.get("x-rate-limit-remaining"))
    reset = _int(headers.get("x-rate-limit-reset"))
    if limit is None and remaining is None and reset is None:
        return None
    return RateLimit(limit=limit, remaining=remaining, reset_at=reset_time(reset))


def reset_time(epoch: int | None) -> datetime | None:
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(epoch, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None
