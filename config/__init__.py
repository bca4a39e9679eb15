"""Settings: the pydantic schema, loading from YAML plus environment, and secrets."""

from config.loader import find_config, load_settings
from config.schema import Settings

__all__ = ["Settings", "find_config", "load_settings"]
