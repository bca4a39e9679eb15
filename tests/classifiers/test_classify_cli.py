"""`social-triage classify` JSON-lines contract and `social-triage eval` output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)
from tests.classifiers.test_pipeline import tiny_heads  # noqa: F401 (fixture)
from triage.cli.classify_cmds import classify, commands, evaluate

KEYS: dict[str, type | tuple[type, ...]] = {
    "row": int,
    "summary": str,  # the one plain sentence (docs/learning.md, issue 17)
    "route": str,
    "needs_review": bool,
    "confidence": float,
    "rule": str,
    "sentiment": str,
    "sentiment_score": float,
    "complaint": float,
    "private_score": float,
    "intents": dict,
    "sensitive": list,
    "language": (str, type(None)),
}


@pytest.fixture
def config(tiny_model: Path, tiny_heads: Path, tmp_path: Path) -> Path:  # noqa: F811
    path = tmp_path / "social-triage.yaml"
    path.write_text(
        f"classifier:\n  model: {tiny_model}\n  heads_dir: {tiny_heads}\n  threads: 1\n",
        encoding="utf-8",
    )
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_one_json_line_per_row_in_order(config: Path, tmp_path: Path) -> None:
    rows = [
        "love the new app",
        "my card 4111 1111 1111 1111 was charged twice",
        "",
        "a",
        "não consigo entrar na minha conta",
    ]
    csv_file = write(
        tmp_path / "posts.csv",
        "id,body,extra\n" + "".join(f'c{i},"{t}",x\n' for i, t in enumerate(rows)),
    )
    result = CliRunner().invoke(
        classify, [str(csv_file), "--text-column", "body", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["row"] for line in lines] == list(range(len(rows)))
    assert [line["id"] for line in lines] == [f"c{i}" for i in range(len(rows))]  # the file's own
    for line in lines:
        assert set(line) == set(KEYS) | {"id"}
        for key, kind in KEYS.items():
            assert isinstance(line[key], kind), key
        assert line["route"] in {"public_reply", "private_dm", "helpdesk", "ignore"}
        assert 0.0 <= line["confidence"] <= 1.0
        assert line["sentiment"] in {"negative", "neutral", "positive"}
    assert lines[1]["sensitive"] == ["payment_card"] and lines[1]["route"] == "helpdesk"
    assert lines[4]["language"] == "pt"


def test_missing_column_unreadable_file_and_bad_config_exit_2(config: Path, tmp_path: Path) -> None:
    csv_file = write(tmp_path / "posts.csv", "body\nhello\n")
    runner = CliRunner()
    result = runner.invoke(classify, [str(csv_file), "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {csv_file}: no column 'text' (columns: body)"
    result = runner.invoke(classify, [str(tmp_path / "missing.csv"), "--config", str(config)])
    assert result.exit_code == 2 and "cannot read" in result.stderr
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"text\n\xff\xfe\x00bad\n")
    result = runner.invoke(classify, [str(binary), "--config", str(config)])
    assert result.exit_code == 2 and "not UTF-8" in result.stderr
    bad = write(tmp_path / "bad.yaml", "classifier:\n  threads: 0\n")
    result = runner.invoke(classify, [str(csv_file), "--config", str(bad)])
    assert result.exit_code == 2 and "classifier.threads" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_eval_prints_metrics_per_class_and_brand(config: Path, tmp_path: Path) -> None:
    csv_file = write(
        tmp_path / "route.csv",
        "text,label,brand\n"
        "you charged my card twice,private_dm,a\n"
        "my account login never works,private_dm,b\n"
        "love the new app,public_reply,a\n"
        "where is my order,public_reply,b\n",
    )
    result = CliRunner().invoke(
        evaluate, [str(csv_file), "--task", "route", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    for needle in (
        "accuracy",
        "macro-F1",
        "macro-recall",
        "ROC-AUC",
        "private_dm",
        "public_reply",
        "confusion",
        "== all",
        "== brand=a",
        "== brand=b",
    ):
        assert needle in out, needle
    result = CliRunner().invoke(
        evaluate, [str(csv_file), "--task", "route", "--json", "--config", str(config)]
    )
    data = json.loads(result.stdout)
    assert set(data["reports"]) == {"all", "brand=a", "brand=b"}
    assert data["reports"]["all"]["confusion"]["labels"] == ["private_dm", "public_reply"]


def test_eval_sentiment_and_bad_labels(config: Path, tmp_path: Path) -> None:
    good = write(tmp_path / "s.csv", "text,label\nlove it,positive\nworst,negative\nok,neutral\n")
    result = CliRunner().invoke(
        evaluate, [str(good), "--task", "sentiment", "--config", str(config)]
    )
    assert result.exit_code == 0 and "macro-recall" in result.stdout
    bad = write(tmp_path / "b.csv", "text,label\nlove it,happy\n")
    result = CliRunner().invoke(
        evaluate, [str(bad), "--task", "sentiment", "--config", str(config)]
    )
    assert result.exit_code == 2 and "unknown label 'happy'" in result.stderr


def test_every_command_has_help() -> None:
    for command in commands:
        assert command.help
        assert CliRunner().invoke(command, ["--help"]).exit_code == 0
