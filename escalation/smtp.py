"""Send one message over SMTP, with SMTP's failures translated into the delivery errors.

Shared by the e-mail sink (helpdesk cases) and the digest mailer (digests and alerts), so a
refused login, a refused recipient or a server answer is judged the same way everywhere:
permanent when retrying cannot help (5xx, login refused, a certificate rejected), retryable
otherwise. Every message is one line naming `what` (never the password).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from config.secrets import resolve_secret
from kernel.errors import DeliveryPermanent, DeliveryRetryable, NotConfigured


def login_password(
    *, username: str | None, password_env: str | None, password_file: Path | None, where: str
) -> str | None:
    """The SMTP password when a username is set (from the environment or a file), else None;
    `where` names the settings in the one-line error when it is missing."""
    if not username:
        return None
    if not password_env and password_file is None:
        raise NotConfigured(f"{where}.password_env: needed when username is set")
    return resolve_secret(env=password_env, file=password_file, setting=f"{where}.password")


def send_message(
    msg: EmailMessage,
    *,
    what: str,
    host: str,
    port: int,
    starttls: bool = False,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 20.0,
    tls_context: ssl.SSLContext | None = None,
) -> None:
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if starttls:
                smtp.starttls(context=tls_context or ssl.create_default_context())
            if username:
                smtp.login(username, password or "")
            smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryPermanent(f"{what}: login refused ({exc.smtp_code})") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryPermanent(f"{what}: server does not support {exc}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _ in exc.recipients.values()}
        message = f"{what}: recipients refused ({', '.join(sorted(exc.recipients))})"
        if all(code >= 500 for code in codes):
            raise DeliveryPermanent(message) from exc
        raise DeliveryRetryable(message) from exc
    except smtplib.SMTPResponseException as exc:
        said = exc.smtp_error
        text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
        message = f"{what}: {exc.smtp_code} {' '.join(text.split())}"
        if exc.smtp_code >= 500:
            raise DeliveryPermanent(message) from exc
        raise DeliveryRetryable(message) from exc
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryPermanent(f"{what}: TLS certificate rejected ({exc.reason})") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryRetryable(f"{what}: {type(exc).__name__}: {exc}") from exc
