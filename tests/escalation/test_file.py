"""The local JSONL sink: one line per case, never two for one key, robust to a cut-off line."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from escalation import file as file_sink
from escalation.file import FileSink
from kernel.models import Case
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


def test_a_resend_after_a_restart_is_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    cases = [make_case() for _ in range(5)]
    before = FileSink(name="local", path=path)
    tickets = [before.send(case) for case in cases]
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"idempotency_key": "x:cut')  # the process died mid-line
    after = FileSink(name="local", path=path)  # a restart: the index is read from the file
    assert [after.send(case) for case in reversed(cases)] == list(reversed(tickets))
    keys = [json.loads(line).get("idempotency_key") for line in _lines(path)[:5]]
    assert keys == [case.idempotency_key for case in cases]
    assert len(_lines(path)) == 6


def test_lines_another_process_appended_are_seen_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    one, other = FileSink(name="local", path=path), FileSink(name="local", path=path)
    first, second = make_case(), make_case()
    one.send(first)  # `one` has read the file
    other.send(second)  # ...and `other` appends behind its back
    one.send(second)
    other.send(first)
    assert one.find(second.idempotency_key) is not None
    assert len(_lines(path)) == 2


def test_a_replaced_or_truncated_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    sink = FileSink(name="local", path=path)
    first, second = make_case(), make_case()
    sink.send(first)
    sink.send(second)
    (tmp_path / "new.jsonl").write_text(_lines(path)[1] + "\n", encoding="utf-8")
    (tmp_path / "new.jsonl").replace(path)  # rotated: only `second` is in the file now
    sink.send(second)
    assert len(_lines(path)) == 1
    sink.send(first)
    assert len(_lines(path)) == 2
    path.write_bytes(b"")  # truncated in place
    sink.send(first)
    assert len(_lines(path)) == 1


def test_a_send_reads_only_the_lines_appended_since_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cases.jsonl"
    sink, other = FileSink(name="local", path=path), FileSink(name="local", path=path)
    for _ in range(20):
        sink.send(make_case())
    parsed: list[bytes] = []
    index_line = file_sink._add_line

    def counting(tickets: dict[str, str], line: bytes) -> None:
        parsed.append(line)
        index_line(tickets, line)

    monkeypatch.setattr(file_sink, "_add_line", counting)
    for _ in range(20):
        sink.send(make_case())  # its own lines are never read back
    assert parsed == []
    other_case = make_case()
    other.send(other_case)  # `other` reads the 40 lines once
    parsed.clear()
    sink.send(other_case)
    assert len(parsed) == 1  # the one line `other` appended
    assert len(_lines(path)) == 41


def _send_all(path: str, cases: list[Case]) -> None:
    sink = FileSink(name="local", path=Path(path))
    for case in cases:
        sink.send(case)


def test_two_processes_sending_the_same_cases_write_each_once(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    shared = [make_case() for _ in range(30)]
    FileSink(name="local", path=path).send(shared[0])
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=_send_all, args=(str(path), cases))
        for cases in (shared, list(reversed(shared)))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    keys = [json.loads(line)["idempotency_key"] for line in _lines(path)]
    assert sorted(keys) == sorted(case.idempotency_key for case in shared)
