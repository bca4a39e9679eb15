"""Suggested answers on the item page (and only there: never per list row).

Template replies need no model. Help articles need the classifier's encoder, which takes
seconds to load: the first item page starts loading it on a background thread
(`triage.digest.build.shared_encoder`, the same instance the dashboard's themes use) and shows
the replies at once, with the articles once the encoder is ready. The web app starts fast and
keeps answering while the model loads, or if it fails to load (the error is logged once and
shown as one line).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from config.schema import Settings
from kernel.abc import TextEncoder
from triage.queue.models import QueueItem
from triage.storage.store import Store
from triage.suggest import Suggester, Suggestions, is_complaint, suggestions, top_intent
from triage.suggest.history import SentHistory

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemSuggestions:
    found: Suggestions
    #: The knowledge base is configured but the encoder is still loading.
    articles_pending: bool = False
    #: Why there are no articles (the encoder failed to load), one line.
    articles_error: str | None = None


class SuggestionService:
    """`store`: where the articles agents sent are read from (`SentHistory`), so what the team
    sends lifts those articles for similar posts; without one, the knowledge base alone."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.history = (
            SentHistory(store, refresh=settings.suggestions.history_refresh_seconds)
            if store is not None
            else None
        )
        self._full: Suggester | None = None
        self._encoder: TextEncoder | None = None
        self._error: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        # Replies only, while the encoder loads (no knowledge base: never touches a model).
        self._replies_only = Suggester(
            brand=settings.brand.name,
            templates=settings.suggestions.templates,
            articles=settings.suggestions.articles,
        )

    @property
    def wants_encoder(self) -> bool:
        return self.settings.suggestions.knowledge_base is not None

    def encoder(self) -> TextEncoder | None:
        """The shared encoder if it is loaded; else start loading it and return None."""
        with self._lock:
            if self._encoder is not None or self._error is not None:
                return self._encoder
            if self._thread is None:
                self._thread = threading.Thread(target=self._load, name="encoder", daemon=True)
                self._thread.start()
        return None

    def _load(self) -> None:
        from triage.digest.build import shared_encoder

        try:
            encoder = shared_encoder(self.settings)
        except Exception as exc:  # shown as one line; the page keeps working
            log.warning("suggested articles unavailable: the encoder did not load: %s", exc)
            with self._lock:
                self._error = f"the encoder did not load ({type(exc).__name__})"
        else:
            full = Suggester.from_settings(self.settings, encoder, self.history)
            try:  # embed the knowledge base and read the send log before the first page asks
                kb = full.kb()
                if kb is not None and self.history is not None:
                    self.history.snapshot(kb, encoder.encode)
            except Exception as exc:  # the page shows it when it asks again
                log.warning("suggested articles: warming up failed: %s", exc)
            with self._lock:
                self._encoder = encoder
                self._full = full
        self._ready.set()

    def wait_ready(self, timeout: float) -> bool:
        """For tests and start-up scripts: wait until the encoder loaded (or failed)."""
        self.encoder()
        return self._ready.wait(timeout)

    def for_item(self, item: QueueItem) -> ItemSuggestions:
        if not self.wants_encoder:
            found = suggestions(item.post, item.decision, item.signals, settings=self.settings)
            return ItemSuggestions(found=found)
        encoder = self.encoder()
        if encoder is None:
            replies = self._replies_only.replies(
                item.post,
                item.decision.route,
                intent=top_intent(item.signals),
                complaint=is_complaint(item.signals),
                sensitive=bool(item.signals and item.signals.sensitive),
            )
            return ItemSuggestions(
                found=Suggestions(replies=replies, articles=()),
                articles_pending=self._error is None,
                articles_error=self._error,
            )
        with self._lock:
            if self._full is None:
                self._full = Suggester.from_settings(self.settings, encoder, self.history)
            full = self._full
        return ItemSuggestions(found=full.suggest(item.post, item.decision, item.signals))
