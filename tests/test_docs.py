"""Docs stay honest: every setting is documented, every command is in the README."""

from __future__ import annotations

import types
import typing
from pathlib import Path

import click
from pydantic import BaseModel

from config.schema import Settings
from kernel.plugins import registered
from triage.cli import cli

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


def models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[type]:
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for candidate in _types(field.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                models(candidate, seen)
    return seen


def _types(annotation: object) -> list[object]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _types(args[0])
    if args or isinstance(annotation, types.UnionType):
        return [t for arg in args for t in _types(arg)]
    return [annotation]


def documented_models() -> set[type]:
    """The schema's models, and every registered plugin's settings (and what they hold)."""
    found = models(Settings)
    for kind in ("source", "sink"):
        for plugin in registered(kind).values():
            models(plugin.settings, found)
    return found


def test_every_setting_is_documented() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in documented_models()
        for name, field in model.model_fields.items()
        if f"`{field.alias or name}`" not in text and f" {field.alias or name}:" not in text
    )
    assert not missing, f"settings missing from docs/: {missing}"


def test_every_command_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"social-triage {name}" not in readme]
    assert not missing, f"commands missing from README.md: {missing}"
    assert all(isinstance(c, click.Command) for c in cli.commands.values())
