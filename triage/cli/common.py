"""What every command shares: `--config`, loading settings, opening the store, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from config import Settings, load_settings
from kernel.errors import ConfigError, DatabaseUnavailable, InputError, TriageError
from kernel.scrub import register_from_settings
from triage.logs import configure_logging

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    """`--config FILE`; without it `./social-triage.yaml` if present, else the defaults."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Settings file (YAML). Default: ./social-triage.yaml if present, else built-in.",
    )(func)


def require_database(settings: Settings) -> None:
    """A command that reads stored data refuses a SQLite file that does not exist, instead of
    creating an empty one in whatever folder it was run from."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database.url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    if not path.is_file():
        raise InputError(
            f"no database at {path} (database.url {settings.database.url}): run this in the "
            "folder where `social-triage run` ran, or pass --config"
        )


def settings_from(config_path: str | None, *, logs: bool = True) -> Settings:
    settings = load_settings(config_path)
    register_from_settings(settings)
    if logs:
        configure_logging(settings.logging)
    return settings


#: sysexits.h EX_TEMPFAIL: a dependency is down; trying again later may work.
EXIT_TEMPFAIL = 75


class TriageGroup(click.Group):
    """Turns our errors into one line on stderr and an exit code: 2 for bad input or config,
    75 when the database cannot be reached (a service manager restarts on it)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DatabaseUnavailable as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_TEMPFAIL)
        except (ConfigError, InputError) as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except TriageError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


def echo_json(data: Any) -> None:
    """Pretty JSON on stdout, for `--json` outputs."""
    import json

    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))
