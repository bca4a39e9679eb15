"""Where each Reddit stream stands. Reddit has no `since_id`, so a cursor is what was seen.

A stream (one listing: `r/SUB/new`, `r/SUB/comments` or one search) is read newest first, page
by page with `after`. Its state is the newest `created_utc` seen plus the recently seen
fullnames (at most `seen_window`, newest kept). A poll reads from the top until it reaches an
item at or before that time which was already seen (or anything older), so it needs no `before`
token that a deletion could invalidate.

When a poll stops before reaching that boundary (its page budget ran out, or a request failed
part-way), the items read are kept as seen and the state records `resume_after` (the listing's
`after` for the next unread page) and `resume_until` (the old boundary time). The next poll
first continues that gap from `resume_after` down to `resume_until`, then reads from the top
again: unread data is never skipped. A first poll (no state) reads at most its page budget:
history older than that is not backfilled.

`round` orders streams fairly: the stream attempted longest ago is read first, so one stream that
keeps failing (or a poll cut short) cannot starve the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class StreamState:
    #: fullname -> created_utc, newest first.
    seen: dict[str, float] = field(default_factory=dict)
    newest: float | None = None
    resume_after: str | None = None
    resume_until: float | None = None
    #: The source poll round in which this stream was last attempted; -1: never.
    round: int = -1

    @classmethod
    def load(cls, data: Any) -> StreamState:
        """A stored state; a damaged one is logged and read as a first poll (dedupe absorbs it)."""
        if data is None:
            return cls()
        try:
            seen = {str(k): float(v) for k, v in dict(data.get("seen") or {}).items()}
            newest = data.get("newest")
            until = data.get("resume_until")
            after = data.get("resume_after")
            return cls(
                seen=seen,
                newest=None if newest is None else float(newest),
                resume_after=None if after is None else str(after),
                resume_until=None if until is None else float(until),
                round=int(data.get("round", -1)),
            )
        except (AttributeError, TypeError, ValueError) as exc:
            log.warning("reddit cursor: ignoring a damaged stream state: %s", exc)
            return cls()

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {"newest": self.newest, "seen": dict(self.seen), "round": self.round}
        if self.resume_after is not None:
            data["resume_after"] = self.resume_after
            data["resume_until"] = self.resume_until
        return data


class StreamScan:
    """One poll's pass over one stream: which items are new, and where to stop."""

    def __init__(self, state: StreamState) -> None:
        self.state = state
        self.first = state.newest is None
        self.resuming = state.resume_after is not None and state.resume_until is not None
        #: Reaching an item older than this (or at it and already seen) ends the stream.
        self.lower = state.resume_until if self.resuming else state.newest
        #: Items older than this may have left the seen window: never new.
        self.floor = self.lower if self.resuming else min(state.seen.values(), default=None)
        self.found: dict[str, float] = {}
        self.reached = False

    @property
    def start_after(self) -> str | None:
        return self.state.resume_after if self.resuming else None

    def is_new(self, fullname: str, created_utc: float) -> bool:
        """Whether to emit this item; also records whether the boundary was reached."""
        seen = fullname in self.state.seen
        if self.lower is not None and (
            created_utc < self.lower or (created_utc <= self.lower and seen)
        ):
            self.reached = True
        if seen or fullname in self.found:
            return False
        if self.floor is not None and created_utc < self.floor:
            return False
        self.found[fullname] = created_utc
        return True

    def finish(
        self, *, complete: bool, next_after: str | None, round: int, window: int
    ) -> StreamState:
        """The state after this pass; `next_after` is the `after` of the first unread page."""
        merged = sorted(
            {**self.state.seen, **self.found}.items(), key=lambda kv: kv[1], reverse=True
        )[:window]
        newest_found = max(self.found.values(), default=None)
        newest = max((t for t in (self.state.newest, newest_found) if t is not None), default=None)
        state = replace(self.state, seen=dict(merged), newest=newest, round=round)
        if complete or self.first:
            # Done, or a first poll: its page budget bounds the backfill by design.
            return replace(state, resume_after=None, resume_until=None)
        if next_after is None:  # nothing was read this time: keep any earlier gap
            return state
        return replace(state, resume_after=next_after, resume_until=self.lower)


def load_cursor(cursor: dict[str, Any] | None) -> tuple[int, dict[str, StreamState]]:
    """The last round and the state of each stream in a stored source cursor."""
    if not cursor:
        return -1, {}
    streams = cursor.get("streams")
    if not isinstance(streams, dict):
        log.warning("reddit cursor: no streams in the stored cursor; starting over")
        return -1, {}
    try:
        last_round = int(cursor.get("round", -1))
    except (TypeError, ValueError):
        last_round = -1
    return last_round, {str(k): StreamState.load(v) for k, v in streams.items()}


def dump_cursor(round: int, states: dict[str, StreamState]) -> dict[str, Any]:
    return {"round": round, "streams": {key: state.dump() for key, state in states.items()}}
