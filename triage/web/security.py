"""What makes hostile post content inert: safe links, visible control characters, headers.

Everything strangers write (post text, names, handles, URLs) is autoescaped by Jinja2; on top
of that, links are only ever `http(s)`, bidirectional overrides and invisible characters are
shown as visible `[U+202E]` marks, and the Content-Security-Policy allows scripts only from
this server's own files (no inline script, no inline event handlers, no eval). Images may
also be `data:` URIs: the dashboard's charts are PNGs embedded in the digest's HTML.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
#: Every page but the static files and the health check shows customer data, or could: none
#: may be kept by the browser or a proxy (Back after log-out must not show a post).
NO_STORE = (b"cache-control", b"no-store")
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
UNCACHED_EXEMPT = ("/static/", "/healthz")

#: Bidirectional controls (U+202A-202E, U+2066-2069, LRM/RLM/ALM), zero-width characters and
#: other format characters: they reorder or hide what an agent reads.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff\u00ad]")


def visible(text: str | None) -> str:
    """`text` with every invisible or reordering character replaced by a visible `[U+XXXX]`."""
    if not text:
        return ""
    out = _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
    if any(unicodedata.category(c) in ("Cf", "Co", "Cs") for c in out):
        out = "".join(
            f"[U+{ord(c):04X}]" if unicodedata.category(c) in ("Cf", "Co", "Cs") else c for c in out
        )
    return out


def mixed_script(text: str | None) -> bool:
    """True when a name mixes Latin with Cyrillic or Greek letters: a look-alike."""
    if not text:
        return False
    scripts = set()
    for c in text:
        if c.isalpha():
            name = unicodedata.name(c, "")
            scripts.add(name.split(" ")[0])
    return "LATIN" in scripts and bool(scripts & {"CYRILLIC", "GREEK"})


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL without credentials or controls, else None."""
    if not url or len(url) > 2048:
        return None
    if any(ord(c) < 33 or c in "\"'<>\\`" for c in url) or _INVISIBLE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username or parts.password:
        return None
    return url


def link_host(url: str | None) -> str:
    """The host a safe link goes to, as ASCII (punycode): a look-alike domain shows as xn--."""
    safe = safe_url(url)
    if safe is None:
        return ""
    host = urlsplit(safe).hostname or ""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host.encode("ascii", "backslashreplace").decode("ascii")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def from_trusted_proxy(scope: Scope, trusted: Collection[str]) -> bool:
    client = scope.get("client")
    return client is not None and client[0] in trusted


def client_address(scope: Scope, trusted: Collection[str]) -> str:
    """The client's address: the last `X-Forwarded-For` hop when a trusted proxy sent the
    request (the hop the proxy itself added), else the peer's address."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if from_trusted_proxy(scope, trusted):
        hops = [h.strip() for h in _header(scope, b"x-forwarded-for").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return peer


def is_https(scope: Scope, trusted: Collection[str]) -> bool:
    if scope.get("scheme") == "https":
        return True
    if from_trusted_proxy(scope, trusted):
        return _header(scope, b"x-forwarded-proto").strip().lower() == "https"
    return False


class SecurityHeaders:
    """Adds the headers above to every response (pure ASGI: also covers static files and
    errors), `Cache-Control: no-store` to every page, HSTS over https, and answers a 500 with
    those headers itself when a handler raised (the error is logged, never shown)."""

    def __init__(self, app: ASGIApp, trusted_proxies: Collection[str] = ()) -> None:
        self.app = app
        self.trusted = frozenset(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(HEADERS)
        path = scope.get("path", "")
        if not any(path.startswith(p) for p in UNCACHED_EXEMPT):
            extra.append(NO_STORE)
        if is_https(scope, self.trusted):
            extra.append(HSTS)
        names = {name for name, _ in extra}
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [h for h in message.get("headers", []) if h[0] not in names]
                message["headers"] = headers + extra
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("%s %s failed", scope.get("method"), path)
            if started:
                raise
            body = b"Something went wrong on our side; it is logged."
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
