"""The GoEmotions rows `build_heads` draws: as sentiment, or read as complaint / not."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.build_heads import goemotions_pairs


def _data(tmp_path: Path, rows: int = 40) -> Path:
    folder = tmp_path / "sentiment"
    folder.mkdir()
    labels = ["negative", "neutral", "positive"]
    lines = ["text,label,id"] + [f"comment {i},{labels[i % 3]},c{i}" for i in range(rows)]
    (folder / "goemotions_train.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_rows_are_drawn_with_a_fixed_seed_and_keep_their_sentiment(tmp_path: Path) -> None:
    data = _data(tmp_path)
    pairs, source = goemotions_pairs(data, 10)
    assert pairs == goemotions_pairs(data, 10)[0] and len(pairs) == 10
    assert source is not None and source["rows"] == 10 and source["licence"] == "Apache-2.0"
    for text, label in pairs:
        assert label == ["negative", "neutral", "positive"][int(text.split()[1]) % 3]


def test_complaint_reading_maps_negative_to_complaint(tmp_path: Path) -> None:
    pairs, source = goemotions_pairs(_data(tmp_path), 30, as_complaint=True)
    assert source is not None and "negative -> complaint" in source["labels"]
    for text, label in pairs:
        negative = int(text.split()[1]) % 3 == 0
        assert label == ("complaint" if negative else "not_complaint")


def test_missing_file_warns_and_gives_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert goemotions_pairs(tmp_path) == ([], None)
    assert "goemotions_train.csv not found" in capsys.readouterr().err
