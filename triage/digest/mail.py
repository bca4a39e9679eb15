"""Digests and alerts by e-mail: multipart/alternative (plain text, then an HTML part that is
multipart/related with its charts as inline `cid:` PNGs), sent over SMTP.

Failures raise `DeliveryRetryable` / `DeliveryPermanent` with one line naming the server; the
scheduled job logs it and the digest is still written to `digest.out_dir`.
"""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from config.base import SmtpSettings
from escalation.smtp import login_password, send_message
from triage.digest.render import RenderedDigest


def digest_message(rendered: RenderedDigest, *, sender: str, to: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = rendered.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("<> ") or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    html_part = msg.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    for cid, png in rendered.images.items():
        name = cid.split("@")[0] + ".png"
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", filename=name)
    return msg


class Mailer:
    """Sends prepared messages through one SMTP server (`digest.smtp`)."""

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        to: list[str],
        port: int = 25,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 20.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.to = list(to)
        self.starttls = starttls
        self.username = username
        self._password = password
        self.timeout = timeout
        self._tls_context = tls_context

    @classmethod
    def from_settings(cls, settings: SmtpSettings) -> Mailer:
        password = login_password(
            username=settings.username,
            password_env=settings.password_env,
            password_file=settings.password_file,
            where="digest.smtp",
        )
        return cls(
            host=settings.host,
            port=settings.port,
            sender=settings.from_address,
            to=settings.to,
            starttls=settings.starttls,
            username=settings.username,
            password=password,
            timeout=settings.timeout_seconds,
        )

    def send(self, msg: EmailMessage) -> None:
        send_message(
            msg,
            what=f"smtp {self.host}:{self.port}",
            host=self.host,
            port=self.port,
            starttls=self.starttls,
            username=self.username,
            password=self._password,
            timeout=self.timeout,
            tls_context=self._tls_context,
        )

    def describe(self) -> str:
        tls = ", STARTTLS" if self.starttls else ""
        return f"smtp {self.host}:{self.port}{tls} to {', '.join(self.to)}"
