"""Training from (text, label) pairs and from CSV files, with the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifiers.encoder import Encoder
from classifiers.train import normalise_labels, train
from kernel.errors import InputError
from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)
from triage.cli.train_cmds import train as train_cmd

PAIRS = [
    ("you charged my card twice", "complaint"),
    ("worst app never again", "complaint"),
    ("my order is late where is it", "complaint"),
    ("the app is down again", "complaint"),
    ("love the new app thanks", "not_complaint"),
    ("hello acme great today", "not_complaint"),
    ("thanks for the help", "not_complaint"),
    ("best new app", "not_complaint"),
] * 2


def test_train_from_pairs_records_metadata(tiny_model: Path) -> None:  # noqa: F811
    encoder = Encoder(tiny_model, threads=1)
    head = train("complaint", PAIRS, encoder, sources=[{"file": "corrections", "rows": 16}])
    meta = head.metadata
    assert meta["rows"] == 16
    assert meta["encoder"] == str(tiny_model)
    assert meta["training_data"] == [{"file": "corrections", "rows": 16}]
    assert {"accuracy", "macro_f1", "macro_recall", "roc_auc"} <= set(meta["metrics"])


def test_labels_are_normalised_and_checked() -> None:
    assert normalise_labels("complaint", ["Yes", "no"]) == ["complaint", "not_complaint"]
    assert normalise_labels("intent", ["billing|question", "none"]) == ["billing|question", ""]
    with pytest.raises(InputError, match="row 1: unknown label 'angry'"):
        normalise_labels("sentiment", ["positive", "angry"])
    with pytest.raises(InputError, match="unknown intent"):
        normalise_labels("intent", ["weather"])


def test_train_command_writes_head_and_reports_cv(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    csv_file = tmp_path / "labelled.csv"
    csv_file.write_text(
        "text,label\n" + "".join(f'"{t}",{label}\n' for t, label in PAIRS), encoding="utf-8"
    )
    config = tmp_path / "cfg.yaml"
    config.write_text(f"classifier:\n  model: {tiny_model}\n  threads: 1\n")
    out = tmp_path / "heads"
    result = CliRunner().invoke(
        train_cmd,
        ["--task", "complaint", str(csv_file), "--out", str(out), "--config", str(config)],
    )
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.stdout and "confusion" in result.stdout
    meta = json.loads((out / "complaint.json").read_text())
    assert meta["training_data"][0]["rows"] == 16
    assert (out / "complaint.npz").is_file()


def test_train_command_without_destination_exits_2(tmp_path: Path) -> None:
    csv_file = tmp_path / "labelled.csv"
    csv_file.write_text("text,label\na,complaint\n", encoding="utf-8")
    config = tmp_path / "cfg.yaml"
    config.write_text("{}\n")
    result = CliRunner().invoke(
        train_cmd, ["--task", "complaint", str(csv_file), "--config", str(config)]
    )
    assert result.exit_code == 2
    assert "heads_dir" in result.stderr
