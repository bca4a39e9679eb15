"""The first-response clock in business time: weekends, holidays, lunch breaks, time zones and
summer-time changes (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from config.schema import Settings
from triage.queue.sla import SlaClock

LISBON = ZoneInfo("Europe/Lisbon")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
WEEK = {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def clock(**sla: object) -> SlaClock:
    return SlaClock.from_settings(Settings.model_validate({"sla": sla}))


def at(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


def test_without_business_hours_the_clock_is_the_wall_clock() -> None:
    c = clock()
    start = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)  # a Saturday night
    assert c.elapsed(start, start + timedelta(hours=30)) == timedelta(hours=30)
    assert c.due(start, timedelta(minutes=60)) == start + timedelta(minutes=60)
    assert c.elapsed(start, start - timedelta(hours=1)) == timedelta(0)


def test_a_weekend_does_not_count() -> None:
    c = clock(timezone="Europe/Lisbon", business_hours=WEEK)
    friday = at(LISBON, 2026, 12, 4, 17, 30)
    monday = at(LISBON, 2026, 12, 7, 9, 30)
    assert c.elapsed(friday, monday) == timedelta(hours=1)
    assert c.due(friday, timedelta(minutes=60)) == monday
    # Written on Saturday: the clock starts on Monday at opening.
    saturday = at(LISBON, 2026, 12, 5, 11, 0)
    assert c.due(saturday, timedelta(minutes=60)) == at(LISBON, 2026, 12, 7, 10, 0)
    assert c.elapsed(saturday, at(LISBON, 2026, 12, 6, 23, 0)) == timedelta(0)


def test_holidays_and_a_lunch_break() -> None:
    hours = {day: ["09:00-12:30", "13:30-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    c = clock(timezone="Europe/Lisbon", business_hours=hours, holidays=["2026-12-25"])
    thursday = at(LISBON, 2026, 12, 24, 17, 0)
    # One hour on Thursday, Christmas Friday closed, the weekend closed: Monday 09:00 + 1 h.
    assert c.due(thursday, timedelta(hours=2)) == at(LISBON, 2026, 12, 28, 10, 0)
    noon = at(LISBON, 2026, 12, 28, 12, 0)
    assert c.due(noon, timedelta(hours=1)) == at(LISBON, 2026, 12, 28, 14, 0)
    assert c.elapsed(noon, at(LISBON, 2026, 12, 28, 14, 0)) == timedelta(hours=1)
    # Holidays alone (no business hours): open around the clock except those days.
    only = clock(timezone="Europe/Lisbon", holidays=["2026-12-25"])
    eve = at(LISBON, 2026, 12, 24, 23, 0)
    assert only.due(eve, timedelta(hours=2)) == at(LISBON, 2026, 12, 26, 1, 0)


def test_the_spans_are_local_time_across_a_summer_time_change() -> None:
    # Lisbon moves from 01:00 to 02:00 on 2026-03-29 (Sunday) and back on 2026-10-25.
    c = clock(timezone="Europe/Lisbon", business_hours={"sun": ["00:00-24:00"]})
    spring = at(LISBON, 2026, 3, 29, 0, 0)
    assert c.elapsed(spring, at(LISBON, 2026, 3, 30, 0, 0)) == timedelta(hours=23)
    autumn = at(LISBON, 2026, 10, 25, 0, 0)
    assert c.elapsed(autumn, at(LISBON, 2026, 10, 26, 0, 0)) == timedelta(hours=25)
    # Opening hours stay 09:00 local on both sides of the change: 8:00 then 9:00 UTC.
    week = clock(timezone="Europe/Lisbon", business_hours=WEEK)
    friday = at(LISBON, 2026, 3, 27, 17, 30)
    due = week.due(friday, timedelta(minutes=60))
    assert due == at(LISBON, 2026, 3, 30, 9, 30)
    assert due is not None and due.astimezone(UTC).hour == 8
    friday = at(LISBON, 2026, 10, 23, 17, 30)
    due = week.due(friday, timedelta(minutes=60))
    assert due is not None and due.astimezone(UTC) == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)


def test_a_span_that_starts_in_a_skipped_hour() -> None:
    # New York skips 02:00-03:00 on 2026-03-08: a 02:30 opening is 03:30 EDT (07:30 UTC, the
    # instant 02:30 EST would have been), so the span is open 30 real minutes that day.
    c = clock(timezone="America/New_York", business_hours={"sun": ["02:30-04:00"]})
    day = datetime(2026, 3, 8, 0, 0, tzinfo=ZoneInfo("America/New_York"))
    assert c.elapsed(day, day + timedelta(days=1)) == timedelta(minutes=30)
    assert c.due(day, timedelta(minutes=10)) == datetime(2026, 3, 8, 7, 40, tzinfo=UTC)


def test_the_business_day_is_in_the_settings_time_zone() -> None:
    c = clock(timezone="America/Sao_Paulo", business_hours=WEEK)
    # Monday 20:30 UTC is 17:30 in São Paulo: 30 minutes left that day.
    monday = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)
    assert c.due(monday, timedelta(minutes=60)) == at(SAO_PAULO, 2026, 12, 8, 9, 30)


def test_badges_count_business_time() -> None:
    c = clock(
        timezone="Europe/Lisbon",
        business_hours=WEEK,
        first_response_minutes={"public_reply": 60, "helpdesk": 240},
    )
    friday = at(LISBON, 2026, 12, 4, 17, 30)
    ok = c.badge("public_reply", friday, at(LISBON, 2026, 12, 5, 12, 0), open_=True)
    assert (ok.state, ok.label) == ("ok", "30m left")
    assert ok.due == at(LISBON, 2026, 12, 7, 9, 30)
    soon = c.badge("public_reply", friday, at(LISBON, 2026, 12, 7, 9, 20), open_=True)
    assert (soon.state, soon.label) == ("soon", "due soon · 10m left")
    late = c.badge("public_reply", friday, at(LISBON, 2026, 12, 7, 10, 35), open_=True)
    assert (late.state, late.label) == ("breach", "breached · 1h 5m over")
    done = c.badge("public_reply", friday, at(LISBON, 2026, 12, 7, 10, 35), open_=False)
    assert done.state == "done"
    # `ignore` has no target in this file: no countdown.
    assert c.badge("ignore", friday, at(LISBON, 2026, 12, 9, 0, 0), open_=True).state == "ok"


def test_older_settings_keep_their_targets() -> None:
    c = SlaClock.from_settings(Settings.model_validate({"web": {"sla_minutes": {"helpdesk": 30}}}))
    assert c.target("helpdesk") == timedelta(minutes=30)
    assert c.target("public_reply") is None


@pytest.mark.parametrize(
    ("sla", "says"),
    [
        ({"timezone": "Mars/Olympus"}, "'Mars/Olympus' is not an IANA time zone"),
        ({"business_hours": {"monday": ["09:00-18:00"]}}, "'monday' is not a weekday"),
        ({"business_hours": {"mon": ["18:00-09:00"]}}, "ends before it starts"),
        ({"business_hours": {"mon": ["9-18"]}}, "is not a span like 09:00-18:00"),
        ({"business_hours": {"mon": ["09:00-13:00", "12:00-18:00"]}}, "overlap"),
        ({"business_hours": {"mon": []}}, "no open hours"),
        ({"first_response_minutes": {"dm": 60}}, "'dm' is not a route"),
        ({"holidays": ["25/12/2026"]}, "holidays.0"),
    ],
)
def test_bad_settings_say_what_and_where(sla: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate({"sla": sla})
    assert says in str(caught.value)
    assert "sla" in str(caught.value)


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=1, max_value=5 * 24 * 60),
    zone=st.sampled_from(["UTC", "Europe/Lisbon", "America/Sao_Paulo", "America/New_York"]),
)
def test_due_and_elapsed_agree(start: datetime, minutes: int, zone: str) -> None:
    """However the business week falls, the target's worth of business time is used up
    exactly at the due instant, never before, and the clock never runs backwards."""
    hours = {**WEEK, "sat": ["09:00-12:30", "13:30-14:00"]}
    c = clock(timezone=zone, business_hours=hours, holidays=["2026-12-25", "2027-01-01"])
    target = timedelta(minutes=minutes)
    due = c.due(start, target)
    assert due is not None and due > start
    assert c.elapsed(start, due) == target
    assert c.elapsed(start, due - timedelta(seconds=1)) < target
    later = due + timedelta(hours=7)
    assert c.elapsed(start, later) == c.elapsed(start, due) + c.elapsed(due, later)


@settings(max_examples=150, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=1, max_value=5 * 24 * 60),
    zone=st.sampled_from(["UTC", "Europe/Lisbon", "America/Sao_Paulo", "America/New_York"]),
    before=st.integers(min_value=1, max_value=4 * 24 * 3600),
)
def test_late_since_splits_breached_posts_from_the_others(
    now: datetime, minutes: int, zone: str, before: int
) -> None:
    """The tabs count a route's late posts as `created_at <= late_since`: a post written then
    or earlier has a breached badge, one written a second later (while open) does not."""
    hours = {**WEEK, "sat": ["09:00-12:30", "13:30-14:00"]}
    c = clock(timezone=zone, business_hours=hours, holidays=["2026-12-25", "2027-01-01"])
    target = timedelta(minutes=minutes)
    since = c.late_since(target, now)
    assert since is not None and since < now
    assert c.elapsed(since, now) == target
    assert c.elapsed(since - timedelta(seconds=before), now) >= target
    assert c.elapsed(since + timedelta(seconds=1), now) < target


def test_late_since_on_the_wall_clock_and_over_a_weekend() -> None:
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday
    assert clock().late_since(timedelta(minutes=60), now) == now - timedelta(minutes=60)
    c = clock(timezone="Europe/Lisbon", business_hours=WEEK)
    # 60 business minutes before Monday 10:00 in Lisbon: 9:00 Monday; 90: Friday 17:30.
    assert c.late_since(timedelta(minutes=60), now) == at(LISBON, 2026, 12, 7, 9, 0)
    assert c.late_since(timedelta(minutes=90), now) == at(LISBON, 2026, 12, 4, 17, 30)
    c = clock(
        timezone="Europe/Lisbon", business_hours=WEEK, first_response_minutes={"public_reply": 90}
    )
    friday = at(LISBON, 2026, 12, 4, 17, 30)
    assert c.badge("public_reply", friday, now, open_=True).state == "breach"
    later = friday + timedelta(seconds=1)
    assert c.badge("public_reply", later, now, open_=True).state != "breach"
    closed = SlaClock(targets={}, hours={}, zone="UTC")  # never open: nothing is ever late
    assert closed.late_since(timedelta(minutes=1), now) is None
