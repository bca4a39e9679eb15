"""Fixtures for the sinks: the real components they talk to (test data is in helpers.py).

- `rt_server`: a real Request Tracker 5 (SQLite, loopback), once per test session;
- `smtp_server`: a real aiosmtpd server on loopback that keeps what it received;
- `webhook_receiver`: a loopback HTTP receiver that verifies the HMAC signature and dedupes on
  `Idempotency-Key`, as docs/escalation.md asks receivers to do;
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.escalation.helpers import WEBHOOK_SECRET
from tests.escalation.rt_server import RTServer, free_port, rt_installed
from tests.httpserver import Response

# --- Request Tracker ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RTServer]:
    reason = rt_installed()
    if reason:
        pytest.skip(f"!!! REQUEST TRACKER TESTS SKIPPED: {reason} !!!")
    server = RTServer(tmp_path_factory.mktemp("rt5"))
    server.configure()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reason = rt_installed()
    if reason:
        terminalreporter.write_line(
            f"!!! Request Tracker tests were SKIPPED: {reason} !!!", red=True, bold=True
        )


# --- SMTP -----------------------------------------------------------------------------------


@dataclass
class SMTPServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    #: Replies to DATA to give before accepting again, e.g. "451 4.3.0 try later".
    data_replies: list[str] = field(default_factory=list)

    def message_ids(self) -> set[str]:
        return {str(m["Message-ID"]) for m in self.messages}


class _Collect:
    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.server.data_replies:
            return self.server.data_replies.pop(0)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.server.messages.append(msg)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    from aiosmtpd.controller import Controller

    server = SMTPServer(host="127.0.0.1", port=free_port())
    controller = Controller(_Collect(server), hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


# --- webhook receiver -----------------------------------------------------------------------------


@dataclass
class Receiver:
    url: str
    secret: str
    #: Every request: headers, body and whether its signature verified.
    requests: list[dict[str, Any]] = field(default_factory=list)
    #: Key -> ticket id, as a deduplicating receiver keeps it.
    tickets: dict[str, str] = field(default_factory=dict)
    #: Responses to give before behaving normally (scripted faults).
    faults: list[Response] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        timestamp = headers.get("x-triage-timestamp", "")
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, headers.get("x-triage-signature", ""))

    def handle(self, headers: dict[str, str], body: bytes) -> Response:
        with self.lock:
            verified = self.verify(headers, body)
            self.requests.append({"headers": headers, "body": body, "verified": verified})
            if self.faults:
                return self.faults.pop(0)
            if not verified:
                return Response(status=401, body={"error": "bad signature"})
            key = headers["idempotency-key"]
            ticket = self.tickets.setdefault(key, f"WH-{len(self.tickets) + 1}")
            return Response(status=201, body={"id": ticket, "url": f"{self.url}/{ticket}"})


@pytest.fixture
def webhook_receiver() -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            response = receiver.handle(headers, body)
            payload, content_type = response.encoded()
            self.send_response(response.status)
            for key, value in {"Content-Type": content_type, **response.headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/cases", secret=WEBHOOK_SECRET)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
