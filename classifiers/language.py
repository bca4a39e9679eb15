"""A cheap language guess (English, Portuguese, Spanish) from stopwords and accents.

Good enough to pick keyword lists and rule conditions for short posts; when the platform says
the language (`Post.lang`), that wins. Returns None when the text gives no evidence.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zà-ÿ']+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is are was were to of in it you my your i me we our this that for on "
        "with not have has had be been but they can cant can't don't dont do does did at "
        "from an why what how when just still no yes will would should please thanks "
        "thank help get got there their here all any been because so if or than "
    ),
    "pt": _words(
        "o a os as um uma de do da dos das em no na nos nas que não nao é e eu meu minha "
        "você voce vocês com para pra por mais mas já ja foi ser tem isso esse essa está "
        "esta estou ainda até ate quando porque pq muito obrigado obrigada ajuda vcs vc "
        "também tambem me seu sua ao aos pelo pela nunca agora hoje dia sem "
    ),
    "es": _words(
        "el la los las un una de del en que no es y yo mi mis tu usted con para por más "
        "mas pero ya fue ser tiene eso ese esa está esta estoy todavía hasta cuando "
        "porque muy gracias ayuda ustedes también tambien me su al nunca ahora hoy día "
        "sin hay lo le como qué cómo "
    ),
}
#: Letters that only one of the three languages writes.
_MARKS = {"pt": frozenset("ãõç"), "es": frozenset("ñ¿¡")}


def detect_language(text: str, *, hint: str | None = None) -> str | None:
    """`en`, `pt`, `es` or None. A platform-provided `hint` (e.g. `pt-BR`) wins when known."""
    if hint:
        code = hint.split("-")[0].split("_")[0].lower()
        if code and code != "und":
            return code
    lowered = text.lower()
    words = _WORD.findall(lowered)
    if not words:
        return None
    scores = {lang: sum(map(stop.__contains__, words)) for lang, stop in _STOPWORDS.items()}
    for lang, marks in _MARKS.items():
        if not marks.isdisjoint(lowered):
            scores[lang] += 2
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] == 0:
        return None
    return best
