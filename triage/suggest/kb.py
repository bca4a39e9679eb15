"""The knowledge base: help articles (`id,title,url,text`) ranked by the encoder's similarity.

Formats, chosen by the file's extension:
- `.csv`: a header row with at least `id,title,url,text` (UTF-8; quoted fields may span lines);
- `.json`: an array of objects with those keys;
- `.jsonl`: one such object a line.

An optional `links` field says how often the brand has linked the article in replies (e.g.
exported from the helpdesk): the prior of `triage.suggest.scoring`.

A bad file is an `InputError` of one line naming `file:line` (the line where the bad record
starts). Each article is embedded once, as "title. text", with the same encoder as the
classifier; the embeddings are cached in memory keyed by the file's path, size and mtime and
the encoder's version, so an edited file or a new model is re-embedded and nothing else is.
"""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kernel.abc import TextEncoder
from kernel.errors import InputError

FIELDS = ("id", "title", "url", "text")


@dataclass(frozen=True, kw_only=True, slots=True)
class Article:
    id: str
    title: str
    url: str
    text: str
    #: How often the brand linked it before (the optional `links` column); 0 when unknown.
    links: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class RankedArticle:
    """A suggested article. `score`: the probability that it is the one to send (0..1, from
    `triage.suggest.scoring`), or the cosine when ranked by similarity alone (`rank`)."""

    id: str
    title: str
    url: str
    score: float
    #: Cosine similarity of post and article (-1..1).
    similarity: float = 0.0


def load_articles(path: Path) -> tuple[Article, ...]:
    """Every article of a KB file, or `InputError("file:line: ...")` at the first bad one."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read knowledge base: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: knowledge base is not UTF-8 text") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path, content)
    elif suffix == ".json":
        records = _json_records(path, content)
    elif suffix == ".jsonl":
        records = _jsonl_records(path, content)
    else:
        raise InputError(f"{path}: knowledge base must be .csv, .json or .jsonl")
    articles: list[Article] = []
    seen: dict[str, int] = {}
    for line, record in records:
        where = f"{path}:{line}"
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected an object with {', '.join(FIELDS)}")
        values = {key: record.get(key) for key in FIELDS}
        missing = [key for key in ("id", "url") if values[key] in (None, "")]
        if missing:
            raise InputError(f"{where}: article without {' and '.join(missing)}")
        if not values["title"] and not values["text"]:
            raise InputError(f"{where}: article {values['id']} has neither title nor text")
        article_id = str(values["id"]).strip()
        if article_id in seen:
            raise InputError(
                f"{where}: duplicate id {article_id!r} (first at line {seen[article_id]})"
            )
        seen[article_id] = line
        url = str(values["url"]).strip()
        if not url.startswith(("https://", "http://")):
            raise InputError(f"{where}: url of article {article_id} is not http(s)")
        articles.append(
            Article(
                id=article_id,
                title=str(values["title"] or "").strip(),
                url=url,
                text=str(values["text"] or "").strip(),
                links=_links(where, article_id, record.get("links")),
            )
        )
    if not articles:
        raise InputError(f"{path}: knowledge base has no articles")
    return tuple(articles)


def _links(where: str, article_id: str, value: Any) -> int:
    if value in (None, ""):
        return 0
    try:
        count = int(str(value).strip())
    except ValueError:
        count = -1
    if count < 0:
        raise InputError(f"{where}: links of article {article_id} is not a whole number >= 0")
    return count


def _csv_records(path: Path, content: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(content.splitlines(keepends=True), strict=True)
    try:
        header = reader.fieldnames or []
        missing = [key for key in FIELDS if key not in header]
        if missing:
            raise InputError(
                f"{path}:1: header lacks {', '.join(missing)} (needs {','.join(FIELDS)})"
            )
        line = 2
        for row in reader:
            if None in row:  # more cells than the header has
                raise InputError(f"{path}:{line}: more cells than the header has")
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: {exc}") from exc


def _jsonl_records(path: Path, content: str) -> Iterator[tuple[int, Any]]:
    for number, text in enumerate(content.splitlines(), start=1):
        if text.strip():
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not valid JSON: {exc.msg}") from exc


def _json_records(path: Path, content: str) -> Iterator[tuple[int, Any]]:
    """The items of a top-level array, each with the line it starts on."""
    decoder = json.JSONDecoder()
    index = _skip(content, 0)
    if not content.startswith("[", index):
        raise InputError(f"{path}:{_line(content, index)}: expected a JSON array of articles")
    index = _skip(content, index + 1)
    if content.startswith("]", index):
        return
    while True:
        try:
            item, end = decoder.raw_decode(content, index)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
        yield _line(content, index), item
        index = _skip(content, end)
        if content.startswith(",", index):
            index = _skip(content, index + 1)
        elif content.startswith("]", index):
            if content[_skip(content, index + 1) :]:
                raise InputError(f"{path}:{_line(content, index)}: text after the array")
            return
        else:
            raise InputError(f"{path}:{_line(content, index)}: expected ',' or ']'")


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


class KnowledgeBase:
    """Articles and their unit-length embeddings."""

    def __init__(self, articles: Sequence[Article], vectors: np.ndarray) -> None:
        self.articles = tuple(articles)
        self.vectors = vectors

    def rank(self, query: np.ndarray, k: int = 3) -> list[RankedArticle]:
        """The `k` articles most similar to one unit query vector, best first."""
        scores = self.vectors @ query
        top = np.argsort(-scores, kind="stable")[:k]
        return [
            RankedArticle(
                id=self.articles[i].id,
                title=self.articles[i].title,
                url=self.articles[i].url,
                score=float(scores[i]),
                similarity=float(scores[i]),
            )
            for i in top
        ]


_cache: dict[tuple[str, int, int, str], KnowledgeBase] = {}
_cache_lock = threading.Lock()


def embed_text(article: Article) -> str:
    return f"{article.title}. {article.text}" if article.title else article.text


def load_knowledge_base(path: Path, encoder: TextEncoder) -> KnowledgeBase:
    """The KB at `path` embedded with `encoder`, from the cache while the file is unchanged."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise InputError(f"{path}: cannot read knowledge base: {exc.strerror}") from exc
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, encoder.version)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        articles = load_articles(path)
        vectors = np.asarray(encoder.encode([embed_text(a) for a in articles]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        kb = KnowledgeBase(articles, vectors / np.maximum(norms, 1e-12))
        for old in [k for k in _cache if k[0] == key[0]]:
            del _cache[old]  # an older version of the same file
        _cache[key] = kb
        return kb
