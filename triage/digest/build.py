"""One digest from settings: the window, the filters, the shared encoder for themes."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from config.schema import Settings
from triage.digest.compute import Digest, Embed, build_digest, choose_window
from triage.digest.render import RenderedDigest, render_csv, render_html
from triage.storage import Store
from triage.storage.digest_reads import ANY_POST, DigestReads, PostFilter

if TYPE_CHECKING:
    from classifiers.encoder import Encoder

_encoders: dict[tuple[str, str], Encoder] = {}
_lock = threading.Lock()


def shared_encoder(settings: Settings) -> Encoder:
    """The classifier's encoder, loaded once per process and model: the daemon's digests, the
    web dashboard's themes and the queue's suggested articles share it."""
    from classifiers.encoder import Encoder

    key = (str(settings.classifier.model or ""), settings.classifier.backend)
    with _lock:
        if key not in _encoders:
            _encoders[key] = Encoder.from_settings(settings.classifier)
        return _encoders[key]


def encoder_embed(settings: Settings) -> Embed:
    """The shared encoder's `encode` (`shared_encoder`)."""
    encoder = shared_encoder(settings)

    def embed(texts: Sequence[str]) -> np.ndarray:
        return encoder.encode(texts)

    return embed


def make_digest(
    settings: Settings,
    store: Store,
    *,
    period: str,
    until: datetime | None = None,
    filters: PostFilter = ANY_POST,
    themes: bool = True,
    now: datetime | None = None,
) -> Digest:
    reads = DigestReads(store.engine)
    window = choose_window(reads, period, until=until, filters=filters, now=now)
    return build_digest(
        reads,
        window,
        brand=filters.brand or settings.brand.name,
        filters=filters,
        embed=encoder_embed(settings) if themes else None,
        max_themes=settings.digest.max_themes,
        top_posts=settings.digest.top_posts,
        stopwords=[settings.brand.name, *settings.brand.handles],
    )


def write_files(
    digest: Digest, locale: str, *, html: Path | None = None, csv: Path | None = None
) -> RenderedDigest | None:
    """The standalone HTML (images as data: URIs) and the CSV; returns the rendering."""
    rendered = None
    if html is not None:
        rendered = render_html(digest, images="data", locale=locale)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(rendered.html, encoding="utf-8")
    if csv is not None:
        csv.parent.mkdir(parents=True, exist_ok=True)
        csv.write_text(render_csv(digest), encoding="utf-8")
    return rendered
