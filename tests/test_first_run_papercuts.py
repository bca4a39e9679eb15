"""What a new user hits first (issue 19, defect 11): `run --once` when every source failed,
`config check` with a missing X bearer token, `stats` in a folder without a database, `replay`
examples when no route moves, `demo`'s queue order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kernel.models import Route
from tests.queue.seed import decide
from tests.test_classify_job import KeywordClassifier, add_posts
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.cli.demo_cmds import unanswered_first
from triage.storage import Store, make_engine, migrate
from triage.storage.answers import answered_post_ids
from triage.storage.decisions import DecisionStore


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TRIAGE_X_BEARER_TOKEN", "TRIAGE_X_ACCESS_TOKEN", "TRIAGE_X_CONSUMER_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_run_once_exits_1_when_every_source_failed(in_tmp: Path) -> None:
    cfg = in_tmp / "c.yaml"
    cfg.write_text(
        "classifier: {enabled: false}\n"
        "sources:\n"
        f"  - {{name: gone, type: replay, path: {in_tmp / 'missing.jsonl'}}}\n"
        f"  - {{name: gone-too, type: replay, path: {in_tmp / 'missing-too.jsonl'}}}\n"
    )
    code, out = run("run", "--once", "--config", str(cfg))
    assert code == 1 and "run --once: every source failed (2)" in out
    assert "gone: error" in out and "cannot read replay file" in out
    # One source that works is enough for exit 0.
    good = in_tmp / "posts.jsonl"
    good.write_text(
        json.dumps({"source": "x", "external_id": "1", "text": "hi",
                    "created_at": "2026-11-20T10:00:00Z"}) + "\n"
    )  # fmt: skip
    cfg.write_text(cfg.read_text() + f"  - {{name: fine, type: replay, path: {good}}}\n")
    code, out = run("run", "--once", "--config", str(cfg))
    assert code == 0, out
    assert "fine: ok" in out and "every source failed" not in out


def test_config_check_fails_without_the_x_bearer_token(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = in_tmp / "c.yaml"
    cfg.write_text("sources:\n  - {name: brand-x, type: x, queries: [acme]}\n")
    code, out = run("config", "check", str(cfg))
    assert code == 1
    assert f"config: {cfg}: NOT READY" in out
    assert (
        "error: sources[brand-x].bearer_token: not configured; set the environment variable "
        "TRIAGE_X_BEARER_TOKEN"
    ) in out
    # Reply credentials are not asked for while replies are dry runs.
    assert "NOT SET" in out.split("bearer_token:")[1].splitlines()[0]
    assert "access_token: env TRIAGE_X_ACCESS_TOKEN (not needed while replies are dry runs)" in out
    assert out.count("NOT SET") == 1
    monkeypatch.setenv("TRIAGE_X_BEARER_TOKEN", "tok-123456")
    code, out = run("config", "check", str(cfg))
    assert code == 0 and f"config: {cfg}: OK" in out and "NOT SET" not in out
    # A disabled source needs nothing.
    monkeypatch.delenv("TRIAGE_X_BEARER_TOKEN")
    cfg.write_text("sources:\n  - {name: brand-x, type: x, queries: [acme], enabled: false}\n")
    assert run("config", "check", str(cfg))[0] == 0
    # Replies sent for real: the reply credentials are needed and listed as missing.
    monkeypatch.setenv("TRIAGE_X_BEARER_TOKEN", "tok-123456")
    cfg.write_text(
        "replies: {dry_run: false}\nsources:\n  - {name: brand-x, type: x, queries: [acme]}\n"
    )
    code, out = run("config", "check", str(cfg))
    assert code == 1 and "error: sources[brand-x].access_token: not configured" in out


def test_stats_without_a_database_says_so_and_creates_nothing(in_tmp: Path) -> None:
    code, out = run("stats")
    assert code == 2 and "no database at social-triage.db" in out
    assert not (in_tmp / "social-triage.db").exists()
    for command in (("cases",), ("explain", "1"), ("erase", "--author", "x", "--yes")):
        code, out = run(*command)
        assert code == 2 and "no database at" in out, command
    assert not (in_tmp / "social-triage.db").exists()


def test_replay_shows_examples_when_no_route_moves(in_tmp: Path) -> None:
    engine = make_engine(f"sqlite:///{in_tmp}/social-triage.db")
    migrate(engine)
    store = Store(engine)
    add_posts(store, ["my card was charged twice", "spam spam", "wifi down"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    rules = in_tmp / "same.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: cards\n    when: {keywords_any: [card]}\n    route: helpdesk\n"
        "  - name: chatter\n    when: {keywords_any: [spam]}\n    route: ignore\n"
        "    review: true\n"
        "  - name: default\n    route: public_reply\n"
    )
    code, out = run("replay", "--rules", str(rules), "--examples", "3")
    assert code == 0, out
    assert "0 of 3 stored decisions would change route" in out
    assert "same route, another rule: 3" in out
    assert "(r-helpdesk -> cards): my card was charged twice" in out
    assert "(r-ignore -> chatter, review no -> yes): spam spam" in out
    data = json.loads(run("replay", "--rules", str(rules), "--json")[1])
    assert data["same_route"]["rule"]["count"] == 3
    assert len(data["same_route"]["rule"]["examples"]) == 3


def test_the_demo_queue_lists_unanswered_posts_first(store: Store) -> None:
    answered = decide(store, external_id="1", text="first, answered", route=Route.PRIVATE_DM)
    decide(store, external_id="r1", text="we are on it", parent_id="1", is_brand=True,
           handle="acme")  # fmt: skip
    waiting = decide(store, external_id="2", text="second, waiting", route=Route.PRIVATE_DM)
    decided = list(DecisionStore(store.engine).iter_current())
    done = answered_post_ids(store, [p.id for p, _ in decided])
    assert done == {answered}
    order = [p.id for p, _ in unanswered_first(decided, done)]
    assert order.index(waiting) < order.index(answered)
