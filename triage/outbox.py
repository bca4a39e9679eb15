"""The outbox worker and status sync: the application side of escalation.

Cases were written with their decisions (see `triage.storage.decisions`). Workers, several
side by side, claim due cases with a lease they renew while they work
(`triage.outbox_lease`), ask the case's sink to deliver it (sinks look a ticket up by the
case's idempotency key before creating one), and record the outcome: `sent` with the ticket,
`failed` with the next attempt (retryable errors back off; one whose outcome is open waits
for the helpdesk to finish first), or `dead` with the reason and an alert (permanent errors,
or too many attempts). One case's failure never blocks the others; a sink that fails several
in a row is left alone for a while, its cases untouched (`triage.outbox_breaker`).
"""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from escalation.retry import RetryPolicy
from kernel.abc import Sink
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from kernel.models import Case
from triage.outages import Outages
from triage.outbox_breaker import Breakers
from triage.outbox_lease import Heartbeat, Pace
from triage.storage.case_delivery import CaseDelivery

log = logging.getLogger(__name__)

#: After an attempt whose outcome is open (`maybe_delivered`), the next one waits at least this
#: many times the sink's HTTP timeout.
SETTLE_FACTOR = 2.0


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            sent=self.sent + other.sent,
            failed=self.failed + other.failed,
            dead=self.dead + other.dead,
        )


