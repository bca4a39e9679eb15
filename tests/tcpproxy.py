"""A TCP proxy on loopback that can stop forwarding: the database fault injector.

`blackhole()` keeps every connection open and accepts new ones, but relays nothing either way,
as a dead NAT entry or a wedged network path does: the client's kernel still sees its data
acknowledged (by the proxy's), so only an application-level limit notices. `restore()` relays
again; `refuse()` closes the listening socket (a database host that is down).
"""

from __future__ import annotations

import selectors
import socket
import threading


class TcpProxy:
    def __init__(self, upstream: tuple[str, int], *, port: int = 0) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = int(self._listener.getsockname()[1])
        self.forwarding = threading.Event()
        self.forwarding.set()
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def url(self, database_url: str) -> str:
        """`database_url` with its host and port replaced by the proxy's."""
        host, port = self.upstream
        return database_url.replace(f"{host}:{port}", f"127.0.0.1:{self.port}")

    def start(self) -> TcpProxy:
        threading.Thread(target=self._accept, daemon=True, name="tcpproxy").start()
        return self

    def blackhole(self) -> None:
        self.forwarding.clear()

    def restore(self) -> None:
        self.forwarding.set()

    def stop(self) -> None:
        self._closed.set()
        self.forwarding.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                sock.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        # Connect upstream only once forwarding: a wedged path never reaches the server.
        while not self.forwarding.wait(0.05):
            if self._closed.is_set():
                client.close()
                return
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        with self._lock:
            self._sockets += [client, server]
        peer = {client: server, server: client}
        with selectors.DefaultSelector() as sel:
            sel.register(client, selectors.EVENT_READ)
            sel.register(server, selectors.EVENT_READ)
            while not self._closed.is_set():
                if not self.forwarding.is_set():
                    self.forwarding.wait(0.05)  # hold the data in the kernels' buffers
                    continue
                for key, _ in sel.select(0.05):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        data = sock.recv(65536)
                        if not data:
                            raise OSError("closed")
                        peer[sock].sendall(data)
                    except OSError:
                        client.close()
                        server.close()
                        return
