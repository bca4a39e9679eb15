"""Reading a source's streams in turn, for the sources that follow several (X, Bluesky,
Mastodon: mentions plus searches or hashtags).

The cursor holds one entry per stream, by key, plus `_turn`, how many polls have started. Each
poll starts one stream further along so that none starves when the poller cuts a poll short,
and shares the page budget between the streams so one busy stream cannot spend it all. A
stream that fails does not stop the others: its error is raised once they have been read,
except the errors every stream would meet alike (`stop_on`: a refused token, a spent window
or quota), which are raised at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from kernel.errors import SourceError
from kernel.models import Page

log = logging.getLogger(__name__)

S = TypeVar("S")


def poll_in_turn(
    streams: Sequence[S],
    cursor: dict[str, Any] | None,
    read: Callable[[S, dict[str, Any], int], Iterator[Page]],
    *,
    key: Callable[[S], str],
    max_pages: int,
    source: str,
    stop_on: tuple[type[SourceError], ...],
    paced: bool = False,
) -> Iterator[Page]:
    """The pages of every stream, `read(stream, state, budget)` yielding one stream's.

    `state` is the whole cursor, kept entries of configured streams only, which `read`
    updates in place and copies into each page. `paced`: the poller paces the source's reads
    (they cost money), so the streams go in their configured order, each with all of
    `max_pages`, and the poller stops the poll where its pacing says.
    """
    previous = cursor or {}
    state: dict[str, Any] = {
        key(s): dict(previous[key(s)]) for s in streams if isinstance(previous.get(key(s)), dict)
    }
    turn = previous.get("_turn", 0)
    turn = turn if isinstance(turn, int) else 0
    state["_turn"] = turn + 1
    if not streams:
        return
    start = turn % len(streams)
    budget = max(1, max_pages // len(streams))
    if paced:
        start, budget = 0, max_pages
    errors: list[SourceError] = []
    for stream in [*streams[start:], *streams[:start]]:
        try:
            yield from read(stream, state, budget)
        except stop_on:
            raise
        except SourceError as exc:
            log.warning("%s", exc, extra={"source": source})
            errors.append(exc)
    if errors:
        raise errors[0]
