"""Fine-tuning the encoder (`train --finetune`), with the tiny locally built model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from classifiers.encoder import FINETUNE_MARKER, Encoder
from classifiers.finetune import FinetuneOptions, evaluate_finetune, finetune, finetune_model
from classifiers.heads import TASKS, HeadSet
from classifiers.pipeline import Classifier
from classifiers.train import train
from config.schema import Settings
from kernel.errors import ConfigError, InputError
from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)
from triage.cli.train_cmds import train as train_cmd

PAIRS = [
    ("you charged my card twice", "complaint"),
    ("worst app never again", "complaint"),
    ("my order is late where is it", "complaint"),
    ("the app is down again", "complaint"),
    ("nobody can login to my account", "complaint"),
    ("love the new app thanks", "not_complaint"),
    ("hello acme great today", "not_complaint"),
    ("thanks for the help", "not_complaint"),
    ("best new app", "not_complaint"),
    ("obrigado acme", "not_complaint"),
] * 2
FAST = FinetuneOptions(epochs=2, batch_size=8, learning_rate=1e-3)


@pytest.fixture(scope="module")
def tuned(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("tuned")
    encoder = Encoder(tiny_model, threads=1)
    finetune(encoder, "complaint", PAIRS, out, sources=[{"file": "x.csv"}], options=FAST, folds=0)
    return out


def test_finetune_moves_a_copy_and_leaves_the_encoder_alone(tiny_model: Path) -> None:  # noqa: F811
    encoder = Encoder(tiny_model, threads=1)
    before = encoder.encode(["you charged my card twice"])
    texts, labels = zip(*PAIRS, strict=True)
    model = finetune_model(encoder, "complaint", list(texts), list(labels), FAST)
    base = dict(encoder.model.named_parameters())
    moved = [
        name
        for name, value in model.named_parameters()
        if not np.allclose(value.detach().numpy(), base[name].detach().numpy())
    ]
    assert moved, "fine-tuning changed no weight"
    assert not model.training
    np.testing.assert_allclose(encoder.encode(["you charged my card twice"]), before, atol=1e-6)


def test_finetune_writes_encoder_marker_and_every_head_on_the_new_encoder(tuned: Path) -> None:
    marker = json.loads((tuned / "encoder" / FINETUNE_MARKER).read_text())
    assert marker["task"] == "complaint" and marker["rows"] == len(PAIRS)
    assert marker["training_data"] == [{"file": "x.csv"}] and marker["options"]["epochs"] == 2
    encoder = Encoder(tuned / "encoder", threads=1)
    for task in TASKS:
        meta = json.loads((tuned / f"{task}.json").read_text())
        assert meta["encoder_version"] == encoder.version
        assert meta["finetuned_for"] == "complaint"
    intent = json.loads((tuned / "intent.json").read_text())
    # the intent head the fine-tune did not get rows for is refitted on the shipped rows
    assert any("care_posts.csv" in source["file"] for source in intent["training_data"])
    assert "optimistic" in json.loads((tuned / "complaint.json").read_text())["metrics"]["cv"]


def test_daemon_classifier_runs_on_the_finetuned_encoder(tuned: Path) -> None:
    settings = Settings.model_validate(
        {"classifier": {"model": str(tuned / "encoder"), "heads_dir": str(tuned), "threads": 1}}
    )
    classifier = Classifier.from_settings(settings)
    ((signals, decision),) = classifier.classify([(None, "you charged my card twice, refund me")])
    assert decision.route.value in {"public_reply", "private_dm", "helpdesk", "ignore"}
    assert 0.0 <= signals.complaint <= 1.0
    assert str(tuned / "encoder") in (decision.model_version or "")


def test_heads_of_the_base_model_are_refused_for_a_finetuned_one(
    tuned: Path,
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    for task in TASKS:  # the tuned heads, but complaint's from the base model
        for suffix in (".json", ".npz"):
            (tmp_path / f"{task}{suffix}").write_bytes((tuned / f"{task}{suffix}").read_bytes())
    base = Encoder(tiny_model, threads=1)
    train("complaint", PAIRS, base).save(tmp_path)  # same width, other weights
    encoder = Encoder(tuned / "encoder", threads=1)
    assert encoder.dim == base.dim
    with pytest.raises(ConfigError, match=r"complaint head was fitted on .* not on the config"):
        HeadSet.load(tmp_path, encoder_dim=encoder.dim, encoder_version=encoder.version)
    # the same weights through another backend are the same encoder
    assert HeadSet.load(tuned, encoder_dim=encoder.dim, encoder_version=encoder.version + "+bf16")


def test_held_out_evaluation_never_scores_rows_the_encoder_saw(tiny_model: Path) -> None:  # noqa: F811
    encoder = Encoder(tiny_model, threads=1)
    texts, labels = (list(x) for x in zip(*PAIRS, strict=True))
    report = evaluate_finetune(encoder, "complaint", texts, labels, folds=2, options=FAST)
    assert report["cv"] == "fine-tune 2-fold" and report["held_out_rows"] == len(PAIRS)
    assert {"macro_f1", "macro_recall", "roc_auc"} <= set(report)
    holdout = evaluate_finetune(encoder, "complaint", texts, labels, folds=1, options=FAST)
    assert holdout["held_out_rows"] == len(PAIRS) // 5


def test_too_few_rows_is_an_input_error(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    encoder = Encoder(tiny_model, threads=1)
    with pytest.raises(InputError, match="at least 10"):
        finetune(encoder, "complaint", PAIRS[:4], tmp_path, options=FAST, folds=0)
    one_label = [(text, "complaint") for text, _ in PAIRS]
    with pytest.raises(InputError, match="at least two different labels"):
        finetune(encoder, "complaint", one_label, tmp_path, options=FAST, folds=0)
    assert not (tmp_path / "encoder").exists()  # refused before anything was written


def test_labels_too_rare_to_hold_out_are_one_line_input_errors(
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    encoder = Encoder(tiny_model, threads=1)
    rare = [(f"you broke it {i}", "complaint") for i in range(11)] + [("thanks", "not_complaint")]
    for folds in (1, 5):
        with pytest.raises(InputError, match="label 'not_complaint' has only 1 row"):
            finetune(encoder, "complaint", rare, tmp_path, options=FAST, folds=folds)
    three = [(f"post {i}", label) for i, label in enumerate(["negative"] * 4 + ["neutral"] * 3)]
    three += [("post 8", "positive"), ("post 9", "positive"), ("post 10", "positive")]
    with pytest.raises(InputError, match=r"cannot hold 20% of 10 rows out: .*number of classes"):
        finetune(encoder, "sentiment", three, tmp_path, options=FAST, folds=1)
    assert not (tmp_path / "encoder").exists()
    # 5 folds asked, 3 rows of the rarest label: 3 folds, as for a head.
    texts, labels = (list(x) for x in zip(*three, strict=True))
    report = evaluate_finetune(encoder, "sentiment", texts, labels, folds=5, options=FAST)
    assert report["cv"] == "fine-tune 3-fold" and report["held_out_rows"] == 10


def test_an_intent_finetune_without_evaluation_saves_every_head(
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    encoder = Encoder(tiny_model, threads=1)
    intents = [("my bill is wrong", "billing"), ("app down", "outage|technical_problem")] * 6
    _, heads = finetune(encoder, "intent", intents, tmp_path, options=FAST, folds=0)
    assert (
        heads["intent"]
        .metadata["metrics"]["cv"]
        .endswith("(optimistic: encoder tuned on these rows)")
    )
    assert set(heads) == set(TASKS)


def test_train_command_finetunes_and_prints_the_settings(
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    csv_file = tmp_path / "labelled.csv"
    csv_file.write_text(
        "text,label\n" + "".join(f'"{t}",{label}\n' for t, label in PAIRS), encoding="utf-8"
    )
    config = tmp_path / "cfg.yaml"
    config.write_text(f"classifier:\n  model: {tiny_model}\n  threads: 1\n")
    out = tmp_path / "tuned"
    args = ["--task", "complaint", str(csv_file), "--out", str(out), "--config", str(config)]
    result = CliRunner().invoke(train_cmd, [*args, "--finetune", "--epochs", "1"])
    assert result.exit_code == 0, result.output
    assert "held out (fine-tune 80/20 holdout)" in result.stdout
    assert f"classifier.model: {out / 'encoder'}" in result.stdout
    assert f"classifier.heads_dir: {out}" in result.stdout
    assert (out / "encoder" / FINETUNE_MARKER).is_file()
    epochs_for_a_head = CliRunner().invoke(train_cmd, [*args, "--epochs", "2"])
    assert epochs_for_a_head.exit_code == 2
    assert (
        epochs_for_a_head.stderr
        == "error: train: --epochs is for --finetune; a head has no epochs\n"
    )
    grouped = CliRunner().invoke(train_cmd, [*args, "--finetune", "--group-column", "brand"])
    assert grouped.exit_code == 2 and "--group-column is for heads only" in grouped.stderr
    again = CliRunner().invoke(train_cmd, [*args, "--finetune"])  # would replace heads in use
    assert again.exit_code == 2
    expected = f"error: train --finetune: --out must name a new or empty folder ({out})\n"
    assert again.stderr == expected
    assert (out / "encoder" / FINETUNE_MARKER).is_file()  # nothing already there was touched
