"""The real web app on a free local port (uvicorn in a thread), for browser and HTTP tests."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from config.schema import Settings
from triage.storage import Store
from triage.web.app import create_app


class Server:
    def __init__(self, store: Store, settings: Settings) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        # As `serve` runs it: forwarded headers are the app's business (`web.trusted_proxies`).
        config = uvicorn.Config(
            create_app(settings, store), log_level="warning", proxy_headers=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the web app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
