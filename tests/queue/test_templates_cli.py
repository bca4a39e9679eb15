"""`social-triage templates list|export|import` (issue 18, scope 6): saved replies as a JSON
file, checked entry by entry before anything is written, audited; and `queue reply` refuses a
text with a saved reply's blank left in it, as the web app does."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from tests.queue.seed import decide
from triage.cli import cli
from triage.storage import Store
from triage.storage.tables import audit_log, replies

ENTRIES = [
    {"title": "Caso", "language": "pt_BR", "channel": "reply", "body": "Caso {case_number}."},
    {"title": "Hello", "language": "en", "channel": "dm", "body": "Hi {author_name}!"},
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_import_list_export_round_trip(here: Store, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(ENTRIES), encoding="utf-8")
    code, out = run("templates", "import", str(source), "--as", "lia")
    assert code == 0 and "2 added, 0 replaced" in out
    code, out = run("templates", "list")
    assert code == 0
    assert [line.split("\t")[1:] for line in out.splitlines()] == [
        ["en", "dm", "Hello"],
        ["pt_BR", "reply", "Caso"],
    ]
    code, out = run("templates", "export", "out.json")
    assert code == 0 and "exported 2 saved replies" in out
    exported = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert sorted(exported, key=lambda e: e["title"]) == ENTRIES
    changed = [{**ENTRIES[0], "body": "Seu caso é {case_number}."}]
    source.write_text(json.dumps(changed), encoding="utf-8")
    code, out = run("templates", "import", str(source), "--as", "root")
    assert code == 0 and "0 added, 1 replaced" in out
    with here.engine.connect() as conn:
        actors = conn.execute(
            select(audit_log.c.actor).where(audit_log.c.action == "saved_reply_import")
        ).all()
    assert [a for (a,) in actors] == ["lia", "root"]


def test_a_bad_file_changes_nothing(here: Store, tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    bad = [ENTRIES[0], {**ENTRIES[1], "body": "Hi {nome}"}]
    source.write_text(json.dumps(bad), encoding="utf-8")
    code, out = run("templates", "import", str(source), "--as", "lia")
    assert code == 2 and "entry 2: saved reply: unknown variable {nome}" in out
    source.write_text(json.dumps(ENTRIES), encoding="utf-8")
    code, out = run("templates", "import", str(source), "--as", "ana")
    assert code == 2 and "leads and admins" in out
    source.write_text("{not json", encoding="utf-8")
    code, out = run("templates", "import", str(source), "--as", "lia")
    assert code == 2 and "not a JSON file" in out
    assert run("templates", "list") == (0, "")


def test_queue_reply_refuses_a_blank_left(here: Store) -> None:
    post = decide(here, external_id="1", text="minha fatura veio errada")
    code, out = run("queue", "reply", str(post), "Seu caso é {case_number}.", "--as", "ana")
    assert code == 2 and "fill in {case_number} first" in out
    with here.engine.connect() as conn:
        assert conn.execute(select(replies.c.id)).first() is None


def test_show_fills_in_the_saved_replies_of_a_post(here: Store, tmp_path: Path) -> None:
    post = decide(here, external_id="1", text="minha fatura veio errada", name="Dani Souza")
    source = tmp_path / "in.json"
    source.write_text(json.dumps(ENTRIES), encoding="utf-8")
    run("templates", "import", str(source), "--as", "lia")
    code, out = run("templates", "show", str(post), "--as", "ana")
    assert code == 0
    lines = out.splitlines()
    # A Portuguese public-reply post: the pt_BR public reply only, its blank named.
    assert lines[0].split("\t")[1:] == ["reply", "Caso", "to fill: {case_number}"]
    assert lines[1] == "  Caso {case_number}."
    assert len(lines) == 2
    code, out = run("templates", "show", "999", "--as", "ana")
    assert code == 2 and "no decided post 999" in out
