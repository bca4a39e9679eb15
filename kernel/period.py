"""Digest periods: `7d`, `24h`, `2w` and the window they cover."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_PERIOD_RE = re.compile(r"^\s*(\d{1,4})\s*([hdw])\s*$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_period(text: str) -> timedelta:
    """`24h`, `7d`, `2w` -> a timedelta; anything else is a ValueError naming the value."""
    match = _PERIOD_RE.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"period {text!r}: expected a number and h, d or w, e.g. 7d")
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True, kw_only=True, slots=True)
class Window:
    """[start, end) and the window of the same length just before it."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def previous(self) -> Window:
        return Window(start=self.start - self.length, end=self.start)
