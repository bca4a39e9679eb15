"""E-mail sink: one message per case over SMTP, for helpdesks fed by a mailbox.

SMTP cannot be asked whether a message was already delivered, so the key travels in the
message itself: the `Message-ID` is derived from it (helpdesks and mail stores drop a repeated
Message-ID) and `X-Triage-Idempotency-Key` carries it verbatim. The ticket reference is the
Message-ID, identical on every attempt for one case. A mailbox has no status to read back.

The whole plugin is this module (settings, sink, record) and its entry point.
"""

from __future__ import annotations

import hashlib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Literal

from pydantic import Field

from config.base import SmtpSettings, _Sink
from escalation.content import Renderer
from escalation.smtp import login_password, send_message
from kernel import plugins
from kernel.abc import Sink
from kernel.errors import NotConfigured
from kernel.models import Case, TicketRef

KEY_HEADER = "X-Triage-Idempotency-Key"


class EmailSinkSettings(SmtpSettings, _Sink):
    """The SMTP server settings (`config.base.SmtpSettings`) plus a sink's."""

    type: Literal["email"] = "email"
    password_env: str | None = "TRIAGE_SMTP_PASSWORD"
    from_address: str = Field(alias="from")


PLUGIN = plugins.sink(
    "email", settings=EmailSinkSettings, implementation="escalation.email:EmailSink"
)


def message_id(idempotency_key: str, sender: str) -> str:
    """A stable Message-ID for a key, in the sender's domain (RFC 5322 wants a domain)."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    domain = sender.rpartition("@")[2].strip("<> ") or "social-triage.invalid"
    return f"<triage.{digest}@{domain}>"


class EmailSink(Sink):
    type = "email"

    def __init__(
        self,
        *,
        name: str,
        host: str,
        sender: str,
        to: list[str],
        port: int = 25,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 20.0,
        renderer: Renderer | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(name=name)
        self.host = host
        self.port = port
        self.sender = sender
        self.to = list(to)
        self.starttls = starttls
        self.username = username
        self._password = password
        self.timeout = timeout
        self.renderer = renderer or Renderer()
        self._tls_context = tls_context

    @classmethod
    def from_settings(
        cls, settings: EmailSinkSettings, *, templates: Path | None = None
    ) -> EmailSink:
        """`templates`: the escalation-wide override folder; the sink's own setting wins."""
        where = f"sinks[{settings.name}]"
        if not settings.host:
            raise NotConfigured(f"{where}.host: not configured")
        password = login_password(
            username=settings.username,
            password_env=settings.password_env,
            password_file=settings.password_file,
            where=where,
        )
        return cls(
            name=settings.name,
            host=settings.host,
            port=settings.port,
            sender=settings.from_address,
            to=settings.to,
            starttls=settings.starttls,
            username=settings.username,
            password=password,
            timeout=settings.timeout_seconds,
            renderer=Renderer(settings.templates or templates),
        )

    def message(self, case: Case) -> EmailMessage:
        content = self.renderer.render(case)
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = content.subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = message_id(case.idempotency_key, self.sender)
        msg[KEY_HEADER] = case.idempotency_key
        msg["X-Triage-Case-Id"] = str(case.id)
        msg["X-Triage-Priority"] = case.decision.priority
        msg["Auto-Submitted"] = "auto-generated"  # no autoreply loops with helpdesks
        msg.set_content(content.body)
        return msg

    def send(self, case: Case) -> TicketRef:
        msg = self.message(case)
        send_message(
            msg,
            what=f"email {self.name}",
            host=self.host,
            port=self.port,
            starttls=self.starttls,
            username=self.username,
            password=self._password,
            timeout=self.timeout,
            tls_context=self._tls_context,
        )
        return TicketRef(ticket_id=str(msg["Message-ID"]))

    def describe(self) -> str:
        tls = ", STARTTLS" if self.starttls else ""
        auth = f", as {self.username}" if self.username else ""
        return f"email sink {self.name!r} -> {self.host}:{self.port}{tls}{auth} to {self.to}"
