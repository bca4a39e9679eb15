"""Secrets come only from the environment or a file; this is the one place that reads them."""

from __future__ import annotations

import os
from pathlib import Path

from kernel.errors import NotConfigured


def resolve_secret(*, env: str | None, file: Path | None, setting: str) -> str:
    """The secret from `file` if given, else from the env var `env`; never logged.

    `setting` names the setting for the error, e.g. ``sources[brand-x].bearer_token``.
    """
    if file is not None:
        try:
            value = Path(file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise NotConfigured(f"{setting}: cannot read {file}: {exc.strerror}") from exc
        if not value:
            raise NotConfigured(f"{setting}: {file} is empty")
        return value
    value = os.environ.get(env or "", "").strip()
    if not value:
        raise NotConfigured(f"{setting}: not configured; set the environment variable {env}")
    return value


def describe_secret(*, env: str | None, file: Path | None) -> str:
    """Where a secret comes from and whether it is there, without showing it."""
    if file is not None:
        return f"file {file} ({'present' if Path(file).is_file() else 'MISSING'})"
    return f"env {env} ({'set' if os.environ.get(env or '') else 'NOT SET'})"
