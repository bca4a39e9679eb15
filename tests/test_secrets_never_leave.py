"""Secrets never leave: the daemon's scenarios run with known secrets and sensitive values, then
every log line and every stored error and row is searched for them (none may appear).

Scenarios, in one `run --once` of the real daemon (subprocess, real model, both engines):
- X answers 401 with a body that echoes the bearer token;
- the helpdesk webhook URL carries user:password and `?token=`, and the receiver answers 500
  with a body echoing its signing secret;
- a page insert fails (the database refuses one post) while its posts carry e-mails,
  passwords and a card number.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text

from tests.httpserver import FakeAPI, Response
from triage.storage import make_engine, migrate
from triage.storage.tables import cases, decisions, poll_runs, posts, quarantine, source_state

X_TOKEN = "AAAAsecret-bearer-7c1d2e3f4a5b6c7d"
HOOK_SECRET = "whsec-9f8e7d6c5b4a-signing"
HOOK_PASSWORD = "Sink-Pa55w0rd-42"
HOOK_TOKEN = "sinktok-0a1b2c3d4e"
POST_PASSWORD = "Hunter2Secret!x"
CARD = "4111 1111 1111 1111"
EMAIL = "jane.doe@example.com"
BRAND_ID = "1487212150346592258"
RUN = ("run", "--once", "--config")


def _posts_file(path: Path) -> None:
    lines = [
        f"my card {CARD} was charged twice, write to {EMAIL}",
        f"cannot log in, my password: {POST_PASSWORD} please help {EMAIL}",
        f"REFUSE this one: password: {POST_PASSWORD} card {CARD} mail {EMAIL}",
        "the app is slow today",
    ]
    with path.open("w", encoding="utf-8") as handle:
        for i, line in enumerate(lines):
            record = {
                "source": "forum",
                "external_id": f"p{i}",
                "text": line,
                "created_at": "2026-11-20T10:00:00Z",
                "author": {"handle": f"user{i}"},
                "extra": {"echo": line},
            }
            handle.write(json.dumps(record) + "\n")


def _refuse(engine_url: str) -> None:
    engine = make_engine(engine_url)
    migrate(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text("ALTER TABLE posts ADD CONSTRAINT no_refuse CHECK (text NOT LIKE 'REFUSE%')")
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER no_refuse BEFORE INSERT ON posts WHEN NEW.text LIKE 'REFUSE%' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
    engine.dispose()


def test_no_secret_or_card_in_any_log_line_or_stored_row(
    tmp_path: Path, db_url: str, fake_api: FakeAPI
) -> None:
    echo = {"title": "Unauthorized", "detail": f"invalid bearer token {X_TOKEN}", "status": 401}
    fake_api.add(
        "GET", f"/2/users/{BRAND_ID}/mentions", Response(status=401, body=echo), sticky=True
    )
    fake_api.add(
        "POST",
        "/cases",
        Response(status=500, body=f"bad signature for secret {HOOK_SECRET} token={HOOK_TOKEN}"),
        sticky=True,
    )
    replay = tmp_path / "posts.jsonl"
    _posts_file(replay)
    _refuse(db_url)
    host = fake_api.url.split("://", 1)[1]
    settings = {
        "database": {"url": db_url},
        "logging": {"level": "DEBUG", "format": "json"},
        "sources": [
            {"name": "forum", "type": "replay", "path": str(replay)},
            {"name": "brand-x", "type": "x", "base_url": fake_api.url, "brand_user_id": BRAND_ID},
        ],
        "sinks": [
            {
                "name": "hook",
                "type": "webhook",
                "url": f"http://hook:{HOOK_PASSWORD}@{host}/cases?token={HOOK_TOKEN}",
            }
        ],
        "escalation": {"default_sink": "hook", "hold_for_review": False},
        "classifier": {"backend": "torch"},
    }
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps(settings), encoding="utf-8")
    env = {
        **os.environ,
        "TRIAGE_X_BEARER_TOKEN": X_TOKEN,
        "TRIAGE_WEBHOOK_SECRET": HOOK_SECRET,
    }
    done = subprocess.run(
        [sys.executable, "-c", "from triage.cli import main; main()", *RUN, str(cfg)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    logs = done.stdout + done.stderr
    assert done.returncode == 0, logs[-3000:]
    # The scenarios did happen.
    assert "auth_error" in logs and "retrying row by row" in logs and "quarantined" in logs
    secrets = [
        X_TOKEN,
        HOOK_SECRET,
        HOOK_PASSWORD,
        HOOK_TOKEN,
        POST_PASSWORD,
        CARD,
        "4111111111111111",
    ]
    for secret in [*secrets, EMAIL]:
        leaks = [line for line in logs.splitlines() if secret in line]
        assert not leaks, f"{secret!r} in the logs: {leaks[:3]}"

    engine = make_engine(db_url)
    with engine.connect() as conn:
        runs = conn.execute(select(poll_runs.c.source, poll_runs.c.error)).all()
        states = conn.execute(select(source_state.c.name, source_state.c.message)).all()
        case_rows = conn.execute(select(cases.c.status, cases.c.last_error)).all()
        stored = [
            json.dumps(list(map(str, row)))
            for table in (posts, decisions, quarantine, cases, poll_runs, source_state)
            for row in conn.execute(select(table)).all()
        ]
    engine.dispose()
    assert any(source == "brand-x" and error for source, error in runs)
    assert any(name == "brand-x" and message for name, message in states)
    assert case_rows and all(error for _status, error in case_rows)
    at_rest = "\n".join(stored)
    for secret in secrets:
        assert secret not in at_rest, f"{secret!r} stored in the database"
    assert "**** **** **** 1111" in at_rest  # the card is kept masked, last four digits
