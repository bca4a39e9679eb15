"""Which language a post is written in: English, Portuguese or Spanish, by py3langid.

py3langid (BSD, a maintained port of langid.py: a naive Bayes model over byte n-grams that ships
inside the package, no download) restricted to the three languages the keyword lists and rules
know. Measured on short posts of the shared sets (`python bench/language.py`): 98.9% right
against 97.5% for lingua-language-detector (96 MB) and 95.4% for the stop-word counting it
replaced, which sent "Excelente entrega antes do prazo, produto bom, recomendo." to English.
Mentions, links and `#` are taken out first: they are not the post's language.

Most posts are settled before py3langid by a clear stop-word lead: when one language has at
least 3 more of its stop words than each of the others (its own accented letters count 2), that
language (measured by bench/language.py: the same accuracy, 98.9%, at less CPU time; the
pre-check costs about a sixth of py3langid's). Ties and near ties, such as "Excelente entrega
antes do prazo, produto bom, recomendo.", go to py3langid.

When the platform says the language (`Post.lang`, e.g. X's `pt`), that wins, except X's codes
for "no language" (`und`, `zxx`, and the `q..` codes such as `qme` for media-only posts).
Returns None when the text has no letters at all.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

#: The languages `detect_language` chooses among.
LANGUAGES = ("en", "pt", "es")
#: Platform codes that mean "unknown" (X: undetermined, no linguistic content, media/hashtags).
UNKNOWN_HINTS = frozenset({"und", "zxx", "qme", "qht", "qam", "qct", "qst", "art"})

_NOISE = re.compile(r"@\w+|https?://\S+|www\.\S+|#")
_WORD = re.compile(r"[a-zà-ÿ']+")
#: A stop-word lead this large settles the language without py3langid.
CLEAR_LEAD = 3


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is are was were to of in it you my your i me we our this that for on with not "
        "have has had be been but they can cant can't don't dont do does did at from an why "
        "what how when just still no yes will would should please thanks thank help get got "
        "there their here all any because so if or than"
    ),
    "pt": _words(
        "o a os as um uma de do da dos das em no na nos nas que não nao é e eu meu minha você "
        "voce vocês com para pra por mais mas já ja foi ser tem isso esse essa está esta estou "
        "ainda até ate quando porque pq muito obrigado obrigada ajuda vcs vc também tambem me "
        "seu sua ao aos pelo pela nunca agora hoje dia sem"
    ),
    "es": _words(
        "el la los las un una de del en que no es y yo mi mis tu usted con para por más mas "
        "pero ya fue ser tiene eso ese esa está esta estoy todavía hasta cuando porque muy "
        "gracias ayuda ustedes también tambien me su al nunca ahora hoy día sin hay lo le como "
        "qué cómo"
    ),
}
_MARKS = {"pt": frozenset("ãõç"), "es": frozenset("ñ¿¡")}


def _clear_stopword_lead(text: str) -> str | None:
    """The language whose stop words lead the others' by `CLEAR_LEAD`, else None."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    scores = {lang: sum(map(stop.__contains__, words)) for lang, stop in _STOPWORDS.items()}
    for lang, marks in _MARKS.items():
        if not marks.isdisjoint(lowered):
            scores[lang] += 2
    (best, top), (_, second), _ = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    return best if top >= CLEAR_LEAD and top - second >= CLEAR_LEAD else None


_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def language_from_hint(hint: str | None) -> str | None:
    """A platform's language tag as a bare code (`pt-BR` -> `pt`), None when it means unknown."""
    if not hint:
        return None
    code = hint.split("-")[0].split("_")[0].strip().lower()
    if not code or code in UNKNOWN_HINTS:
        return None
    return code


def detect_language(text: str, *, hint: str | None = None) -> str | None:
    """`en`, `pt`, `es` or None. A platform-provided `hint` (e.g. `pt-BR`) wins when known."""
    code = language_from_hint(hint)
    if code:
        return code
    cleaned = _NOISE.sub(" ", text)
    if not _LETTER.search(cleaned):
        return None
    clear = _clear_stopword_lead(cleaned)
    if clear is not None:
        return clear
    language, _ = _identifier().classify(cleaned)
    return str(language)
