"""The whole classification step: encoder once, every head, detectors, language, rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from classifiers.encoder import Encoder
from classifiers.heads import INTENT_LABELS, HeadSet
from classifiers.language import detect_language
from classifiers.pipeline import Classifier, signals_from_scores, signals_to_json, text_features
from classifiers.rules import RuleSet
from classifiers.train import fit_head
from config.schema import Settings
from kernel.models import Decision, Post, Route, Signals
from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)

ROWS = [
    (
        "you charged my card twice refund my money",
        "negative",
        "complaint",
        "private_dm",
        "billing|refund",
    ),
    (
        "my account login password never works",
        "negative",
        "complaint",
        "private_dm",
        "account_access",
    ),
    ("love the new app thanks", "positive", "not_complaint", "public_reply", "praise"),
    ("great help today thanks acme", "positive", "not_complaint", "public_reply", "praise"),
    ("where is my order", "neutral", "not_complaint", "public_reply", "delivery|question"),
    ("hello acme what is new today", "neutral", "not_complaint", "public_reply", "question"),
    ("free money click the link", "neutral", "not_complaint", "public_reply", "spam"),
    ("the app is down again worst", "negative", "complaint", "public_reply", "outage"),
]


@pytest.fixture(scope="session")
def tiny_heads(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """Heads for all four tasks on the tiny model's 32-dimensional embeddings."""
    folder = tmp_path_factory.mktemp("tiny-heads")
    encoder = Encoder(tiny_model, threads=1)
    x = encoder.encode([row[0] for row in ROWS] * 2)
    for column, task in enumerate(("sentiment", "complaint", "route", "intent"), start=1):
        labels = [row[column] for row in ROWS] * 2
        fit_head(task, x, labels, metadata={"trained_at": "test"}).save(folder)
    return folder


@pytest.fixture
def classifier(tiny_model: Path, tiny_heads: Path) -> Classifier:  # noqa: F811
    encoder = Encoder(tiny_model, threads=1, batch_size=3)
    heads = HeadSet.load(tiny_heads, encoder_dim=encoder.dim)
    return Classifier(encoder, heads, RuleSet.default())


def test_signals_for_every_text_in_order(classifier: Classifier) -> None:
    texts = [row[0] for row in ROWS] + ["my card is 4111 1111 1111 1111"]
    signals = classifier.signals(texts)
    assert len(signals) == len(texts)
    for s in signals:
        assert isinstance(s, Signals)
        assert s.sentiment in {"negative", "neutral", "positive"}
        assert 0.0 <= s.sentiment_score <= 1.0
        assert 0.0 <= s.complaint <= 1.0 and 0.0 <= s.private_score <= 1.0
        assert set(s.intents) == set(INTENT_LABELS)
    assert [f.kind for f in signals[-1].sensitive] == ["payment_card"]
    again = classifier.signals(texts[::-1])
    assert [s.complaint for s in again] == pytest.approx(
        [s.complaint for s in signals][::-1], abs=1e-5
    )


