"""Finding posts by words of their text and by their author, the same on SQLite and PostgreSQL.

A search is words, all of which must be found (each as a prefix, case and accents folded) in
the post's text, its author's handle or its author's display name: "joão" finds posts by an
author named João, "joao cartão" João's posts that mention a cartão. `author:@handle` (with or
without the `@`) keeps the posts of that handle only (case-insensitive).

- SQLite: the FTS5 table `posts_fts` over `text`, `author_handle` and `author_name`
  (`unicode61 remove_diacritics 2` folds case and accents), kept by triggers (migration 0013).
- PostgreSQL: a GIN index on `search_document`, the three columns lowercased, the Latin
  letters with diacritics translated to their base letter (`FOLD_FROM` -> `FOLD_TO`, fixed here
  because the index expression must not change under it) and parsed by the `simple`
  configuration; the words are folded the same way (`fold`) and matched as prefixes.
- `author:` is `lower(author_handle)`, served by the `posts_fts_author` expression index.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, and_, column, func, literal_column, text

from triage.storage.tables import posts

#: Latin letters with diacritics (U+00C0-U+024F) and the base letter each folds to.
FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆ"
    "ćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐő"
    "ŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚ"
    "ǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮ"
    "ȯȰȱȲȳ"
)
FOLD_TO = (
    "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaac"
    "cccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooo"
    "rrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuuu"
    "uuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooo"
    "oooyy"
)
#: At most this many words of a search are used.
MAX_WORDS = 20
_AUTHOR = re.compile(r"(?:^|\s)author:@?(\S*)", re.IGNORECASE)


def search_document_sql(table: str = "") -> str:
    """The PostgreSQL expression the GIN index `posts_fts_search` is built on (migration
    0013, unqualified); a query must use this same expression for the planner to use it."""
    p = f"{table}." if table else ""
    return (
        f"to_tsvector('simple'::regconfig, translate(lower(coalesce({p}author_handle, '') "
        f"|| ' ' || coalesce({p}author_name, '') || ' ' || {p}text), "
        f"'{FOLD_FROM}', '{FOLD_TO}'))"
    )


def fold(value: str) -> str:
    """Case and accents folded, as the search indexes see words: `João` -> `joao`."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def parse(search: str) -> tuple[list[str], str]:
    """(words, author handle) of a search box's text; `author:@ana` names the handle."""
    author = ""
    found = _AUTHOR.search(search)
    if found:
        author = found.group(1).strip().lstrip("@")
        search = search[: found.start()] + " " + search[found.end() :]
    words = re.findall(r"[^\W_]+", fold(search))[:MAX_WORDS]
    return words, author


def matches(search: str, dialect: str) -> ColumnElement[bool] | None:
    """A WHERE condition on `posts` for a search's words and `author:`; None: no condition."""
    words, author = parse(search)
    conditions: list[ColumnElement[bool]] = []
    if words:
        conditions.append(_words(words, dialect))
    if author:
        conditions.append(by_handle(author))
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else and_(*conditions)


def by_handle(handle: str) -> ColumnElement[bool]:
    """Posts whose author has this handle, any case (the `posts_fts_author` index)."""
    return func.lower(posts.c.author_handle) == handle.strip().lstrip("@").lower()


def _words(words: list[str], dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        prefixes = " & ".join(f"{w}:*" for w in words)  # only letters and digits: no syntax
        query = func.to_tsquery(literal_column("'simple'::regconfig"), prefixes)
        return literal_column(search_document_sql("posts")).bool_op("@@")(query)
    match = " ".join(f'"{w}"*' for w in words)
    fts = text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :match").bindparams(match=match)
    return posts.c.id.in_(fts.columns(column("rowid")))
