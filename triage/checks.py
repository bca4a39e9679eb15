"""Checks beyond the schema, for `config check` and the daemon's start: URLs and the rules file.

Errors are `ConfigError` (one line naming the setting); warnings are returned as lines.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from config.schema import Settings
from kernel.errors import ConfigError
from kernel.scrub import scrub_url

#: Settings that hold a URL the daemon connects to.
_URL_FIELDS = ("url", "base_url", "auth_url")


def check_settings(settings: Settings, *, rules: bool = True) -> list[str]:
    """Raise `ConfigError` for the first bad URL or rules file; return warnings."""
    warnings: list[str] = []
    for kind, items in (("sinks", settings.sinks), ("sources", settings.sources)):
        for item in items:
            for name in _URL_FIELDS:
                value = getattr(item, name, None)
                if isinstance(value, str) and value:
                    warning = check_url(value, f"{kind}[{item.name}].{name}")
                    if warning:
                        warnings.append(warning)
    if rules and settings.rules is not None:
        from classifiers.rules import RuleSet

        RuleSet.load(settings.rules)  # raises ConfigError naming the file and the rule
    return warnings


def check_url(url: str, setting: str) -> str | None:
    """http or https with a host; a warning when plain http leaves the machine."""
    parts = urlsplit(url)
    shown = scrub_url(url)
    if parts.scheme not in {"http", "https"}:
        raise ConfigError(f"{setting}: {shown!r} is not an http or https URL")
    if not parts.hostname:
        raise ConfigError(f"{setting}: {shown!r} has no host")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return f"{setting}: plain http to {parts.hostname}: secrets and posts travel unencrypted"
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
