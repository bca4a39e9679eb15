"""Plugins are found through entry points: ours, and another distribution's.

The other distribution is real to `importlib.metadata`: a `dist-info` folder with METADATA and
entry_points.txt beside its module, on `sys.path` (in-process) or on PYTHONPATH (a fresh
`social-triage` process, where the settings union is built from what is registered).
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernel import plugins
from kernel.errors import ConfigError

PLUGIN_MODULE = """
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from config.base import _Source
from kernel import plugins
from kernel.abc import Source
from kernel.models import Page, Post


class EchoSettings(_Source):
    type: Literal["echo"] = "echo"
    #: What the one post says.
    words: str = "hello"


class EchoSource(Source):
    type = "echo"

    def __init__(self, *, name: str, words: str) -> None:
        super().__init__(name=name)
        self.words = words

    @classmethod
    def from_settings(cls, settings: Any, brand: Any) -> EchoSource:
        return cls(name=settings.name, words=settings.words)

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        post = Post(source="echo", external_id="1", text=self.words, created_at=datetime.now(UTC))
        yield Page(posts=[post], cursor={"done": True})


PLUGIN = plugins.source("echo", settings=EchoSettings, implementation="echo_plugin:EchoSource")
"""


def make_distribution(folder: Path, entry_points: str) -> Path:
    (folder / "echo_plugin.py").write_text(PLUGIN_MODULE)
    info = folder / "echo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    return folder


ECHO = "[social_triage.sources]\necho = echo_plugin:PLUGIN\n"


@pytest.fixture
def other_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = make_distribution(tmp_path, ECHO)
    monkeypatch.syspath_prepend(str(folder))
    plugins.forget()
    yield folder
    monkeypatch.delitem(sys.modules, "echo_plugin", raising=False)
    plugins.forget()


def test_our_plugins_are_registered_through_our_entry_points() -> None:
    points = importlib.metadata.entry_points
    sources = {e.name for e in points(group=plugins.GROUPS["source"])}
    sinks = {e.name for e in points(group=plugins.GROUPS["sink"])}
    assert sources >= {"bluesky", "feed", "mastodon", "reddit", "replay", "x"}
    assert sinks >= {"webhook", "request_tracker", "zendesk", "email", "file"}
    assert set(plugins.registered("source")) == sources
    assert set(plugins.registered("sink")) == sinks
    assert plugins.profile_urls()["twitter"] == "https://x.com/{handle}"
    assert plugins.profile_urls()["bluesky"] == "https://bsky.app/profile/{handle}"


def test_another_distributions_source_is_found_and_built(other_distribution: Path) -> None:
    from config.base import BrandSettings
    from listener.registry import build_source

    plugin = plugins.registered("source")["echo"]
    assert plugin.kind == "source" and plugin.responder is None
    settings = plugin.settings(name="shout", words="olá")
    source = build_source(settings, BrandSettings())
    (page,) = source.poll(None)
    assert [post.text for post in page.posts] == ["olá"]


def test_the_settings_of_a_fresh_process_accept_the_new_type(
    other_distribution: Path, tmp_path: Path
) -> None:
    config = tmp_path / "social-triage.yaml"
    config.write_text("sources:\n  - name: shout\n    type: echo\n    words: oi\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(other_distribution), *sys.path])}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from triage.cli import main; main()",
            "config",
            "check",
            str(config),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "shout: echo, enabled" in done.stdout


def test_a_record_that_does_not_match_its_entry_point_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_distribution(tmp_path, "[social_triage.sources]\nshout = echo_plugin:PLUGIN\n")
    monkeypatch.syspath_prepend(str(folder))
    plugins.forget()
    try:
        with pytest.raises(ConfigError, match=r"'shout'.*echo-plugin.*not a source plugin"):
            plugins.registered("source")
    finally:
        monkeypatch.delitem(sys.modules, "echo_plugin", raising=False)
        plugins.forget()


def test_loading_the_settings_loads_no_client_library() -> None:
    """Every plugin's record and settings load with the settings; their clients must not."""
    clients = (
        *("tweepy", "praw", "prawcore", "feedparser", "requests", "sqlalchemy", "torch"),
        *("mastodon", "atproto", "atproto_client", "httpx"),
    )
    code = f"import sys, config.schema\nprint(','.join(m for m in {clients!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == ""


def test_a_record_refuses_fields_of_the_other_kind() -> None:
    from config.base import _Sink, _Source

    with pytest.raises(ConfigError, match="ticket_states is not for a source"):
        plugins.source("s", settings=_Source, implementation="m:C", ticket_states={"x": "open"})
    with pytest.raises(ConfigError, match="responder is not for a sink"):
        plugins.sink("k", settings=_Sink, implementation="m:C", responder="m:R")
