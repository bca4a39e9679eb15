"""Load settings: a YAML file, then `TRIAGE_SECTION__KEY` environment overrides, then checks.

Any problem is one `ConfigError` line that names the file and the field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from config.schema import Settings
from kernel.errors import ConfigError
from kernel.plugins import registered

DEFAULT_CONFIG_NAME = "social-triage.yaml"
ENV_PREFIX = "TRIAGE_"


def find_config(path: str | Path | None) -> Path | None:
    """The file to load: `path`, else `./social-triage.yaml` if present, else none (defaults)."""
    if path is not None:
        return Path(path)
    candidate = Path.cwd() / DEFAULT_CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_settings(
    path: str | Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Settings:
    file = find_config(path)
    where = str(file) if file else "<defaults>"
    raw: Any = {}
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read the config file: {exc.strerror}") from exc
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ConfigError(f"{file}{line}: not valid YAML: {problem}") from exc
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ConfigError(f"{file}: the top level must be a mapping of settings")
    database = raw.get("database") if isinstance(raw, dict) else None
    file_url = database.get("url") if isinstance(database, dict) else None
    environ = os.environ if environ is None else environ
    raw = apply_env_overrides(raw, environ)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        variable = _override_for(exc, environ)
        if variable:  # the value came from the environment, not from the file
            where = f"{variable} (environment override)"
        raise ConfigError(f"{where}: {format_validation_error(exc)}") from exc
    base = file.parent.resolve() if file is not None else Path.cwd()
    _resolve_paths(settings, base)
    if file is not None and settings.database.url == file_url:  # not an env override
        settings.database.url = sqlite_url_relative_to(settings.database.url, base)
    return settings


def sqlite_url_relative_to(url: str, base: Path) -> str:
    """`sqlite:///x.db` in a settings file names `x.db` next to the file, like every other
    relative path there (`sqlite:////abs/x.db` and `sqlite://` in memory stay as they are)."""
    lowered = url.lower()
    if not lowered.startswith(("sqlite:///", "sqlite+pysqlite:///")):
        return url
    head, _, rest = url.partition(":///")
    path, sep, query = rest.partition("?")
    if not path or path.startswith("/") or path == ":memory:" or path.startswith("file:"):
        return url
    return f"{head}:///{(base / path).as_posix()}{sep}{query}"


def apply_env_overrides(raw: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """`TRIAGE_DATABASE__URL=...` sets `database.url`; values are parsed as YAML scalars.

    Only names with a double underscore are overrides, so secret variables such as
    `TRIAGE_WEBHOOK_SECRET` are never mistaken for settings.
    """
    result = dict(raw)
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        keys = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        node = result
        for key in keys[:-1]:
            child = node.get(key)
            child = dict(child) if isinstance(child, dict) else {}
            node[key] = child
            node = child
        try:
            node[keys[-1]] = yaml.safe_load(value)
        except yaml.YAMLError:
            node[keys[-1]] = value
    return result


def _override_for(exc: ValidationError, environ: Mapping[str, str]) -> str | None:
    """The `TRIAGE_A__B` variable that set the field of the first error (or a parent of it)."""
    loc = [str(part).lower() for part in exc.errors()[0]["loc"] if part not in _UNION_TAGS]
    for name in environ:
        if name.startswith(ENV_PREFIX) and "__" in name:
            keys = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
            if loc[: len(keys)] == keys:
                return name
    return None


#: Discriminator values pydantic puts in error paths of tagged unions; not part of the path.
_UNION_TAGS = frozenset((*registered("source"), *registered("sink")))


def format_validation_error(exc: ValidationError) -> str:
    """The first error as `path.to.field: what is wrong` (+ how many more)."""
    errors = exc.errors()
    first = errors[0]
    loc = [str(part) for part in first["loc"] if part not in _UNION_TAGS]
    field = ".".join(loc) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{field}: {message}{more}"


def _resolve_paths(model: BaseModel, base: Path) -> None:
    """Relative paths in the file are relative to the file, not to the working directory."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Path) and not value.is_absolute():
            object.__setattr__(model, name, base / value)
        elif isinstance(value, BaseModel):
            _resolve_paths(value, base)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _resolve_paths(item, base)
