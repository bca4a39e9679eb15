"""`social-triage models build`, and a model cache that cannot be written.

Run as subprocesses: the cache folder is read from `TRIAGE_CACHE_DIR` when the process starts,
which is the interface an operator uses. Tests run as root, for whom permissions do not stop
a write, so "cannot be written" is a file where the cache folder should be, and, where the
kernel lets us, a read-only bind mount (systemd's `ProtectSystem=strict` is one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.classifiers.test_encoder import build_tiny_bert

pytestmark = pytest.mark.filterwarnings("ignore")

CLI = "from triage.cli import main; main()"


def social_triage(
    *args: str, cache: Path, cwd: Path, wrap: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRIAGE_CACHE_DIR": str(cache)}
    command = [*(wrap or []), sys.executable, "-c", CLI, *args]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models-build")
    model = build_tiny_bert(folder / "tiny-bert")
    config = folder / "social-triage.yaml"
    config.write_text(f"classifier:\n  model: {model}\n  threads: 1\n")
    return config


def test_build_fills_the_cache_and_says_where_and_how_big(
    tiny_config: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    build = ("models", "build", "--config", str(tiny_config))
    first = social_triage(*build, cache=cache, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    [graph] = cache.glob("onnx/*/model-int8.onnx")
    lines = first.stdout.splitlines()
    assert lines[0] == f"cache: {cache} (TRIAGE_CACHE_DIR), {graph.stat().st_size / 1e6:.0f} MB"
    assert f"int8 graph: {graph} ({graph.stat().st_size / 1e6:.0f} MB)" in lines
    assert lines[-1].startswith("built in ") and "peak memory" in lines[-1]
    again = social_triage(*build, cache=cache, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "already built: nothing written"
    assert [line for line in again.stdout.splitlines() if line.startswith("int8 graph:")] == [
        f"int8 graph: {graph} ({graph.stat().st_size / 1e6:.0f} MB)"
    ]


def _is_one_line_naming_the_cache(result: subprocess.CompletedProcess[str], cache: Path) -> None:
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: TRIAGE_CACHE_DIR: the model cache {cache} cannot be")
    assert "social-triage models build" in errors[0]
    assert "Traceback" not in result.stderr


def test_a_file_where_the_cache_folder_should_be_is_one_line(
    tiny_config: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.write_text("not a folder\n")
    build = ("models", "build", "--config", str(tiny_config))
    _is_one_line_naming_the_cache(social_triage(*build, cache=cache, cwd=tmp_path), cache)
    # The daemon with the embedded default: the same line, at start, before any job runs.
    run = social_triage("run", "--once", cache=cache, cwd=tmp_path)
    _is_one_line_naming_the_cache(run, cache)


def _read_only(cache: Path) -> list[str]:
    """A prefix that runs a command with `cache` mounted read-only, or skips (loudly)."""
    unshare = shutil.which("unshare")
    probe = [unshare or "unshare", "-m", "sh", "-c", f"mount --bind -o ro {cache} {cache}"]
    if unshare is None or subprocess.run(probe, capture_output=True, check=False).returncode:
        pytest.skip("SKIPPED LOUDLY: no read-only bind mounts here (needs root and unshare -m)")
    script = f'mount --bind -o ro "{cache}" "{cache}" && exec "$@"'
    return [unshare, "-m", "sh", "-c", script, "sh"]


def test_a_read_only_cache_is_read_once_built(tiny_config: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    wrap = _read_only(cache)
    build = ("models", "build", "--config", str(tiny_config))
    empty = social_triage(*build, cache=cache, cwd=tmp_path, wrap=wrap)
    _is_one_line_naming_the_cache(empty, cache)
    assert "Read-only file system" in empty.stderr
    built = social_triage(*build, cache=cache, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    # Built: the encoder loads its graph from the read-only cache, and nothing is written.
    loaded = social_triage(*build, cache=cache, cwd=tmp_path, wrap=wrap)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines()[-1] == "already built: nothing written"
