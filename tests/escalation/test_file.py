"""The local JSONL sink: one line per case, never two for one key, robust to a cut-off line."""

from __future__ import annotations

import json
from pathlib import Path

from escalation.file import FileSink
from tests.escalation.helpers import CARD, make_case


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_line_is_the_webhook_body_plus_ticket(tmp_path: Path) -> None:
    path = tmp_path / "out" / "cases.jsonl"
    case = make_case()
    ticket = FileSink(name="local", path=path).send(case)
    (line,) = _lines(path)
    record = json.loads(line)
    assert record["idempotency_key"] == ticket.ticket_id == case.idempotency_key
    assert record["post"]["text"] == case.post.text
    assert record["sensitive"] == ["payment_card"]
    assert CARD not in record["subject"]
    assert record["written_at"]
    assert ticket.url == path.resolve().as_uri()


def test_repeats_are_not_written_twice_even_by_a_new_instance(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    case = make_case()
    FileSink(name="local", path=path).send(case)
    FileSink(name="local", path=path).send(case)
    assert len(_lines(path)) == 1


def test_a_line_cut_short_by_a_crash_is_skipped_and_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    sink = FileSink(name="local", path=path)
    first = make_case()
    sink.send(first)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"idempotency_key": "x:cut')  # no newline: the writer died here
    second = make_case()
    sink.send(second)
    lines = _lines(path)
    assert len(lines) == 3
    assert json.loads(lines[2])["idempotency_key"] == second.idempotency_key
    assert sink.find(first.idempotency_key) is not None
    assert sink.find("x:cut") is None


def test_keys_needing_json_escapes_are_found(tmp_path: Path) -> None:
    sink = FileSink(name="local", path=tmp_path / "cases.jsonl")
    case = make_case(key='odd:"quoted"\\key')
    sink.send(case)
    sink.send(case)
    assert len(_lines(tmp_path / "cases.jsonl")) == 1


def test_find_on_a_missing_file(tmp_path: Path) -> None:
    assert FileSink(name="local", path=tmp_path / "none.jsonl").find("k") is None