def deliver_due(
    cases: CaseDelivery,
    sinks: Mapping[str, Sink],
    policy: RetryPolicy,
    *,
    batch_size: int = 5,
    lease_seconds: float = 30.0,
    stop: threading.Event | None = None,
    outages: Outages | None = None,
    workers: int = 1,
    paces: Mapping[str, Pace] | None = None,
    breakers: Breakers | None = None,
) -> DeliveryReport:
    """Deliver every due case with `workers` workers side by side, batch by batch, until none
    is due (or `stop` is set).

    Each worker holds its cases under a lease it renews while it works (`Heartbeat`), so a
    helpdesk slower than the lease never sees a second attempt started beside the first.
    `paces` spaces the sends to a sink (`max_per_minute`). With `outages`, a sink that stops
    answering is said once (and once when it is back); each case's retry is an INFO line.
    `breakers` (kept by the caller from pass to pass): a sink whose breaker is open gets no
    attempt, and one case probes it when its cool-down ends; None: no breakers."""
    worker = _Worker(
        cases=cases,
        sinks=sinks,
        policy=policy,
        batch_size=batch_size,
        lease_seconds=lease_seconds,
        stop=stop or threading.Event(),
        outages=outages or Outages(),
        paces=paces or {},
        breakers=breakers,
    )
    if workers <= 1:
        return worker.run()
    reports: list[DeliveryReport] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            report = worker.run()
        except BaseException as exc:  # raised in the caller's thread below, once
            with lock:
                failures.append(exc)
            return
        with lock:
            reports.append(report)

    threads = [
        threading.Thread(target=run, name=f"deliver {n + 1}", daemon=True) for n in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:  # the database went away, say: the caller's handling, as with one worker
        raise failures[0]
    return sum(reports, DeliveryReport())


@dataclass(kw_only=True)
class _Worker:
    """One pass of delivery; `run` may be called from several threads at once (each call is
    a worker of its own, with its own lease owner)."""

    cases: CaseDelivery
    sinks: Mapping[str, Sink]
    policy: RetryPolicy
    batch_size: int
    lease_seconds: float
    stop: threading.Event
    outages: Outages
    paces: Mapping[str, Pace]
    breakers: Breakers | None = None

    def run(self) -> DeliveryReport:
        report = DeliveryReport()
        owner = uuid.uuid4().hex
        with Heartbeat(self.cases, owner, self.lease_seconds) as beat:
            while not self.stop.is_set():
                report += self._probe(owner, beat)
                claim = functools.partial(
                    self.cases.claim_due,
                    limit=self.batch_size,
                    lease_seconds=self.lease_seconds,
                    owner=owner,
                )
                skip = self.breakers.not_closed() if self.breakers else set()
                claimed = claim(skip_sinks=skip) if skip else claim()
                if not claimed:
                    break
                beat.hold(case.id for case in claimed)
                for index, case in enumerate(claimed):
                    if self.stop.is_set() or not self._paced(case.sink):
                        # Stopping: give the rest back now, not when their leases end.
                        released = self.cases.release_leases(claimed[index:], owner=owner)
                        log.info(
                            "stopping: released %d claimed case(s) for other workers", released
                        )
                        break
                    if self.breakers is not None and not self.breakers[case.sink].closed():
                        # Its breaker opened since the claim (this batch's failures, another
                        # worker's): the case goes back as it was, no attempt counted.
                        self.cases.release_leases([case], owner=owner)
                    elif beat.still_holds(case.id):
                        report += self._deliver(case)
                    # else: its lease ran out (the database was away) and another worker
                    # holds it now; sending it here too could make a second ticket.
                    beat.drop(case.id)
        return report

    def _probe(self, owner: str, beat: Heartbeat) -> DeliveryReport:
        """One case to each sink whose breaker's cool-down has ended (half-open)."""
        report = DeliveryReport()
        if self.breakers is None:
            return report
        for sink in sorted(self.breakers.not_closed()):
            breaker = self.breakers[sink]
            if self.stop.is_set() or not breaker.take_probe():
                continue
            claimed = self.cases.claim_due(
                limit=1, lease_seconds=self.lease_seconds, owner=owner, only_sink=sink
            )
            if not claimed:
                breaker.no_probe()
                continue
            [case] = claimed
            beat.hold([case.id])
            try:
                if self._paced(sink) and beat.still_holds(case.id):
                    log.info("sink %s: probing with case %d", sink, case.id)
                    report += self._deliver(case)
                else:
                    self.cases.release_leases([case], owner=owner)
            finally:
                beat.drop(case.id)
                breaker.no_probe()  # whatever happened, the probe is over (no-op once told)
        return report

    def _paced(self, sink: str) -> bool:
        """Wait for the sink's next slot; False when told to stop meanwhile."""
        pace = self.paces.get(sink)
        if pace is None:
            return True
        return not self.stop.wait(pace.reserve())

    def _deliver(self, case: Case) -> DeliveryReport:
        cases = self.cases
        sink = self.sinks.get(case.sink)
        if sink is None:
            cases.mark_dead(case.id, f"no sink named {case.sink!r} is configured")
            _alert(case.id, case.sink, "no such sink")
            return DeliveryReport(dead=1)
        try:
            ticket = sink.send(case)
        except DeliveryPermanent as exc:
            cases.mark_dead(case.id, str(exc))
            _alert(case.id, case.sink, str(exc))
            self._answered(case.sink)  # it refused this case, but it answers
            return DeliveryReport(dead=1)
        except DeliveryRetryable as exc:
            if self.breakers is not None:
                self.breakers[case.sink].failure(str(exc))
            if self.policy.gives_up(case.attempts):
                reason = f"gave up after {case.attempts} attempts: {exc}"
                cases.mark_dead(case.id, reason)
                _alert(case.id, case.sink, reason)
                return DeliveryReport(dead=1)
            wait = self.policy.delay(case.attempts, exc.retry_after)
            if exc.maybe_delivered:
                # The helpdesk may still be creating the ticket: give it as long again as we
                # waited before trying (and, where the sink can, looking the key up) again.
                wait = max(wait, SETTLE_FACTOR * _timeout_of(sink))
            cases.mark_failed(case.id, str(exc), datetime.now(UTC) + timedelta(seconds=wait))
            self.outages.down(f"sink {case.sink}", str(exc))
            log.info(
                "case %d to %s failed (attempt %d), retry in %.0fs: %s",
                case.id,
                case.sink,
                case.attempts,
                wait,
                exc,
                extra={"case": case.id, "sink": case.sink},
            )
            return DeliveryReport(failed=1)
        except Exception as exc:  # a bug in a sink: retry later, never lose the case
            log.exception("case %d: unexpected error in sink %s", case.id, case.sink)
            wait = max(self.policy.delay(case.attempts), SETTLE_FACTOR * _timeout_of(sink))
            cases.mark_failed(
                case.id,
                f"unexpected {type(exc).__name__}: {exc}",
                datetime.now(UTC) + timedelta(seconds=wait),
            )
            return DeliveryReport(failed=1)
        cases.mark_sent(case.id, ticket)
        self._answered(case.sink)
        log.info(
            "case %d sent to %s as ticket %s",
            case.id,
            case.sink,
            ticket.ticket_id,
            extra={"case": case.id, "sink": case.sink},
        )
        return DeliveryReport(sent=1)

    def _answered(self, sink: str) -> None:
        self.outages.up(f"sink {sink}")
        if self.breakers is not None:
            self.breakers[sink].success()


def _timeout_of(sink: Sink) -> float:
    timeout = getattr(sink, "timeout", 0.0)
    return float(timeout) if isinstance(timeout, int | float) else 0.0


def sync_statuses(
    cases: CaseDelivery,
    sinks: Mapping[str, Sink],
    *,
    batch_size: int = 500,
    follow_up: Callable[[Case, str], str] | None = None,
    outages: Outages | None = None,
) -> int:
    """Read back the status of every open ticket; a ticket whose status the sink maps to a
    closing state (`Sink.ticket_state`) closes its case, with `follow_up(case, status)` as the
    suggested public reply when given.

    With `outages`, a sink none of whose tickets could be read in a pass (retryable errors:
    refused, 5xx, timeouts) is said down once, as delivery says it, and back once when it
    answers: no warning per ticket per pass while it is down."""
    closed = 0
    unread: dict[str, tuple[int, str]] = {}  # sink -> tickets not read this pass, last error
    answered: set[str] = set()
    for case in _open_tickets(cases, batch_size):
        sink = sinks.get(case.sink)
        if sink is None or case.ticket is None:
            continue
        try:
            status = sink.status(case.ticket)
        except DeliveryRetryable as exc:
            count, _ = unread.get(case.sink, (0, ""))
            unread[case.sink] = (count + 1, str(exc))
            log.debug(
                "case %d: cannot read ticket %s status: %s", case.id, case.ticket.ticket_id, exc
            )
            continue
        except DeliveryPermanent as exc:
            answered.add(case.sink)  # it refused this ticket, but it answers
            log.warning(
                "case %d: cannot read ticket %s status: %s",
                case.id,
                case.ticket.ticket_id,
                exc,
                extra={"case": case.id},
            )
            continue
        if status is None:  # not known, or a sink that does not read statuses (asked nothing)
            continue
        answered.add(case.sink)
        if status == case.ticket.status:
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
    _say_unread(outages or Outages(), unread, answered)
    return closed


def _say_unread(
    outages: Outages, unread: Mapping[str, tuple[int, str]], answered: set[str]
) -> None:
    """After a sync pass: a sink that answered is up; one that answered nothing is down (said
    once); one that answered some tickets and not others gets one line for the others."""
    for name in answered:
        outages.up(f"sink {name}")
    for name, (count, error) in unread.items():
        if name not in answered:
            outages.down(f"sink {name}", error)
        else:
            log.info(
                "sync: %d ticket status(es) of %s not read, next sync tries again: %s",
                count,
                name,
                error,
                extra={"sink": name},
            )


def _open_tickets(cases: CaseDelivery, batch_size: int) -> Iterator[Case]:
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
