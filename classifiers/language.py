"""Which language a post is written in: English, Portuguese or Spanish, by py3langid.

py3langid (BSD, a maintained port of langid.py: a naive Bayes model over byte n-grams that ships
inside the package, no download) restricted to the three languages the keyword lists and rules
know. Measured on short posts of the shared sets (`python bench/language.py`): 98.9% right
against 97.5% for lingua-language-detector (96 MB) and 95.4% for the stop-word counting it
replaced, which sent "Excelente entrega antes do prazo, produto bom, recomendo." to English.
Mentions, links and `#` are taken out first: they are not the post's language.

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
    language, _ = _identifier().classify(cleaned)
    return str(language)
