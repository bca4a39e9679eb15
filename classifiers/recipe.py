"""How each shipped head is fitted: its regularisation, its features and its rows.

One recipe serves `python -m classifiers.build_heads` (the shipped heads) and `social-triage
learn` (every candidate is this recipe on the shipped rows plus the team's labels), so a learned
head differs from the shipped one only by its data. The figures behind each choice are in
docs/MODEL_CARD.md ("Recipe") and come from bench/quality.py on the shared sets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Recipe:
    #: Inverse regularisation of the logistic regression.
    c: float
    #: Lexicon columns (classifiers/lexicon.py) appended to the embedding times this; 0: none.
    lexicon_weight: float = 0.0
    #: GoEmotions rows (training/goemotions_sentiment.csv; sentiment only), each weighing this
    #: much; 0: none.
    goemotions_weight: float = 0.0
    #: The banking77 subset mapped onto our intents (intent only).
    banking77: bool = False


RECIPES: dict[str, Recipe] = {
    "sentiment": Recipe(c=2.0, lexicon_weight=1.0, goemotions_weight=0.25),
    "complaint": Recipe(c=2.0),
    "route": Recipe(c=2.0, lexicon_weight=0.5),
    "intent": Recipe(c=8.0),
}
