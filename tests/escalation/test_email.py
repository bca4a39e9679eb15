"""The e-mail sink against a real aiosmtpd server on loopback; messages are parsed back."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from escalation.email import KEY_HEADER, EmailSink, message_id
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from tests.escalation.conftest import SMTPServer, _Collect
from tests.escalation.helpers import CARD, make_case
from tests.escalation.rt_server import free_port

SMTP_PASSWORD = "smtp-password-for-tests"


def _sink(smtp: SMTPServer, **overrides: Any) -> EmailSink:
    options: dict[str, Any] = {
        "name": "mail",
        "host": smtp.host,
        "port": smtp.port,
        "sender": "Social Triage <triage@acme.example>",
        "to": ["help@acme.example", "care@acme.example"],
        "timeout": 10,
    }
    options.update(overrides)
    return EmailSink(**options)


def test_message_parsed_back(smtp_server: SMTPServer) -> None:
    case = make_case()
    ticket = _sink(smtp_server).send(case)

    (msg,) = smtp_server.messages
    assert (
        msg["Message-ID"]
        == ticket.ticket_id
        == message_id(case.idempotency_key, "triage@acme.example")
    )
    assert msg["Message-ID"].endswith("@acme.example>")
    assert msg[KEY_HEADER] == case.idempotency_key
    assert msg["X-Triage-Case-Id"] == "42"
    assert msg["To"] == "help@acme.example, care@acme.example"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "@jane_doe" in msg["Subject"] and CARD not in msg["Subject"]
    body = msg.get_content()
    assert case.post.text in body
    assert "sensitive-data-to-helpdesk" in body
    assert "Suggested first response" in body


def test_repeats_carry_the_same_message_id(smtp_server: SMTPServer) -> None:
    case = make_case()
    sink = _sink(smtp_server)
    assert sink.send(case) == sink.send(case)
    assert len(smtp_server.message_ids()) == 1
    assert message_id("a", "x@y") != message_id("b", "x@y")


def test_temporary_smtp_failure_is_retryable(smtp_server: SMTPServer) -> None:
    smtp_server.data_replies.append("451 4.3.0 Mailbox temporarily unavailable")
    with pytest.raises(DeliveryRetryable, match=r"451 4\.3\.0 Mailbox temporarily unavailable"):
        _sink(smtp_server).send(make_case())
    _sink(smtp_server).send(make_case())
    assert len(smtp_server.messages) == 1


def test_permanent_smtp_failure_is_permanent(smtp_server: SMTPServer) -> None:
    smtp_server.data_replies.append("554 5.7.1 Message rejected")
    with pytest.raises(DeliveryPermanent, match=r"554 5\.7\.1 Message rejected"):
        _sink(smtp_server).send(make_case())


def test_server_down_is_retryable() -> None:
    sink = EmailSink(
        name="mail", host="127.0.0.1", port=free_port(), sender="a@b", to=["c@d"], timeout=5
    )
    with pytest.raises(DeliveryRetryable, match="ConnectionRefusedError"):
        sink.send(make_case())


def test_starttls_required_but_not_offered_is_permanent(smtp_server: SMTPServer) -> None:
    with pytest.raises(DeliveryPermanent, match="does not support"):
        _sink(smtp_server, starttls=True).send(make_case())


# --- STARTTLS and AUTH against aiosmtpd ----------------------------------------------------------


class _Authenticator:
    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login == b"triage" and auth_data.password == SMTP_PASSWORD.encode()
        )
        # handled=False: let aiosmtpd answer 535 itself on failure.
        return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a certificate for the STARTTLS test")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_smtp_server(certificate: tuple[Path, Path]) -> Iterator[SMTPServer]:
    from aiosmtpd.controller import Controller

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = SMTPServer(host="127.0.0.1", port=free_port())
    controller = Controller(
        _Collect(server),
        hostname=server.host,
        port=server.port,
        tls_context=context,
        require_starttls=True,
        authenticator=_Authenticator(),
        auth_required=True,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def _client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def test_starttls_and_login(tls_smtp_server: SMTPServer, certificate: tuple[Path, Path]) -> None:
    sink = _sink(
        tls_smtp_server,
        starttls=True,
        username="triage",
        password=SMTP_PASSWORD,
        tls_context=_client_context(certificate),
    )
    sink.send(make_case())
    assert len(tls_smtp_server.messages) == 1
    assert "triage" in sink.describe() and SMTP_PASSWORD not in sink.describe()


def test_wrong_password_is_permanent_and_not_shown(
    tls_smtp_server: SMTPServer, certificate: tuple[Path, Path]
) -> None:
    sink = _sink(
        tls_smtp_server,
        starttls=True,
        username="triage",
        password="wrong-smtp-password",
        tls_context=_client_context(certificate),
    )
    with pytest.raises(DeliveryPermanent, match="login refused") as raised:
        sink.send(make_case())
    assert "wrong-smtp-password" not in str(raised.value)


def test_untrusted_certificate_is_permanent(tls_smtp_server: SMTPServer) -> None:
    sink = _sink(tls_smtp_server, starttls=True, username="triage", password=SMTP_PASSWORD)
    with pytest.raises(DeliveryPermanent, match="TLS certificate rejected"):
        sink.send(make_case())
