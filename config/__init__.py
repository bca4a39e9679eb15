"""Settings: the pydantic schema, loading from YAML plus environment, and secrets.

This package's `__init__` imports nothing: plugins' settings models import `config.base`, and
loading `config.schema` loads every registered plugin's settings model, so an eager import here
would load the schema while a plugin is still being imported. The names below are read from
their modules at first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config.loader import find_config, load_settings
    from config.schema import Settings

__all__ = ["Settings", "find_config", "load_settings"]


def __getattr__(name: str) -> Any:
    if name in ("find_config", "load_settings"):
        from config import loader

        return getattr(loader, name)
    if name == "Settings":
        from config.schema import Settings

        return Settings
    raise AttributeError(f"module 'config' has no attribute {name!r}")
