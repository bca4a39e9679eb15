from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from triage.cli import cli


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("path", all_commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help, f"{' '.join(path)} has no help text"


def test_run_once_on_the_embedded_default_then_stats(in_tmp: Path) -> None:
    assert invoke("run", "--once").exit_code == 0
    assert (in_tmp / "social-triage.db").is_file()
    stats = json.loads(invoke("stats", "--json").output)
    assert stats["posts"] >= 80
    assert set(stats["by_source"]) >= {"x", "reddit", "forum"}
    assert sum(stats["by_source"].values()) == stats["posts"]


def test_poll_once_twice_stores_each_post_once(in_tmp: Path) -> None:
    first = invoke("poll-once")
    assert first.exit_code == 0 and "sample: ok" in first.output
    posts = json.loads(invoke("stats", "--json").output)["posts"]
    second = invoke("poll-once", "--source", "sample")
    assert "new=0" in second.output
    assert json.loads(invoke("stats", "--json").output)["posts"] == posts


def test_sources_shows_health_cursor_and_counts(in_tmp: Path) -> None:
    assert "never polled" in invoke("sources").output
    invoke("poll-once")
    out = invoke("sources").output
    assert "sample (replay, every 60s): healthy" in out and "cursor:" in out
    [row] = json.loads(invoke("sources", "--json").output)
    assert row["healthy"] is True and row["posts"] > 0 and row["cursor"]["line"] > 0


def test_config_check_masks_secrets(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_X_BEARER_TOKEN", "super-secret-token")
    cfg = in_tmp / "c.yaml"
    cfg.write_text(
        "database: {url: 'postgresql+psycopg://app:hunter2@127.0.0.1/test'}\n"
        "sources:\n  - {name: brand-x, type: x, queries: [acme], interval_seconds: 120}\n"
    )
    monkeypatch.setenv("TRIAGE_WEBHOOK_SECRET", "whsec-123")
    cfg.write_text(
        cfg.read_text()
        + "sinks:\n  - {name: hook, type: webhook, url: 'https://hooks.example/c'}\n"
    )
    result = invoke("config", "check", str(cfg))
    assert result.exit_code == 0
    assert "hook: webhook (default)" in result.output
    assert "secret: env TRIAGE_WEBHOOK_SECRET (set)" in result.output
    assert "whsec-123" not in result.output
    assert "brand-x: x, enabled, every 120s" in result.output
    assert "env TRIAGE_X_BEARER_TOKEN (set)" in result.output
    assert "super-secret-token" not in result.output and "hunter2" not in result.output
    assert "access_token_secret: env TRIAGE_X_ACCESS_TOKEN_SECRET" in result.output
    assert "replies: dry run (nothing is sent)" in result.output
    assert "suggestions: templates shipped, knowledge base none" in result.output


def test_invalid_config_exits_2_with_one_line(in_tmp: Path) -> None:
    cfg = in_tmp / "bad.yaml"
    cfg.write_text("sources: [{name: a, type: replay, interval_seconds: -1}]\n")
    for args in (("config", "check", str(cfg)), ("run", "--once", "--config", str(cfg))):
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 2
        assert result.output.strip() == (
            f"error: {cfg}: sources.0.interval_seconds: Input should be greater than 0"
        )


def test_unknown_source_is_a_usage_error(in_tmp: Path) -> None:
    result = CliRunner().invoke(cli, ["poll-once", "--source", "nope"])
    assert result.exit_code == 2 and "no source named 'nope'" in result.output


def test_migrate(in_tmp: Path) -> None:
    result = invoke("migrate")
    assert result.exit_code == 0 and "up to date" in result.output


def test_run_refuses_to_start_on_bad_rules(in_tmp: Path) -> None:
    rules = in_tmp / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: billing\n    when: {intent: {billing: 0.5}}\n    route: helpdesk\n"
        "    sink: nowhere\n  - name: default\n    route: ignore\n"
    )
    cfg = in_tmp / "c.yaml"
    cfg.write_text(f"rules: {rules}\n")
    result = CliRunner().invoke(cli, ["run", "--once", "--config", str(cfg)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {rules}: rules[0] (name 'billing'): sink: no sink named 'nowhere' "
        "(configured: local)"
    )
    rules.write_text("rules:\n  - name: x\n    when: {mood: angry}\n    route: ignore\n")
    result = CliRunner().invoke(cli, ["run", "--once", "--config", str(cfg)])
    assert result.exit_code == 2 and result.output.startswith(f"error: {rules}: rules[0]")
    assert "mood" in result.output and result.output.count("\n") == 1
