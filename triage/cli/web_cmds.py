"""`serve` (the review queue's web app) and `users` (accounts and roles)."""

from __future__ import annotations

import os

import click

from kernel.errors import InputError
from triage.cli.common import config_option, settings_from
from triage.queue.models import Role
from triage.queue.users import UserStore
from triage.storage import open_store


@click.command()
@config_option
@click.option("--host", default=None, help="Address to listen on [default: web.host, 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default: web.port, 8080].")
def serve(config_path: str | None, host: str | None, port: int | None) -> None:
    """Serve the care agents' review queue (web app) until interrupted."""
    from triage.web.app import serve as run_app

    settings = settings_from(config_path)
    store = open_store(settings)
    run_app(settings, store, host=host or settings.web.host, port=port or settings.web.port)


@click.group()
def users() -> None:
    """People who may log in to the review queue, and their roles."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@config_option
def users_add(name: str, role: str, config_path: str | None) -> None:
    """Add NAME; the password comes from TRIAGE_USER_PASSWORD or a prompt (never an argument)."""
    settings = settings_from(config_path, logs=False)
    password = os.environ.get("TRIAGE_USER_PASSWORD")
    if not password:
        if not os.isatty(0):
            raise InputError("users add: set TRIAGE_USER_PASSWORD or run in a terminal")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = open_store(settings)
    user = UserStore(store.engine).add(name, role, password)
    from triage.queue.service import QueueService

    QueueService(settings, store).audit("cli", "user_add", name=user.name, role=user.role.value)
    click.echo(f"added {user.name} ({user.role.value})")


@users.command("list")
@config_option
def users_list(config_path: str | None) -> None:
    """Every account, its role and whether it is active."""
    settings = settings_from(config_path, logs=False)
    for user in UserStore(open_store(settings).engine).all():
        click.echo(f"{user.name}\t{user.role.value}\t{'active' if user.active else 'disabled'}")


@users.command("disable")
@click.argument("name")
@config_option
def users_disable(name: str, config_path: str | None) -> None:
    """Stop NAME from logging in; their sessions end at once."""
    settings = settings_from(config_path, logs=False)
    UserStore(open_store(settings).engine).set_active(name, False)
    click.echo(f"disabled {name}")


@users.command("password")
@click.argument("name")
@config_option
def users_password(name: str, config_path: str | None) -> None:
    """Set NAME's password (TRIAGE_USER_PASSWORD or a prompt): at least 10 characters and
    hard to guess (zxcvbn); lifts a lock-out and ends every session of NAME."""
    settings = settings_from(config_path, logs=False)
    password = os.environ.get("TRIAGE_USER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    ended = UserStore(open_store(settings).engine).set_password(name, password)
    click.echo(f"password set for {name}; {ended} session(s) ended")


commands = [serve, users]
