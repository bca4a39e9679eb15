"""Settings of the first-response clock: targets per route, business hours and holidays.

The clock runs only while the team is open (`business_hours` in `timezone`, minus `holidays`);
without business hours it runs around the clock. `triage.queue.sla` does the arithmetic.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROUTES = ("public_reply", "private_dm", "helpdesk", "ignore")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")


def span_minutes(span: str) -> tuple[int, int]:
    """`09:00-18:00` as minutes after midnight (540, 1080); `24:00` ends a day."""
    found = _SPAN.match(span.strip())
    if not found:
        raise ValueError(f"{span!r} is not a span like 09:00-18:00")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end > 24 * 60:
        raise ValueError(f"{span!r} ends after 24:00")
    if end <= start:
        raise ValueError(
            f"{span!r} ends before it starts (a night shift is two spans: "
            "18:00-24:00 on one day, 00:00-09:00 on the next)"
        )
    return start, end


class SlaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: First-response target per route, in business minutes; unset: `web.sla_minutes`.
    first_response_minutes: dict[str, int] | None = None
    #: IANA time zone the business hours and holidays are in (`Europe/Lisbon`).
    timezone: str = "UTC"
    #: Open hours per weekday (`mon` ... `sun`), each a list of spans like `09:00-18:00`;
    #: a weekday not listed is closed. Unset: open around the clock.
    business_hours: dict[str, list[str]] | None = None
    #: Whole days the team is closed (dates in `timezone`), e.g. `2026-12-25`.
    holidays: list[date] = Field(default_factory=list)
    #: A badge says *due soon* once this share of the target is used.
    due_soon_percent: int = Field(default=75, ge=1, le=99)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Lisbon)") from exc
        return value

    @field_validator("first_response_minutes")
    @classmethod
    def _targets(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        for route, minutes in (value or {}).items():
            if route not in ROUTES:
                raise ValueError(f"{route!r} is not a route ({', '.join(ROUTES)})")
            if minutes < 1:
                raise ValueError(f"{route}: the target must be at least 1 minute")
        return value

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if value is None:
            return None
        for day, spans in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"{day!r} is not a weekday ({', '.join(WEEKDAYS)})")
            found = sorted(span_minutes(s) for s in spans)
            for (_, end), (start, _) in itertools.pairwise(found):
                if start < end:
                    raise ValueError(f"{day}: the spans {spans} overlap")
        if not any(value.values()):
            raise ValueError("no open hours on any weekday (leave business_hours unset for 24/7)")
        return value
