"""Lexicon features for the heads: VADER for English (and Spanish), SentiLex-PT for Portuguese.

`lexicon_features(texts, languages)` gives four columns per text, the same meaning in every
language so that a head fitted mostly on English rows uses them on Portuguese ones too:
`compound` (-1..1), `pos`, `neg`, `neu` (shares of the words, summing to 1).

- English and anything not Portuguese: VADER (MIT, PyPI `vaderSentiment`), its own scores
  (VADER reads emoji and emoticons in any language).
- Portuguese: SentiLex-PT02 (CC BY, `classifiers/sentilex_pt02.tsv`: its single-word lemmas
  with polarity -1/+1). SentiLex lists lemmas and no lemmatiser is available, so the table holds
  each lemma with the inflected forms derived from it (gender and number of adjectives and
  nouns; infinitive, participles, gerund and the commonest persons of verbs). "não", "nunca",
  "nem", "jamais" and "sem" flip the polarity of the next `NEGATION_SPAN` words,
  up to a punctuation mark. A few customer-care words SentiLex lacks or reads otherwise are
  added (`ADDITIONS`), and every form also without its accents. The sum of the polarities,
  plus VADER's reading of the post's emoji, makes the compound as VADER normalises its own
  (x / sqrt(x^2 + 15)).

Everything is loaded once per process; scoring is a dictionary look-up per word.
The recipe name (`RECIPE`) is stored in a head's metadata (`features`): a head fitted with it
gets these columns appended (times its `lexicon_weight`) after the embedding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from classifiers.language import detect_language

#: The feature recipe a head records in its metadata; bump when the columns change meaning.
RECIPE = "lexicon-v1"
COLUMNS = ("compound", "pos", "neg", "neu")
#: What the columns are computed from (recorded in a head's metadata, see docs/MODEL_CARD.md).
LEXICONS = (
    "VADER 3.3 (Hutto & Gilbert 2014; MIT; PyPI vaderSentiment): English, and emoji",
    "SentiLex-PT02 (Silva, Carvalho & Sarmento 2012; CC BY): Portuguese, single-word lemmas "
    "in classifiers/sentilex_pt02.tsv, plus the project's ADDITIONS (Apache-2.0)",
)
NEGATORS = frozenset({"não", "nao", "nunca", "nem", "jamais", "sem", "ñ"})
NEGATION_SPAN = 3
_TOKEN = re.compile(r"[a-zà-ÿ]+(?:-[a-zà-ÿ]+)*|[.,;:!?]")


def _words(text: str) -> list[str]:
    return text.split()


#: Customer-care words SentiLex-PT lacks or reads otherwise ("obrigado" there is "obliged"):
#: the project's own additions (Apache-2.0), they win over SentiLex.
ADDITIONS = {
    **dict.fromkeys(
        _words(
            "obrigado obrigada obg valeu parabéns recomendo recomendamos amei adorei amo adoro boa "
            "bons boas top show perfeita incrível resolvido resolvida resolveram agradeço funciona "
            "funcionou"
        ),
        1,
    ),
    **dict.fromkeys(
        _words(
            "odiei odeio demora demorou demorando defeito defeituoso golpe travando travou trava "
            "fraude pior piores decepção vergonha absurdo descaso enrolação"
        ),
        -1,
    ),
}
_ACCENTS = str.maketrans("áàâãéêíóôõúüç", "aaaaeeiooouuc")
_ALPHA = 15.0  # VADER's normalisation constant


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _forms(lemma: str, pos: str) -> list[str]:
    """The lemma and the word forms derived from it (a light, regular-only inflection)."""
    forms = [lemma]
    if pos == "V" and lemma[-2:] in ("ar", "er", "ir"):
        stem, v = lemma[:-2], lemma[-2]
        participle = "ado" if v == "a" else "ido"
        gerund = {"a": "ando", "e": "endo", "i": "indo"}[v]
        present3 = "a" if v == "a" else "e"
        past3 = {"a": "ou", "e": "eu", "i": "iu"}[v]
        for ending in (
            participle,
            participle[:-1] + "a",
            participle + "s",
            participle[:-1] + "as",
            gerund,
            present3,
            present3 + "m",
            past3,
            "o",
            "ei" if v == "a" else "i",
            "aram" if v == "a" else v + "ram",
        ):
            forms.append(stem + ending)
        return forms
    if lemma.endswith("o"):
        forms += [lemma[:-1] + "a", lemma + "s", lemma[:-1] + "as"]
    elif lemma.endswith(("e", "a")):
        forms.append(lemma + "s")
    elif lemma.endswith("vel"):
        forms.append(lemma[:-3] + "veis")
    elif lemma.endswith("l"):
        forms.append(lemma[:-1] + "is")
    elif lemma.endswith("or"):
        forms += [lemma + "es", lemma + "a", lemma + "as"]
    elif lemma.endswith(("r", "z", "s")):
        forms.append(lemma + "es")
    elif lemma.endswith("m"):
        forms.append(lemma[:-1] + "ns")
    elif lemma.endswith("ão"):
        forms += [lemma[:-2] + "ões", lemma[:-2] + "ona"]
    return forms


@lru_cache(maxsize=1)
def sentilex() -> dict[str, int]:
    """Word form -> polarity (-1 or +1); a lemma's own polarity wins over a derived form's."""
    table: dict[str, int] = {}
    lemmas: dict[str, int] = {}
    text = (resources.files("classifiers") / "sentilex_pt02.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        lemma, pos, polarity = line.split("\t")
        lemmas[lemma] = int(polarity)
        for form in _forms(lemma, pos)[1:]:
            table.setdefault(form, int(polarity))
    table.update(lemmas)
    table.update(ADDITIONS)
    for form, value in list(table.items()):  # posts often drop the accents
        table.setdefault(form.translate(_ACCENTS), value)
    return table


def portuguese_scores(text: str) -> tuple[float, float, float, float]:
    """(compound, pos, neg, neu) of a Portuguese text by SentiLex-PT, negation and emoji."""
    table = sentilex()
    tokens = _TOKEN.findall(text.lower())
    total = positive = negative = 0.0
    flip_left = words = 0
    for word in tokens:
        if len(word) == 1 and not word.isalpha():  # punctuation ends a negation's reach
            flip_left = 0
            continue
        words += 1
        if word in NEGATORS:
            flip_left = NEGATION_SPAN
            continue
        polarity = table.get(word, 0)
        if flip_left:
            flip_left -= 1
            polarity = -polarity
        if polarity > 0:
            positive += 1
        elif polarity < 0:
            negative += 1
        total += polarity
    emoji = "".join(ch for ch in text if ord(ch) > 0x2000)
    if emoji:
        scores = _vader().polarity_scores(emoji)
        emoji_sum = scores["compound"] * 4  # back to VADER's raw scale, roughly
        total += emoji_sum
        positive += scores["pos"] if emoji_sum > 0 else 0.0
        negative += scores["neg"] if emoji_sum < 0 else 0.0
    compound = total / math.sqrt(total * total + _ALPHA)
    n = max(words, 1)
    pos, neg = min(positive / n, 1.0), min(negative / n, 1.0)
    return compound, pos, neg, max(0.0, 1.0 - pos - neg)


def lexicon_features(texts: Sequence[str], languages: Sequence[str | None]) -> np.ndarray:
    """Shape (len(texts), 4): `COLUMNS` per text, by SentiLex-PT when `pt`, else by VADER."""
    out = np.zeros((len(texts), len(COLUMNS)), dtype=np.float32)
    vader = None
    for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
        if language == "pt":
            out[i] = portuguese_scores(text)
            continue
        vader = vader or _vader()
        s = vader.polarity_scores(text)
        out[i] = (s["compound"], s["pos"], s["neg"], s["neu"])
    return out


def features_for(texts: Sequence[str], languages: Sequence[str | None] | None = None) -> np.ndarray:
    """`lexicon_features`, detecting each text's language when `languages` is not given."""
    if languages is None:
        languages = [detect_language(text) for text in texts]
    return lexicon_features(texts, languages)
