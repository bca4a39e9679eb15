"""Topic keywords in English, Portuguese and Spanish, matched accent- and case-insensitively.

`keyword_hits` finds each category's words (`CATEGORIES`, matched as `classifiers.terms`
describes). The words themselves are in `classifiers.topic_words` (one list per topic),
`classifiers.incidents` (the paired lists) and `classifiers.praise` (praise, beside what
cancels it). `praise` is special: it marks *clear* praise only, and `sarcasm` is
reported instead when the praise is about an ordeal (`classifiers.praise`). The pipeline does
not let keyword lifts override clear praise (docs/classification.md). A word that is ordinary
alone counts in a `PAIRED` list only next to a word of the other half: "pix" with "que eu não
fiz", "peanut" with "reaction", "etiqueta" with "outra cliente".
"""

from __future__ import annotations

from collections.abc import Mapping

from classifiers import incidents, topic_words
from classifiers.praise import PRAISE, PRAISE_EMOJI, praise_cancelled, sarcasm
from classifiers.terms import TermSet, fold, words_of

#: Category name -> word list. Category names are the values rules use in `keyword_category`.
CATEGORIES: Mapping[str, tuple[str, ...]] = {
    "billing": topic_words.BILLING,
    "account_access": topic_words.ACCOUNT_ACCESS,
    "health": topic_words.HEALTH,
    "legal_threat": topic_words.LEGAL_THREAT,
    "safety": topic_words.SAFETY,
    "refund": topic_words.REFUND,
    "delivery": topic_words.DELIVERY,
    "outage": topic_words.OUTAGE,
    "fraud": topic_words.FRAUD,
    "privacy_breach": topic_words.PRIVACY_BREACH,
    "account_takeover": topic_words.ACCOUNT_TAKEOVER,
    "praise": PRAISE,
}

#: Every category `keyword_hits` may report, the word lists' and `sarcasm`.
CATEGORY_NAMES = (*CATEGORIES, "sarcasm")

#: Category -> pairs of word lists, both lists of a pair found make it, in any word order and
#: whatever the verb: a health record (exames, test results) and someone who should not have it
#: (outra pessoa, another patient) is a privacy breach ("o app mostrou meus exames para outra
#: pessoa"); the other pairs are described in `classifiers.incidents`.
PAIRED: Mapping[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "privacy_breach": (
        (incidents.HEALTH_RECORD, incidents.EXPOSED),
        (incidents.PERSONAL_DATA, incidents.WRONG_HANDS),
    ),
    "safety": (
        (incidents.ALLERGEN, incidents.ALLERGY_HARM),
        (incidents.BAD_FOOD, incidents.FOOD_HARM),
        (incidents.ELECTRIC, incidents.ELECTRIC_HAZARD),
        (incidents.MEDICINE, incidents.MEDICINE_WRONG),
        (incidents.WORKER, incidents.WORKER_DANGER),
        (incidents.FILMING, incidents.UNDRESSING_PLACE),
        (incidents.VEHICLE_PART, incidents.VEHICLE_FAILURE),
    ),
    "fraud": (
        (incidents.IMPERSONATION, incidents.CREDENTIAL_ASK),
        (incidents.TRANSACTION, incidents.NOT_BY_ME),
    ),
}

#: How many characters may separate the two halves of a pair: about a sentence.
PAIR_GAP = 100

_COMPILED: dict[str, TermSet] = {name: TermSet(words) for name, words in CATEGORIES.items()}
_PAIRED = {
    name: tuple((TermSet(a), TermSet(b)) for a, b in pairs) for name, pairs in PAIRED.items()
}


def keyword_hits(text: str) -> dict[str, tuple[str, ...]]:
    """Category -> the distinct folded words or phrases found, in text order.

    Only categories with at least one hit appear, so `bool(keyword_hits(text))` says whether
    any topic word was seen.
    """
    folded = fold(text)
    words = words_of(folded)
    hits: dict[str, tuple[str, ...]] = {}
    for name, terms in _COMPILED.items():
        if not terms.may_match(folded, words):
            continue
        found = tuple(
            dict.fromkeys(" ".join(m.group(0).split()) for m in terms.pattern.finditer(folded))
        )
        if found:
            hits[name] = found
    for name, pairs in _PAIRED.items():
        for first, second in pairs:
            found = _near(first, second, folded, words)
            if found:
                hits[name] = tuple(dict.fromkeys(hits.get(name, ()) + found))
    emoji = tuple(dict.fromkeys(ch for ch in text if ch in PRAISE_EMOJI))
    if emoji:
        hits["praise"] = hits.get("praise", ()) + emoji
    ironic = sarcasm(text, folded, words)
    if ironic:
        hits["sarcasm"] = ironic
    if "praise" in hits and (ironic or praise_cancelled(folded, words)):
        del hits["praise"]
    return hits


def _near(first: TermSet, second: TermSet, folded: str, words: frozenset[str]) -> tuple[str, ...]:
    """The words of both lists that meet another's within `PAIR_GAP`, in text order.

    The two must not overlap: "my personal number" is one phrase, not a worker ("personal") and
    what they did.

    A post reports one incident in a sentence or two; a long review or complaint names a "pix"
    in one paragraph and "não fui eu" about something else three paragraphs later.
    """
    a = list(first.finditer(folded, words))
    b = list(second.finditer(folded, words)) if a else []
    near = {
        m
        for x in a
        for y in b
        if 0 <= max(x.start(), y.start()) - min(x.end(), y.end()) <= PAIR_GAP
        for m in (x, y)
    }
    return tuple(" ".join(m.group(0).split()) for m in sorted(near, key=lambda m: m.start()))
