"""Numbers and ids from URLs, checked before they reach SQL: a bad one is a 400 or 404 with
one line naming it, never a 500 (a 20-digit id overflows both databases' 64-bit integers)."""

from __future__ import annotations

from kernel.errors import InputError

#: The largest id either database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value: object, what: str) -> int:
    """A positive id from a path or query value, else `InputError` naming `what`."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ID:
        raise InputError(f"{what}: {text[:30]!r} is not an id")
    return int(text)