def test_classify_decides_with_rules_and_records_versions(classifier: Classifier) -> None:
    post = Post(
        source="x",
        external_id="1",
        text="minha conta",
        lang="pt",
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    results = classifier.classify([(None, "my card is 4111 1111 1111 1111"), (post, post.text)])
    (card_signals, card), (pt_signals, _) = results
    assert card.route == Route.HELPDESK
    assert card.model_version and "heads=" in card.model_version
    assert pt_signals.language == "pt"
    line = signals_to_json(card_signals, card)
    assert line["sensitive"] == ["payment_card"] and line["route"] == "helpdesk"


def test_text_features_while_encoding_give_the_same_signals(classifier: Classifier) -> None:
    texts = [row[0] for row in ROWS] + ["card 4111 1111 1111 1111", "a minha fatura veio errada"]
    post = Post(
        source="x", external_id="2", text=texts[0], lang="es", created_at=datetime.now(tz=UTC)
    )
    posts = [post, *[None] * (len(texts) - 1)]
    scores = classifier.heads.predict(classifier.encoder.encode(texts))
    computed = signals_from_scores(texts, scores, posts)
    given = [text_features(text, p) for text, p in zip(texts, posts, strict=True)]
    assert signals_from_scores(texts, scores, posts, given) == computed
    assert computed[0].language == "es" and computed[-1].keywords == ("billing",)
    # Another encoder call may round the last float32 bit differently (seen on fresh machines:
    # 0.34498104 vs 0.34498107): everything else must be equal, the scores up to 1e-6.
    assert_close(classifier.signals(texts, posts), computed)
    classifier.encoder.workers = 2  # batches in the background while the features are worked out
    assert_close(classifier.signals(texts, posts), computed)


def assert_close(got: list[Signals], expected: list[Signals]) -> None:
    """Equal but for the heads' float32 rounding (BLAS rounds a 12-row product differently)."""
    assert len(got) == len(expected)
    floats = ("sentiment_score", "complaint", "private_score")
    for a, b in zip(got, expected, strict=True):
        exact = {name: 0.0 for name in floats}
        assert replace(a, intents={}, sentiment_scores={}, **exact) == replace(
            b, intents={}, sentiment_scores={}, **exact
        )
        assert a.sentiment_scores == pytest.approx(b.sentiment_scores, abs=1e-6)
        assert [getattr(a, name) for name in floats] == pytest.approx(
            [getattr(b, name) for name in floats], abs=1e-6
        )
        assert a.intents == pytest.approx(b.intents, abs=1e-6)


def test_a_large_call_runs_in_overlapping_chunks_with_the_results_of_one_pass(
    classifier: Classifier,
) -> None:
    import torch

    texts = [f"{row[0]} {'again ' * (i % 7)}".strip() for i, row in enumerate(ROWS * 5)]
    texts[7] = "card 4111 1111 1111 1111 charged twice"
    items = [(None, text) for text in texts]
    embeddings = classifier.encoder.encode(texts)  # one call: every batch at once
    one_pass = signals_from_scores(texts, classifier.heads.predict(embeddings))
    sequential = classifier.classify(items)  # chunks of 4 batches of 3, one after another
    assert_close([signals for signals, _ in sequential], one_pass)
    classifier.encoder.workers = 2  # each chunk starts encoding before the one before is done
    assert classifier.classify(items) == sequential  # the same batches: the same bits
    assert classifier.signals(texts) == [signals for signals, _ in sequential]
    assert torch.get_num_threads() == classifier.encoder.threads  # back after the last chunk
    assert classifier.encoder._inflight == 0
    assert sequential[7][1].route == Route.HELPDESK


def test_heads_and_rules_run_with_blas_on_one_thread_and_the_limit_is_restored(
    classifier: Classifier,
) -> None:
    from threadpoolctl import threadpool_info

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    seen: list[set[int]] = []
    rules = classifier.rules

    class Watching:
        version = rules.version

        def decide(self, *args: Any, **kwargs: Any) -> Decision:
            seen.append(blas_threads())
            return rules.decide(*args, **kwargs)

    before = blas_threads()
    classifier.rules = Watching()
    classifier.classify([(None, row[0]) for row in ROWS])
    assert seen and all(threads == {1} for threads in seen)
    assert blas_threads() == before


def test_an_error_in_the_rules_leaves_no_encoding_behind(classifier: Classifier) -> None:
    class Failing:
        version = "failing"

        def decide(self, *args: object, **kwargs: object) -> Decision:
            raise RuntimeError("rule broke")

    classifier.encoder.workers = 2
    classifier.rules = Failing()
    with pytest.raises(RuntimeError, match="rule broke"):
        classifier.classify([(None, row[0]) for row in ROWS * 5])
    assert classifier.encoder._inflight == 0  # the chunk started early was gathered


def test_keyword_lists_lift_intent_scores(classifier: Classifier) -> None:
    (signals,) = classifier.signals(["I will sue you, my lawyer will call"])
    assert signals.intents["legal_threat"] >= 0.8
    assert "legal_threat" in signals.keywords


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("why is my bill so high this month", None, "en"),
        ("não consigo entrar na minha conta", None, "pt"),
        ("¿por qué no puedo entrar a mi cuenta?", None, "es"),
        ("12345 !!!", None, None),
        ("whatever", "pt-BR", "pt"),
        # issue 10: a tie of stop words went to English
        ("Excelente entrega antes do prazo, produto bom, recomendo.", None, "pt"),
        ("atendimento nota 10, obrigada", None, "pt"),
        ("entrega chegou muito rápido, parabéns", None, "pt"),
        ("@acme the app crashed again https://t.co/x #fail", None, "en"),
        # X's codes for "no language" are no hint at all
        ("minha conta foi bloqueada do nada", "und", "pt"),
        ("my card was cloned", "qme", "en"),
        ("😍👏 https://t.co/x", "zxx", None),
    ],
)
def test_language(text: str, hint: str | None, expected: str | None) -> None:
    assert detect_language(text, hint=hint) == expected


@pytest.mark.slow
def test_embedded_model_and_shipped_heads_end_to_end() -> None:
    classifier = Classifier.from_settings(Settings())
    results = classifier.classify(
        [
            (None, "@acme you charged me twice, card 4111 1111 1111 1111"),
            (None, "@acme thank you so much, your support team was amazing!"),
            (None, "@acme I will sue you, my lawyer is already on it"),
        ]
    )
    (card_s, card_d), (praise_s, _), (legal_s, legal_d) = results
    assert card_d.route == Route.HELPDESK and card_s.sentiment == "negative"
    assert praise_s.sentiment == "positive" and praise_s.intents["praise"] > 0.5
    assert legal_d.route == Route.HELPDESK and legal_s.intents["legal_threat"] > 0.5


def build_tiny_sentiment_model(folder: Path, tokenizer_from: Path, labels: list[str]) -> Path:
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_from))
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


def test_sequence_classification_model_replaces_the_sentiment_head(
    tiny_model: Path,  # noqa: F811
    tiny_heads: Path,
    tmp_path: Path,
) -> None:
    from classifiers.sentiment_model import SentimentModel

    folder = build_tiny_sentiment_model(
        tmp_path / "sent", tiny_model, ["positive", "negative", "neutral"]
    )
    settings = Settings.model_validate(
        {
            "classifier": {
                "model": str(tiny_model),
                "heads_dir": str(tiny_heads),
                "sentiment_model": str(folder),
                "threads": 1,
            }
        }
    )
    classifier = Classifier.from_settings(settings)
    texts = ["love the new app", "worst app never again", "a"]
    model = SentimentModel(folder, threads=1)
    assert model.columns == [1, 2, 0]
    proba = model.predict_proba(texts)
    signals = classifier.signals(texts)
    for row, s in zip(proba, signals, strict=True):
        assert s.sentiment == ("negative", "neutral", "positive")[int(row.argmax())]
        assert s.sentiment_score == pytest.approx(float(row.max()), abs=1e-5)
    assert classifier.model_version.endswith(f"sentiment={folder}")


def test_sentiment_model_with_unknown_labels_is_refused(
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    from classifiers.sentiment_model import SentimentModel
    from kernel.errors import ConfigError

    folder = build_tiny_sentiment_model(tmp_path / "s", tiny_model, ["spam", "ham"])
    with pytest.raises(ConfigError, match="need negative, neutral and positive"):
        SentimentModel(folder)
