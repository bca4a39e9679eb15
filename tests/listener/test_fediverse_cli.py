"""Bluesky and Mastodon sources in the command line like the others: `config check` lists
them with their secret masked, `poll-once` polls them through their real clients, and
`sources` shows their health and stored posts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.httpserver import FakeAPI
from tests.listener.bluesky import helpers as bluesky
from tests.listener.mastodon import helpers as mastodon
from triage.cli import cli


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def serve_bluesky(api: FakeAPI) -> tuple[dict[str, str], str, str]:
    bluesky.logged_in(api)
    api.add("GET", bluesky.GET_POSTS, bluesky.response("get_posts.json"), sticky=True)
    api.add("GET", bluesky.NOTIFICATIONS, bluesky.response("list_notifications_page1.json"))
    api.add("GET", bluesky.NOTIFICATIONS, bluesky.response("list_notifications_page2.json"))
    source = {"type": "bluesky", "handle": bluesky.BRAND, "service_url": api.url}
    return source, "TRIAGE_BLUESKY_APP_PASSWORD", bluesky.PASSWORD


def serve_mastodon(api: FakeAPI) -> tuple[dict[str, str], str, str]:
    page = [mastodon.mention(n, n * 10) for n in (5, 4, 3, 2, 1)]
    api.add("GET", mastodon.NOTIFICATIONS, mastodon.notifications_page(page, next_max_id=None))
    source = {"type": "mastodon", "instance_url": api.url}
    return source, "TRIAGE_MASTODON_TOKEN", mastodon.TOKEN


@pytest.mark.parametrize("serve", [serve_bluesky, serve_mastodon], ids=["bluesky", "mastodon"])
def test_check_poll_and_show(
    serve: Callable[[FakeAPI], tuple[dict[str, str], str, str]],
    fake_api: FakeAPI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    source, variable, secret = serve(fake_api)
    kind = source["type"]
    monkeypatch.setenv(variable, secret)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        json.dumps(
            {
                "database": {"url": f"sqlite:///{tmp_path}/t.db"},
                "sources": [{"name": f"brand-{kind}", **source}],
            }
        )
    )
    checked = invoke("config", "check", str(cfg))
    assert checked.exit_code == 0 and f"brand-{kind}: {kind}, enabled" in checked.output
    assert variable in checked.output and secret not in checked.output

    polled = invoke("poll-once", "--config", str(cfg))
    assert f"brand-{kind}: ok fetched=5 new=5" in polled.output, polled.output
    shown = invoke("sources", "--config", str(cfg))
    assert f"brand-{kind} ({kind}, every 60s): healthy;" in shown.output
    [row] = json.loads(invoke("sources", "--config", str(cfg), "--json").output)
    assert row["posts"] == 5 and row["last_status"] == "ok" and secret not in shown.output


@pytest.mark.parametrize(
    ("source", "field"),
    [
        (
            {"type": "bluesky", "handle": "acme.bsky.social", "service_url": "bsky.social"},
            "service_url",
        ),
        ({"type": "bluesky", "handle": "acme"}, "handle"),
        ({"type": "mastodon", "instance_url": "mastodon.social"}, "instance_url"),
    ],
)
def test_a_bad_address_is_one_line_naming_the_setting(
    source: dict[str, str], field: str, tmp_path: Path
) -> None:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"sources": [{"name": "s", **source}]}))
    result = CliRunner().invoke(cli, ["config", "check", str(cfg)])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert f"sources.0.{field}" in line
