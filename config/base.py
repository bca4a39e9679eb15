"""What plugins' settings models are built from: the base of every source's and every sink's
settings, the one SMTP server model (the e-mail sink and the digest mailer), and the brand.

A plugin imports this module, never `config.schema`: the schema's unions are built from the
registered plugins' models (`kernel.plugins`), so the models must not need the schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kernel.vocab import PRIORITIES, unknown

_Value = TypeVar("_Value")


def _known_priorities(value: dict[str, Any]) -> dict[str, Any]:
    wrong = unknown(list(value), PRIORITIES)
    if wrong:
        raise ValueError(f"unknown priority {', '.join(wrong)} (known: {', '.join(PRIORITIES)})")
    return value


#: A sink's map from the project's priorities (`kernel.vocab.PRIORITIES`) to its helpdesk's;
#: a key that is not one of them (a typo that would never match) is refused at load.
PriorityMap = Annotated[dict[str, _Value], AfterValidator(_known_priorities)]


class _Source(BaseModel):
    """What every source's settings have; a source type adds its own beside its code."""

    model_config = ConfigDict(extra="forbid")

    type: str

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)
    enabled: bool = True
    interval_seconds: int = Field(default=60, gt=0)
    #: Random delay added to each run so replicas and sources do not poll in lockstep.
    jitter_seconds: int = Field(default=5, ge=0)
    #: Most pages one poll reads; the rest is read on the next poll, nothing is skipped.
    max_pages: int = Field(default=10, gt=0)
    #: The brand this source listens for, when one deployment serves several: its posts are
    #: addressed to it, and that brand's labels teach its own route head (`learn`).
    #: `brand.name` when empty.
    brand: str | None = Field(default=None, min_length=1, max_length=255)

    #: Secrets (`NAME_env` / `NAME_file`) needed only to reply, not to read: `config check`
    #: does not ask for them while replies are dry runs.
    reply_secrets: ClassVar[frozenset[str]] = frozenset()


class _Sink(BaseModel):
    """What every sink's settings have; a sink type adds its own beside its code.

    Secrets are named, never written: by environment variable (`*_env`) or file (`*_file`);
    the file wins when both are given.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)
    #: A folder whose `subject.txt.j2`, `body.txt.j2`, `first_response.txt.j2` replace the
    #: shipped templates (any one of them; the others stay shipped). Wins over
    #: `escalation.templates`.
    templates: Path | None = None
    timeout_seconds: float = Field(default=20.0, gt=0)
    #: Most cases sent to this sink per minute by one process (all its delivery workers
    #: together); none: as fast as the helpdesk answers.
    max_per_minute: float | None = Field(default=None, gt=0)


class SmtpSettings(BaseModel):
    """An SMTP server and the addresses a message goes from and to."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    host: str
    port: int = Field(default=25, gt=0, lt=65536)
    starttls: bool = False
    #: Log in only when a user name is given; the password then comes from `password_*`.
    username: str | None = None
    password_env: str | None = "TRIAGE_DIGEST_SMTP_PASSWORD"
    password_file: Path | None = None
    from_address: str = Field(default="social-triage@localhost", alias="from")
    to: list[str] = Field(min_length=1)
    timeout_seconds: float = Field(default=20.0, gt=0)


class BrandSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "Acme"
    #: The brand's own handles on every platform; their posts are marked as the brand's.
    handles: list[str] = Field(
        default_factory=lambda: ["acme", "acmehelp", "AcmeSupport", "acme_official"]
    )
