"""Corrections made in the queue are training data: export, and `train --from-corrections`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from config.schema import Settings
from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)
from tests.classifiers.test_train import PAIRS
from tests.queue.seed import decide, users
from triage.cli import cli
from triage.queue import QueueService
from triage.queue.users import UserStore
from triage.storage import Store, make_engine, migrate


def _corrected_db(tmp_path: Path) -> Store:
    engine = make_engine(f"sqlite:///{tmp_path}/social-triage.db")
    migrate(engine)
    store = Store(engine)
    users(store)
    service = QueueService(Settings(), store)
    ana = UserStore(engine).get("ana")
    assert ana is not None
    for i, (text, label) in enumerate(PAIRS[:8]):
        post = decide(store, external_id=str(i), text=text)
        service.correct(post, ana, "complaint", "not_complaint")  # first thought...
        service.correct(post, ana, "complaint", label)  # ...the newest label wins
    card = decide(store, external_id="card", text="cartão 4111 1111 1111 1111 clonado")
    service.correct(card, ana, "route", "helpdesk")
    return store


def test_export_writes_the_newest_label_per_post_and_task(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    _corrected_db(tmp_path)
    result = CliRunner().invoke(cli, ["corrections", "export", "out.csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert len(rows) == 9
    complaint = [r for r in rows if r["task"] == "complaint"]
    assert [r["label"] for r in complaint] == [label for _, label in PAIRS[:8]]
    route = next(r for r in rows if r["task"] == "route")
    assert route["label"] == "helpdesk" and "4111 1111 1111 1111" not in route["text"]
    assert route["author"] == "ana"


def test_train_from_corrections_alone_and_with_csv(
    tmp_path: Path,
    tiny_model: Path,  # noqa: F811
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.chdir(tmp_path)
    _corrected_db(tmp_path)
    config = tmp_path / "social-triage.yaml"
    config.write_text(f"classifier:\n  model: {tiny_model}\n  threads: 1\n")
    out = tmp_path / "heads"
    args = ["train", "--task", "complaint", "--from-corrections", "--out", str(out), "--folds", "2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "complaint.json").read_text())
    assert meta["training_data"] == [{"file": "corrections (database)", "rows": 8}]
    extra = tmp_path / "more.csv"
    extra.write_text("text,label\n" + "".join(f'"{t}",{lab}\n' for t, lab in PAIRS), "utf-8")
    result = CliRunner().invoke(cli, [*args, str(extra)])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "complaint.json").read_text())
    assert meta["rows"] == 8 + len(PAIRS)
    nothing = CliRunner().invoke(
        cli, ["train", "--task", "sentiment", "--from-corrections", "--out", str(out)]
    )
    assert nothing.exit_code == 2 and "no stored corrections for task sentiment" in nothing.output
    neither = CliRunner().invoke(cli, ["train", "--task", "complaint"])
    assert neither.exit_code == 2
