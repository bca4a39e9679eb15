"""Lexicon features (VADER / SentiLex-PT) and the heads that read them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifiers import lexicon
from classifiers.heads import TASKS, Head, HeadSet, shipped_heads_dir
from classifiers.lexicon import features_for, lexicon_features, portuguese_scores, sentilex
from classifiers.train import fit_head, head_scores
from config.schema import Settings
from kernel.errors import ConfigError


def compound(text: str) -> float:
    return portuguese_scores(text)[0]


def test_portuguese_polarity_negation_and_its_reach() -> None:
    assert compound("o produto é bom") > 0
    assert compound("o produto não é bom") < 0  # "não" flips the next words
    assert compound("nunca foi ruim") > 0 > compound("foi ruim")
    assert compound("nunca vi coisa tão ruim") < 0  # the fourth word: out of reach
    # a punctuation mark ends the negation's reach: "ótimo" stays positive
    assert compound("não chegou no prazo, mas é ótimo") > 0
    assert compound("não é ótimo") < 0
    assert portuguese_scores("sem palavras") == (0.0, 0.0, 0.0, 1.0)  # nothing to score


def test_inflected_forms_accents_and_additions() -> None:
    table = sentilex()
    assert table["horrível"] == table["horríveis"] == -1  # adjective plural
    assert table["decepcionado"] == table["decepcionada"] == -1  # feminine
    assert table["pessimo"] == table["péssimo"] == -1  # posts drop accents
    assert table["obrigada"] == 1  # "thanks", not SentiLex's "obliged"
    assert compound("atendimento nota 10, obrigada") > 0


def test_portuguese_reads_emoji_through_vader() -> None:
    assert compound("lua blanco maravilhosa 😍👏") > compound("lua blanco maravilhosa")
    assert compound("chegou hoje 😞") < 0


def test_columns_share_their_meaning_and_sum_to_one() -> None:
    x = features_for(["I love this, thank you!", "Eu amei, perfeito!", "the worst service ever"])
    assert x.shape == (3, len(lexicon.COLUMNS))
    assert x[0, 0] > 0 and x[1, 0] > 0 and x[2, 0] < 0
    np.testing.assert_allclose(x[:, 1:].sum(axis=1), 1.0, atol=0.01)


def test_language_routes_the_lexicon() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    text = "produto péssimo, horrível"
    as_pt, as_en = lexicon_features([text, text], ["pt", "en"])
    assert as_pt[0] == pytest.approx(compound(text))
    assert as_pt[0] < -0.3
    vader = SentimentIntensityAnalyzer().polarity_scores(text)
    assert as_en[0] == pytest.approx(vader["compound"], abs=1e-6)  # VADER does not know it
    # detected when not given: the same as the Portuguese reading
    assert features_for([text])[0] == pytest.approx(as_pt)
    # Spanish and unknown languages are read by VADER
    es = lexicon_features(["great service 😀"], ["es"])[0]
    assert es[0] == pytest.approx(
        SentimentIntensityAnalyzer().polarity_scores("great service 😀")["compound"], abs=1e-6
    )


def lexicon_head(tmp_path: Path, weight: float = 2.0) -> tuple[Head, list[str]]:
    texts = ["I love it", "great, thank you", "terrible, broken", "awful service", "it came"] * 3
    labels = ["positive", "positive", "negative", "negative", "neutral"] * 3
    rng = np.random.default_rng(0)
    x = rng.normal(size=(len(texts), 8)).astype(np.float32) * 0.01  # the lexicon decides
    columns = features_for(texts) * weight
    head = fit_head(
        "sentiment",
        np.hstack([x, columns]),
        labels,
        metadata={"features": lexicon.RECIPE, "lexicon_weight": weight},
    )
    head.save(tmp_path)
    return head, texts


def test_a_head_with_lexicon_features_records_them_and_needs_the_texts(tmp_path: Path) -> None:
    lexicon_head(tmp_path)
    loaded = Head.load(tmp_path, "sentiment")
    assert loaded.input_dim == 8 and loaded.extra_dim == len(lexicon.COLUMNS)
    x = np.zeros((2, 8), dtype=np.float32)  # no signal in the embedding: the lexicon decides
    predicted, _ = head_scores(loaded, x, features_for(["I love it", "awful, broken"]))
    assert predicted == ["positive", "negative"]
    heads = HeadSet({"sentiment": loaded})
    scores = heads.predict(x, ["I love it", "awful, broken"])
    assert scores.sentiment.argmax(axis=1).tolist() == [2, 0]  # negative, neutral, positive
    assert heads.reads_lexicon
    given = heads.predict(x, lexicon_columns=features_for(["I love it", "awful, broken"]))
    np.testing.assert_allclose(given.sentiment, scores.sentiment)
    with pytest.raises(ConfigError, match="lexicon features"):
        heads.predict(x)


def test_an_unknown_feature_recipe_fails_in_one_line(tmp_path: Path) -> None:
    lexicon_head(tmp_path)
    meta_path = tmp_path / "sentiment.json"
    meta = json.loads(meta_path.read_text())
    meta["features"] = "lexicon-v9"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ConfigError, match="lexicon-v9") as info:
        Head.load(tmp_path, "sentiment")
    assert "\n" not in str(info.value) and "retrain" in str(info.value)


def test_an_old_head_without_the_recipe_loads_and_ignores_the_texts(tmp_path: Path) -> None:
    x = np.random.default_rng(1).normal(size=(12, 8)).astype(np.float32)
    fit_head("complaint", x, ["complaint", "not_complaint"] * 6).save(tmp_path)
    head = Head.load(tmp_path, "complaint")
    assert head.extra_dim == 0 and head.input_dim == 8
    texts = ["a"] * 12
    np.testing.assert_allclose(
        HeadSet({"complaint": head}).predict(x, texts).complaint, head.predict_proba(x)
    )


def test_shipped_heads_record_the_recipe() -> None:
    for task in TASKS:
        meta = json.loads((shipped_heads_dir() / f"{task}.json").read_text())
        if task in ("sentiment", "route"):
            assert meta["features"] == lexicon.RECIPE and meta["lexicon_weight"] > 0
            assert any("SentiLex-PT" in source for source in meta["lexicons"])
        else:
            assert "features" not in meta


@pytest.mark.slow
def test_shipped_heads_read_portuguese_and_english_sentiment() -> None:
    from classifiers.pipeline import Classifier

    classifier = Classifier.from_settings(Settings())
    texts = [
        "produto péssimo, chegou quebrado e ninguém resolve",
        "Excelente entrega antes do prazo, produto bom, recomendo.",
        "atendimento nota 10, obrigada",
        "worst airline ever, lost my bag again",
        "thanks so much, the crew was wonderful",
    ]
    got = [signals.sentiment for signals in classifier.signals(texts)]
    assert got == ["negative", "positive", "positive", "negative", "positive"]
