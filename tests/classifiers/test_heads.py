"""Heads: numpy storage round trip, each kind's prediction path, the shipped heads' provenance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifiers.heads import INTENT_LABELS, TASKS, Head, HeadSet, shipped_heads_dir
from classifiers.train import cross_validate, fit_head
from kernel.errors import ConfigError

RNG = np.random.default_rng(0)


def clusters(labels: list[str], dim: int = 16) -> np.ndarray:
    """Well separated unit vectors, one cluster per distinct label."""
    centres = {label: RNG.normal(size=dim) * 3 for label in sorted(set(labels))}
    x = np.array([centres[label] + RNG.normal(size=dim) * 0.3 for label in labels])
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


SENTIMENT = ["negative", "neutral", "positive"] * 10
BINARY = ["complaint", "not_complaint"] * 12
INTENTS = ["billing|question", "refund", "none", "spam"] * 8


@pytest.mark.parametrize(
    ("task", "labels"),
    [("sentiment", SENTIMENT), ("complaint", BINARY), ("intent", INTENTS)],
)
def test_fit_save_load_predict_round_trip(task: str, labels: list[str], tmp_path: Path) -> None:
    x = clusters(labels)
    head = fit_head(task, x, labels, metadata={"trained_at": "2024-01-01T00:00:00+00:00"})
    head.save(tmp_path)
    loaded = Head.load(tmp_path, task)
    assert loaded.labels == head.labels
    np.testing.assert_allclose(loaded.predict_proba(x), head.predict_proba(x), atol=1e-6)
    proba = loaded.predict_proba(x)
    if task == "sentiment":
        assert proba.shape == (len(x), 3)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        assert [loaded.labels[i] for i in proba.argmax(axis=1)] == labels
    elif task == "complaint":
        assert proba.shape == (len(x),)
        assert ((proba >= 0.5) == np.array([label == "complaint" for label in labels])).all()
    else:
        assert proba.shape == (len(x), len(INTENT_LABELS))
        billing = loaded.labels.index("billing")
        assert proba[0, billing] > 0.5 > proba[1, billing]
    meta = json.loads((tmp_path / f"{task}.json").read_text())
    assert meta["task"] == task and meta["format"] == 1


def test_route_head_scores_private_dm() -> None:
    labels = ["private_dm", "public_reply"] * 10
    head = fit_head("route", clusters(labels), labels)
    assert head.labels == ("private_dm",)
    assert head.kind == "sigmoid"


def test_mlp_head_is_two_numpy_layers(tmp_path: Path) -> None:
    x = clusters(SENTIMENT)
    head = fit_head("sentiment", x, SENTIMENT, model="mlp")
    assert len(head.weights) == 2
    head.save(tmp_path)
    assert (
        Head.load(tmp_path, "sentiment").predict_proba(x).argmax(axis=1)
        == [head.labels.index(label) for label in SENTIMENT]
    ).all()


def test_cross_validation_reports_metrics() -> None:
    report = cross_validate("complaint", clusters(BINARY), BINARY, folds=3)
    assert report["macro_f1"] > 0.9
    assert report["roc_auc"] > 0.9
    assert set(report["per_class"]) == {"complaint", "not_complaint"}


def test_headset_prefers_user_heads_and_checks_dimensions(tmp_path: Path) -> None:
    head = fit_head("complaint", clusters(BINARY), BINARY)
    head.save(tmp_path)
    heads = HeadSet.load(tmp_path)
    assert heads.heads["complaint"].input_dim == 16
    assert heads.heads["sentiment"].input_dim == 384  # shipped
    with pytest.raises(ConfigError, match="complaint head expects 16"):
        HeadSet.load(tmp_path, encoder_dim=384)


def test_corrupt_head_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "sentiment.json").write_text("{not json")
    with pytest.raises(ConfigError, match="sentiment"):
        Head.load(tmp_path, "sentiment")


def test_shipped_heads_load_predict_and_name_only_permissive_data() -> None:
    heads = HeadSet.load(None, encoder_dim=384)
    assert set(heads.heads) == set(TASKS)
    x = clusters(["a"] * 3, dim=384)
    scores = heads.predict(x, ["great, thanks", "ótimo, obrigada", "worst ever"])
    assert scores.sentiment.shape == (3, 3)
    assert scores.complaint.shape == scores.private.shape == (3,)
    assert set(scores.intents) == set(INTENT_LABELS)
    minilm = shipped_heads_dir("sentence-transformers/all-MiniLM-L6-v2@f9a6289d027b+onnx-int8-r2")
    assert minilm.name == "all-MiniLM-L6-v2"
    for folder, encoder in (
        (shipped_heads_dir(), "intfloat/multilingual-e5-small"),
        (minilm, "sentence-transformers/all-MiniLM-L6-v2"),
    ):
        _check_shipped(folder, encoder)


def _check_shipped(folder: Path, encoder: str) -> None:
    for task in TASKS:
        meta = json.loads((folder / f"{task}.json").read_text())
        assert meta["encoder"] == encoder
        assert meta["encoder_version"].startswith(encoder + "@")
        assert meta["metrics"] and meta["trained_at"] and meta["rows"] > 100
        for source in meta["training_data"]:
            # ours, banking77 (CC BY 4.0), GoEmotions (Apache-2.0): nothing non-commercial
            assert source["licence"] in {
                "Apache-2.0 (written by the project)",
                "CC BY 4.0",
                "Apache-2.0",
            }
        # fitted under the default backend (issue 10)
        assert meta["encoder_version"].endswith("+onnx-int8-r2")
