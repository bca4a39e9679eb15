"""Matching words and phrases in English, Portuguese and Spanish, ignoring accents and case.

Matching works on a *folded* copy of the text (lower case, accents stripped, one character per
character, so offsets into the folded text are offsets into the original). Entries are whole
words or phrases; a trailing `*` allows any word ending (`reembols*` matches "reembolso" and
"reembolsar"). The word lists that use this are in `classifiers.topic_words`,
`classifiers.incidents` and `classifiers.praise`; rules that list their own words use
`words_pattern`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache


def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


#: Latin-1 and Latin Extended-A/B folded to unaccented lower case, one char for one char.
_FOLD_TABLE = {code: _fold_char(chr(code)) for code in range(0x250) if chr(code).isalpha()}
_FOLD_TABLE |= {ord("º"): "o", ord("ª"): "a", 0x2019: "'"}


def fold(text: str) -> str:
    """Lower case without accents; `len(fold(text)) == len(text)`, so spans carry over."""
    return text.translate(_FOLD_TABLE)


def compile_terms(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of `terms` as whole words in folded text (see module docstring)."""
    parts = []
    for term in sorted({fold(t.strip()) for t in terms if t.strip()}, key=len, reverse=True):
        wildcard = term.endswith("*")
        body = r"\s+".join(re.escape(word) for word in term.rstrip("*").split())
        parts.append(body + (r"\w*" if wildcard else ""))
    if not parts:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


_WORD_RUN = re.compile(r"\w+")


class TermSet:
    """`compile_terms(terms)` behind an exact pre-check on the text's words.

    Python's regex engine tries every alternative at every position of the text, which makes a
    list of a hundred terms cost tens of microseconds per post even when nothing matches. Every
    word of a term (a maximal run of `\\w` in it) must be a whole word of any text the term
    matches, the last one only as a prefix when the term ends in `*`: `(?<!\\w)` and `(?!\\w)`
    bound the match, and `\\s+` or punctuation bound the words inside it. So each term is keyed
    by its longest whole word (the rarest, roughly); a text with none of the keys, and without
    the stem of a one-word wildcard term anywhere, cannot match, and the regex is skipped.
    Otherwise the same regex runs, so the matches are exactly those of `compile_terms`.
    """

    def __init__(self, terms: Iterable[str]) -> None:
        terms = tuple(terms)
        self.pattern = compile_terms(terms)
        keys: set[str] = set()
        prefixes: set[str] = set()
        self.always = False  # a term without a word: no pre-check
        for term in {fold(t.strip()) for t in terms if t.strip()}:
            body = " ".join(term.rstrip("*").split())  # what `compile_terms` matches
            words = list(_WORD_RUN.finditer(body))
            if term.endswith("*") and words and words[-1].end() == len(body):
                # The last word may go on in the text: only a prefix of a word there.
                *words, last = words
                if not words:
                    prefixes.add(last.group(0))
                    continue
            if not words:
                self.always = True
                continue
            keys.add(max((m.group(0) for m in words), key=len))
        self.keys = frozenset(keys)
        self.prefixes = tuple(sorted(prefixes))

    def may_match(self, folded: str, words: frozenset[str]) -> bool:
        """False only when no term can match `folded`, whose words are `words` (`words_of`)."""
        if self.always or not self.keys.isdisjoint(words):
            return True
        # A word starting with the prefix needs the prefix somewhere in the text.
        return any(prefix in folded for prefix in self.prefixes)

    def finditer(self, folded: str, words: frozenset[str] | None = None) -> Iterator[re.Match[str]]:
        """`pattern.finditer(folded)`, or nothing when the pre-check rules every term out."""
        if self.may_match(folded, words_of(folded) if words is None else words):
            return self.pattern.finditer(folded)
        return iter(())


def words_of(folded: str) -> frozenset[str]:
    """The words of a folded text, as `TermSet.may_match` expects them."""
    return frozenset(_WORD_RUN.findall(folded))


@lru_cache(maxsize=256)
def words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A cached `compile_terms` for rule conditions that list their own words."""
    return compile_terms(words)
