"""Settings of the webhook sink.

Secrets are named, never written: by environment variable (`*_env`) or file (`*_file`); the
file wins when both are given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from config.base import _Sink


class WebhookSinkSettings(_Sink):
    type: Literal["webhook"] = "webhook"
    url: str
    #: The HMAC-SHA256 signing secret; receivers verify `X-Triage-Signature` with it.
    secret_env: str | None = "TRIAGE_WEBHOOK_SECRET"
    secret_file: Path | None = None
