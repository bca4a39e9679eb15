"""The outbox worker and status sync: the application side of escalation.

Cases were written with their decisions (see `triage.storage.decisions`). The worker claims due
cases with a lease, asks the case's sink to deliver it (sinks look a ticket up by the case's
idempotency key before creating one), and records the outcome: `sent` with the ticket, `failed`
with the next attempt (retryable errors back off), or `dead` with the reason and an alert
(permanent errors, or too many attempts). One case's failure never blocks the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from escalation.retry import RetryPolicy
from kernel.abc import Sink
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from kernel.models import Case
from triage.outages import Outages
from triage.storage.cases import CaseStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def deliver_due(
    cases: CaseStore,
    sinks: Mapping[str, Sink],
    policy: RetryPolicy,
    *,
    batch_size: int = 20,
    lease_seconds: float = 300.0,
    stop: threading.Event | None = None,
    outages: Outages | None = None,
) -> DeliveryReport:
    """Deliver every due case, batch by batch, until none is due (or `stop` is set).

    With `outages`, a sink that stops answering is said once (and once when it is back);
    each case's retry is then an INFO line, not a warning per case."""
    outages = outages or Outages()
    sent = failed = dead = 0
    while not (stop is not None and stop.is_set()):
        claimed = cases.claim_due(limit=batch_size, lease_seconds=lease_seconds)
        if not claimed:
            break
        expired = 0
        for index, case in enumerate(claimed):
            if stop is not None and stop.is_set():
                # Stopping: give the rest of the batch back now, not when its lease ends.
                released = cases.release_leases(claimed[index:])
                log.info("stopping: released %d claimed case(s) for other workers", released)
                break
            lease_end = case.next_attempt_at
            if lease_end is not None and datetime.now(UTC) >= lease_end:
                # A slow helpdesk used up this batch's lease: another worker may hold the case
                # now, and sending it here too could make a second ticket across replicas.
                expired += 1
                continue
            sink = sinks.get(case.sink)
            if sink is None:
                cases.mark_dead(case.id, f"no sink named {case.sink!r} is configured")
                _alert(case.id, case.sink, "no such sink")
                dead += 1
                continue
            try:
                ticket = sink.send(case)
            except DeliveryPermanent as exc:
                cases.mark_dead(case.id, str(exc))
                _alert(case.id, case.sink, str(exc))
                dead += 1
            except DeliveryRetryable as exc:
                if policy.gives_up(case.attempts):
                    reason = f"gave up after {case.attempts} attempts: {exc}"
                    cases.mark_dead(case.id, reason)
                    _alert(case.id, case.sink, reason)
                    dead += 1
                    continue
                wait = policy.delay(case.attempts, exc.retry_after)
                cases.mark_failed(case.id, str(exc), datetime.now(UTC) + timedelta(seconds=wait))
                outages.down(f"sink {case.sink}", str(exc))
                log.info(
                    "case %d to %s failed (attempt %d), retry in %.0fs: %s",
                    case.id,
                    case.sink,
                    case.attempts,
                    wait,
                    exc,
                    extra={"case": case.id, "sink": case.sink},
                )
                failed += 1
            except Exception as exc:  # a bug in a sink: retry later, never lose the case
                log.exception("case %d: unexpected error in sink %s", case.id, case.sink)
                wait = policy.delay(case.attempts)
                cases.mark_failed(
                    case.id,
                    f"unexpected {type(exc).__name__}: {exc}",
                    datetime.now(UTC) + timedelta(seconds=wait),
                )
                failed += 1
            else:
                cases.mark_sent(case.id, ticket)
                outages.up(f"sink {case.sink}")
                log.info(
                    "case %d sent to %s as ticket %s",
                    case.id,
                    case.sink,
                    ticket.ticket_id,
                    extra={"case": case.id, "sink": case.sink},
                )
                sent += 1
        if expired == len(claimed):
            break  # nothing this worker can safely send now; the next run claims afresh
    return DeliveryReport(sent=sent, failed=failed, dead=dead)


def sync_statuses(
    cases: CaseStore,
    sinks: Mapping[str, Sink],
    *,
    batch_size: int = 500,
    follow_up: Callable[[Case, str], str] | None = None,
) -> int:
    """Read back the status of every open ticket; a ticket whose status the sink maps to a
    closing state (`Sink.ticket_state`) closes its case, with `follow_up(case, status)` as the
    suggested public reply when given."""
    closed = 0
    for case in _open_tickets(cases, batch_size):
        sink = sinks.get(case.sink)
        if sink is None or case.ticket is None:
            continue
        try:
            status = sink.status(case.ticket)
        except (DeliveryRetryable, DeliveryPermanent) as exc:
            log.warning(
                "case %d: cannot read ticket %s status: %s",
                case.id,
                case.ticket.ticket_id,
                exc,
                extra={"case": case.id},
            )
            continue
        if status is None or status == case.ticket.status:
            continue
        is_closed = sink.ticket_state(status).closes_case
        suggestion = None
        if is_closed and follow_up is not None:
            try:
                suggestion = follow_up(case, status)
            except DeliveryPermanent as exc:  # a broken template must not block closing
                log.warning("case %d: no follow-up suggestion: %s", case.id, exc)
        cases.set_ticket_status(case.id, status, closed=is_closed, follow_up=suggestion)
        if is_closed:
            closed += 1
            log.info(
                "case %d closed: ticket %s is %s",
                case.id,
                case.ticket.ticket_id,
                status,
                extra={"case": case.id},
            )
    return closed


def _open_tickets(cases: CaseStore, batch_size: int) -> Iterator[Case]:
    """Every open ticket, page by page: tickets that stay open must not hide the rest."""
    after_id = 0
    while page := cases.open_tickets(limit=batch_size, after_id=after_id):
        yield from page
        after_id = page[-1].id


def _alert(case_id: int, sink: str, reason: str) -> None:
    log.error(
        "ALERT case %d is dead (sink %s): %s",
        case_id,
        sink,
        reason,
        extra={"alert": "case_dead", "case": case_id, "sink": sink},
    )
