"""Which help articles agents sent from the queue, and for which posts.

A sent reply or DM (never a dry run) whose text contains an article's URL counts as one link of
that article; the post it answered is kept, embedded, as an example of the posts the article
fits. `SentHistory` reads the send log incrementally (replies with a higher id than the last
read), at most once per `refresh` seconds, and keeps the newest `per_article` example posts of
each article. A changed knowledge base (another `KnowledgeBase` object) is matched again from
the start, and so is everything every `rebuild` seconds (an hour): a post erased for data
protection takes its reply with it, and leaves the history at the next rebuild.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from triage.storage.sent_links import sent_replies
from triage.storage.store import Store
from triage.suggest.kb import KnowledgeBase

#: Example posts kept per article (384 floats each).
PER_ARTICLE = 50
#: Posts embedded per read, newest first: bounds the first read of a long send log (older
#: sends still count as links, without an example post).
EMBED_PER_READ = 256


@dataclass(frozen=True, kw_only=True, slots=True)
class ArticleHistory:
    #: Article id -> how many sent replies linked it.
    sent: dict[str, int] = field(default_factory=dict)
    #: Article id -> unit vectors of the posts those replies answered, `(m, dim)`.
    posts: dict[str, np.ndarray] = field(default_factory=dict)

    def best_similarity(self, article_ids: Sequence[str], query: np.ndarray) -> list[float | None]:
        """Per article, the highest cosine of `query` and its example posts (None: none)."""
        out: list[float | None] = []
        for article_id in article_ids:
            vectors = self.posts.get(article_id)
            out.append(None if vectors is None else float((vectors @ query).max()))
        return out


def url_pattern(url: str) -> re.Pattern[str]:
    """What a reply must contain to link the article: its URL without scheme or trailing
    slash, not continued by more path (`/password` does not match `/password-reset`)."""
    key = url.split("://", 1)[-1].rstrip("/")
    return re.compile(re.escape(key) + r"/?(?![\w\-/%]|\.\w)", re.IGNORECASE)


class SentHistory:
    """The send log read into an `ArticleHistory`; thread-safe."""

    def __init__(
        self,
        store: Store,
        *,
        refresh: float = 60.0,
        rebuild: float = 3_600.0,
        per_article: int = PER_ARTICLE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.refresh = refresh
        self.rebuild = rebuild
        self.per_article = per_article
        self._clock = clock
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._last_id = 0
        self._read_at: float | None = None
        self._built_at = 0.0
        self._sent: dict[str, int] = defaultdict(int)
        self._posts: dict[str, deque[np.ndarray]] = defaultdict(deque)
        self._snapshot = ArticleHistory()

    def snapshot(
        self, kb: KnowledgeBase, embed: Callable[[list[str]], np.ndarray]
    ) -> ArticleHistory:
        """The history for `kb`, reading replies sent since the last read when it is due."""
        with self._lock:
            now = self._clock()
            if self._kb is not kb or now - self._built_at >= self.rebuild:
                self._kb, self._last_id, self._read_at, self._built_at = kb, 0, None, now
                self._sent.clear()
                self._posts.clear()
            if self._read_at is not None and now - self._read_at < self.refresh:
                return self._snapshot
            self._read_at = now
            self._read(kb, embed)
            return self._snapshot

    def _read(self, kb: KnowledgeBase, embed: Callable[[list[str]], np.ndarray]) -> None:
        keys = [(article.id, url_pattern(article.url)) for article in kb.articles]
        found: list[tuple[str, str]] = []  # (article id, post text)
        for reply in sent_replies(self.store, after_id=self._last_id):
            self._last_id = max(self._last_id, reply.id)
            for article_id, pattern in keys:
                if pattern.search(reply.text):
                    self._sent[article_id] += 1
                    found.append((article_id, reply.post_text))
        found = found[-EMBED_PER_READ:]
        if not found:
            if self._snapshot.sent != self._sent:
                self._snapshot = ArticleHistory(sent=dict(self._sent), posts=self._stacked())
            return
        vectors = np.asarray(embed([text for _, text in found]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        for (article_id, _), vector in zip(found, vectors / np.maximum(norms, 1e-12), strict=True):
            kept = self._posts[article_id]
            kept.append(vector)
            while len(kept) > self.per_article:
                kept.popleft()
        self._snapshot = ArticleHistory(sent=dict(self._sent), posts=self._stacked())

    def _stacked(self) -> dict[str, np.ndarray]:
        return {key: np.vstack(list(kept)) for key, kept in self._posts.items() if kept}
