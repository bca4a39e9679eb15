"""Numbers, ids and filters from URLs, checked before they reach SQL: a bad one is a 400 or 404
with one line naming it, never a 500 (a 20-digit id overflows both databases' 64-bit integers)."""

from __future__ import annotations

from collections.abc import Mapping

from kernel.errors import InputError
from triage.queue.models import Filters

#: The largest id either database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1
#: Posts one `/queue?ids=` link may name (an alert names at most a few dozen).
MAX_IDS = 200
FILTER_KEYS = ("source", "query", "route", "sentiment", "intent", "language", "sensitive", "age")


def parse_id(value: object, what: str) -> int:
    """A positive id from a path or query value, else `InputError` naming `what`."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ID:
        raise InputError(f"{what}: {text[:30]!r} is not an id")
    return int(text)


def parse_ids(value: str) -> list[int]:
    """`1,2,3` (what `triage.digest.notify.queue_link` writes) as post ids."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdigit() and len(p) < 19 for p in parts):
        raise InputError("ids: expected post ids separated by commas, e.g. ids=12,15,40")
    if len(parts) > MAX_IDS:
        raise InputError(f"ids: at most {MAX_IDS} posts at once")
    return [int(p) for p in parts]


def parse_page(cursor: str | None) -> int:
    """The page number a time-left page's cursor is."""
    if not cursor:
        return 0
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) < 5):
        raise InputError(f"cursor: {cursor[:20]!r} is not a page number")
    return int(cursor)


def parse_filters(query: Mapping[str, str]) -> Filters:
    """A queue view's or a search's filters from its query string (`q` is the search words);
    each value cut to 200 characters."""
    values = {k: query.get(k, "")[:200] for k in FILTER_KEYS}
    return Filters(search=query.get("q", "")[:200], **values)
