"""A real HTTP server on loopback that plays scripted responses: the transport-level double.

Tests queue responses per (method, path); the real client (tweepy, praw, requests, feedparser)
talks HTTP to it, and every request is recorded for assertions. Unscripted requests get 404.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api-samples"


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), "text/plain; charset=utf-8"
        if self.body is None:
            return b"", "text/plain"
        return json.dumps(self.body).encode("utf-8"), "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


def sample(relative: str) -> dict[str, Any]:
    """A recorded envelope from ../shared/api-samples (see its README)."""
    data: dict[str, Any] = json.loads((SAMPLES / relative).read_text(encoding="utf-8"))
    return data


def sample_response(relative: str, **overrides: Any) -> Response:
    """A `Response` with the recorded status, headers and body of a sample envelope."""
    envelope = sample(relative)
    headers = {
        k: v
        for k, v in (envelope.get("headers") or {}).items()
        if k.lower() not in {"content-length", "content-encoding", "transfer-encoding"}
    }
    response = Response(status=envelope["status"], body=envelope["body"], headers=headers)
    for key, value in overrides.items():
        setattr(response, key, value)
    return response


class FakeAPI:
    """Scripted responses by (METHOD, path); the last one for a route repeats when `sticky`."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], deque[Response]] = defaultdict(deque)
        self.sticky: dict[tuple[str, str], Response] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, method: str, path: str, response: Response, *, sticky: bool = False) -> None:
        with self._lock:
            if sticky:
                self.sticky[(method.upper(), path)] = response
            else:
                self.routes[(method.upper(), path)].append(response)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> FakeAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, method: str, path: str) -> Response:
        with self._lock:
            queue = self.routes.get((method, path))
            if queue:
                return queue.popleft()
            if (method, path) in self.sticky:
                return self.sticky[(method, path)]
        return Response(status=404, body={"error": f"unscripted {method} {path}"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with api._lock:
                    api.requests.append(request)
                response = api._next(self.command, parts.path)
                payload, content_type = response.encoded()
                self.send_response(response.status)
                headers = {"Content-Type": content_type, **response.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                if self.close_connection:  # the client asked for it; say so, as servers do
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
