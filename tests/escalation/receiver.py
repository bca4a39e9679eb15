"""A webhook receiver on loopback that behaves like a real helpdesk under load or failure.

It stores a case when it has finished working on it (after `delay` seconds), deduplicating on
`Idempotency-Key` as the webhook contract asks (docs/escalation.md), and answers a key it has
finished with at once. A second request that arrives while the first is still being worked on
does not know the key yet and is stored again: exactly what a client must not cause.
`statuses` are answered first, one per request, without storing (a 500, a 502 from a gateway
in front).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, *, delay: float = 0.0, statuses: list[int] | None = None) -> None:
        self.delay = delay
        self.statuses: deque[int] = deque(statuses or [])
        #: Every stored copy, by idempotency key.
        self.copies: Counter[str] = Counter()
        self.requests = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/cases"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, key: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            if self.statuses:
                return self.statuses.popleft(), {"message": "scripted failure"}
            if key in self.copies:  # a key it has finished with: answered at once
                return 200, {"ticket_id": key}
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self._lock:
            self.in_flight -= 1
            # Two requests that both arrived before either was done: two copies.
            self.copies[key] += 1
        return 200, {"ticket_id": key}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                status, body = receiver._handle(self.headers.get("Idempotency-Key") or "")
                payload = json.dumps(body).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client stopped waiting

        return Handler
