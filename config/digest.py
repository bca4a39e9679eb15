"""Settings for marketing's view: scheduled digests, their SMTP server, and spike alerts.

The SMTP server is `config.base.SmtpSettings`, the model the e-mail sink uses too.
"""

from __future__ import annotations

from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, field_validator

from config.base import SmtpSettings
from kernel.period import parse_period

_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday_field(field: str) -> str:
    """Crontab weekdays (0 or 7 = Sunday) as day names: APScheduler 3 reads numbers as
    0 = Monday, so `1-5` would silently mean Tuesday to Saturday."""
    names = []
    for item in field.split(","):
        base, _slash, step = item.partition("/")
        if base == "*" or not any(c.isdigit() for c in base):
            names.append(item)
            continue
        first, _dash, last = base.partition("-")
        days = range(int(first), int(last or first) + 1, int(step or 1))
        if not days or days.stop > 8:
            raise ValueError(f"weekday {item!r} is out of range 0-7")
        names.extend(_DAYS[d] for d in days)
    return ",".join(dict.fromkeys(names))


def cron_trigger(value: str, timezone: str = "UTC") -> CronTrigger:
    """A crontab expression (minute hour day month weekday) as a trigger, cron's meaning."""
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(f"not a crontab expression ({value!r}): expected 5 fields")
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_weekday_field(weekday),
            timezone=timezone,
        )
    except ValueError as exc:
        raise ValueError(f"not a crontab expression ({value!r}): {exc}") from exc


def check_cron(value: str) -> str:
    """A five-field crontab expression, checked by the scheduler that will run it."""
    cron_trigger(value)
    return value


def check_period(value: str) -> str:
    parse_period(value)
    return value


class DigestSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    #: Crontab expression (minute hour day month weekday), in `digest.timezone`.
    cron: str
    #: How far back the digest looks: `24h`, `1d`, `7d`, `2w`.
    period: str = "1d"
    #: Only posts whose listening query or text mention this term (case-insensitive).
    brand: str | None = None
    #: Only posts fetched for this listening query (exact).
    query: str | None = None
    #: Recipients for this schedule; `digest.smtp.to` when empty.
    to: list[str] = Field(default_factory=list)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        return check_period(value)


def _default_schedules() -> list[DigestSchedule]:
    return [
        DigestSchedule(name="daily", cron="0 7 * * *", period="1d"),
        DigestSchedule(name="weekly", cron="0 7 * * mon", period="7d"),
    ]


class DigestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Run the schedules in the daemon.
    enabled: bool = True
    #: Scheduled digests; a daily and a weekly one by default.
    schedules: list[DigestSchedule] = Field(default_factory=_default_schedules)
    #: Time zone the cron expressions are read in.
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    #: Where scheduled digests are written (HTML + CSV) when no SMTP server is configured.
    out_dir: Path = Path("digests")
    #: The server digests and alerts are mailed through; none: files only.
    smtp: SmtpSettings | None = None
    #: Most negative themes shown.
    max_themes: int = Field(default=5, ge=1, le=12)
    #: Most-engaged posts shown.
    top_posts: int = Field(default=5, ge=1, le=50)


class AlertSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Check for spikes hourly in the daemon.
    enabled: bool = True
    #: When the daemon checks (crontab); a few minutes past the hour, once the hour is complete.
    cron: str = "5 * * * *"
    #: Hours of history the baseline is computed from.
    baseline_hours: int = Field(default=168, ge=24)
    #: Robust z-score (median/MAD) above which an hour is unusual.
    threshold: float = Field(default=4.0, gt=0)
    #: Fewest posts in an hour for a volume alert (a quiet brand does not alarm on three posts).
    min_posts: int = Field(default=10, ge=1)
    #: Fewest negative posts in an hour for a negative-share alert.
    min_negative: int = Field(default=5, ge=1)
    #: No second alert of the same kind and scope within this many hours.
    cooldown_hours: int = Field(default=6, ge=0)
    #: Posts quoted in an alert.
    max_posts: int = Field(default=5, ge=1, le=50)
    #: The web app's address, for the link to the queue filtered on the driving posts.
    base_url: str = "http://127.0.0.1:8080"
    #: Send alerts by e-mail through `digest.smtp` (to `digest.smtp.to`).
    email: bool = True
    #: Slack-compatible webhook receiving alerts; none: no webhook.
    webhook_url: str | None = None
    #: Signing secret for the webhook (`X-Triage-Signature`), from the environment or a file.
    webhook_secret_env: str | None = "TRIAGE_ALERT_WEBHOOK_SECRET"
    webhook_secret_file: Path | None = None
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)
