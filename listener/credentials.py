"""A source's secrets, read the one way every source and responder reads them: the setting
`<key>_env` names an environment variable, `<key>_file` a file (which wins), and an error
names the setting as `sources[<name>].<key>`, never the value.
"""

from __future__ import annotations

from config.base import _Source
from config.secrets import resolve_secret


def source_secret(settings: _Source, key: str, *, note: str = "") -> str:
    """The secret `settings.<key>_env` / `<key>_file` name; `note` is added to the setting's
    name in errors (e.g. which reply auth needs it)."""
    return resolve_secret(
        env=getattr(settings, f"{key}_env"),
        file=getattr(settings, f"{key}_file"),
        setting=f"sources[{settings.name}].{key}{f' ({note})' if note else ''}",
    )
