"""The one scrubber: secrets, URL credentials and card numbers out of every log line and error.

Applied by `ScrubFilter` to every log record (message, exception text and structured fields)
and by `scrub()` to every error the store keeps (`poll_runs.error`, `source_state.message`,
`cases.last_error`). It removes:

- the values of every configured secret (the environment variables named by `*_env` settings
  and the contents of `*_file` files, registered at start-up by `register_from_settings`);
- the user:password part of URLs and token-like query parameters (`token`, `access_token`,
  `key`, `api_key`, `secret`, `password`, `sig`, `signature`, ...);
- the same secrets base64- and URL-encoded, and `user:password` pairs (a sink's user or e-mail
  with its secret, Zendesk's `email/token:TOKEN`, a URL's userinfo) in clear and base64: a
  401 that echoes the Basic value without "Basic " must not carry it into a log or error;
- any base64 token that decodes to `user:password` (an unconfigured Basic credential);
- `Bearer`/`Basic` credentials in echoed headers;
- card numbers, credentials and other personal data the sensitive-data detector finds (logs
  show the masked preview): the application gives the detector's `redact` to `use_redactor`
  when it is imported (triage/__init__.py), as it registers the secrets at start-up.

Database errors are logged as one line without SQL parameters (`db_error_line`; the engines
are also created with `hide_parameters=True`), so a failed insert never carries post texts.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote

from pydantic import BaseModel

#: Secrets shorter than this are not scrubbed by value (they would mangle ordinary words).
_MIN_SECRET = 4
_lock = threading.Lock()
_secrets: tuple[str, ...] = ()
_redact: Callable[[str], str] | None = None

_USERINFO_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@?#]+@")
_QUERY_KEYS = (
    "token|access_token|refresh_token|id_token|key|api_key|apikey|secret|client_secret"
    "|password|passwd|pwd|sig|signature|auth|code"
)
_QUERY_RE = re.compile(rf"(?i)((?<![\w-])(?:{_QUERY_KEYS})=)[^&\s#\"'<>]*")
_AUTH_RE = re.compile(r"(?i)\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=\-%]{8,}")
#: A base64 token long enough to hold `user:password` (std or URL-safe alphabet, padded or not).
_BASE64_RE = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{12,}={0,2}(?![A-Za-z0-9+/_=-])")
#: What a decoded Basic credential looks like: printable, no spaces, a colon inside.
_USER_PASSWORD_RE = re.compile(r"[!-~]+:[!-~]+")
#: Fields naming who a secret belongs to: the pair `user:secret` is Basic auth's input.
_IDENTITY_FIELDS = ("user", "username", "email", "login")
MASK = "[redacted]"


def use_redactor(redact: Callable[[str], str]) -> None:
    """Mask personal data in every scrubbed text with `redact` (`classifiers.sensitive`)."""
    global _redact
    _redact = redact


def register_secrets(values: Iterable[str | None]) -> None:
    """Add secret values to scrub (longest first, so a secret containing another goes first)."""
    global _secrets
    with _lock:
        found = set(_secrets)
        for value in values:
            if value and len(value.strip()) >= _MIN_SECRET:
                found |= encoded_forms(value.strip())
        _secrets = tuple(sorted(found, key=len, reverse=True))


def encoded_forms(secret: str) -> set[str]:
    """The secret as it may be echoed: itself, base64 (standard and URL-safe, with and without
    padding) and URL-encoded."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(secret.encode("utf-8")).decode("ascii")
        forms |= {encoded, encoded.rstrip("=")}
    return {f for f in forms if len(f) >= _MIN_SECRET}


def clear_secrets() -> None:
    global _secrets
    with _lock:
        _secrets = ()


def register_from_settings(settings: BaseModel) -> None:
    """Every secret the settings name: `*_env` variables, `*_file` files, URL passwords."""
    register_secrets(secret_values(settings))


def secret_values(model: Any) -> list[str]:
    values: list[str] = []
    if isinstance(model, BaseModel):
        own: list[str] = []
        for name in type(model).model_fields:
            value = getattr(model, name)
            if name.endswith("_env") and isinstance(value, str):
                own.append(os.environ.get(value, ""))
            elif name.endswith("_file") and isinstance(value, str | Path):
                with contextlib.suppress(OSError, UnicodeDecodeError):
                    own.append(Path(value).read_text(encoding="utf-8").strip())
            elif name.endswith("url") and isinstance(value, str):
                values += _url_secrets(value)
            else:
                values += secret_values(value)
        identities = [
            v for f in _IDENTITY_FIELDS if isinstance(v := getattr(model, f, None), str) and v
        ]
        for secret in (s for s in own if s):
            values.append(secret)
            # Basic auth's input, as a helpdesk may echo it (Zendesk: `email/token:TOKEN`).
            for who in identities:
                values += [f"{who}:{secret}", f"{who}/token:{secret}"]
    elif isinstance(model, list | tuple):
        for item in model:
            values += secret_values(item)
    return [v for v in values if v]


def _url_secrets(url: str) -> list[str]:
    """The password and the token-like query values of a configured URL."""
    found = []
    for m in re.finditer(r"(?i)^[a-z][a-z0-9+.\-]*://([^/\s@:]*):([^/\s@]+)@", url):
        found += [m.group(2), f"{m.group(1)}:{m.group(2)}", f"{unquote(m.group(1))}:{m.group(2)}"]
    found += [m.group(0).split("=", 1)[1] for m in _QUERY_RE.finditer(url)]
    return [unquote(v) for v in found] + found


def scrub(text: str | None, *, sensitive: bool = True) -> str | None:
    """`text` without secrets, URL credentials and (when `sensitive`) personal data."""
    if not text:
        return text
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _USERINFO_RE.sub(r"\1***@", text)
    text = _QUERY_RE.sub(r"\1***", text)
    text = _AUTH_RE.sub(r"\1\2***", text)
    text = _BASE64_RE.sub(_basic_credential, text)
    if sensitive and _redact is not None and len(text) >= 5:
        with contextlib.suppress(Exception):  # scrubbing must never make logging fail
            text = _redact(text)
    return text


def _basic_credential(match: re.Match[str]) -> str:
    """A base64 token that decodes to `user:password` is masked; anything else is kept."""
    token = match.group(0)
    padded = token.rstrip("=") + "=" * (-len(token.rstrip("=")) % 4)
    try:
        decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        text = decoded.decode("utf-8")
    except (binascii.Error, ValueError):
        return token
    return MASK if _USER_PASSWORD_RE.fullmatch(text) else token


def scrub_url(url: str) -> str:
    """A URL for logs and `config check`: no user:password, no token-like parameters."""
    return scrub(url, sensitive=False) or ""


def db_error_line(exc: BaseException) -> str:
    """A database error as one line: the driver's message, never the SQL or its parameters."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0]
    if orig is exc and "[SQL:" in first:
        first = first.split("[SQL:")[0].strip()
    return scrub(f"{type(orig).__name__}: {first}"[:500]) or ""


class ScrubFilter(logging.Filter):
    """Scrubs each record in place before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _PLAIN or not isinstance(value, str):
                continue
            setattr(record, key, scrub(value))
        return True


#: Record attributes that never carry user data.
_PLAIN = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
