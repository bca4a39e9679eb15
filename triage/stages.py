"""The pipeline stages after polling: classify, deliver cases, sync ticket status.

Built once per process from settings; the classifier (torch, the encoder, the heads) is loaded
on first use, so commands that only poll or report never pay for it.
"""

from __future__ import annotations

import logging
import threading

from config.schema import Settings
from escalation.retry import RetryPolicy
from kernel.abc import PostClassifier, Sink
from kernel.errors import ConfigError, DeliveryRetryable, NotConfigured
from kernel.models import Case, TicketRef
from triage.classify_job import classify_pending
from triage.outages import Outages
from triage.outbox import DeliveryReport, deliver_due, sync_statuses
from triage.outbox_breaker import Breakers
from triage.outbox_lease import Pace
from triage.storage import Store
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseStore

log = logging.getLogger(__name__)


class UnusableSink(Sink):
    """Stands in for a configured sink that cannot be built (a missing secret, say): its cases
    wait with backoff instead of dying, and `cases` shows why."""

    type = "unusable"

    def __init__(self, *, name: str, reason: str) -> None:
        super().__init__(name=name)
        self.reason = reason

    def send(self, case: Case) -> TicketRef:
        raise DeliveryRetryable(f"sink {self.name} is not usable: {self.reason}", retry_after=600)


def build_sinks(settings: Settings) -> dict[str, Sink]:
    from escalation.registry import build_sink

    sinks: dict[str, Sink] = {}
    for sink_settings in settings.sinks:
        try:
            sinks[sink_settings.name] = build_sink(
                sink_settings, templates=settings.escalation.templates
            )
        except NotConfigured as exc:
            log.error(
                "sink %s not usable: %s",
                sink_settings.name,
                exc,
                extra={"sink": sink_settings.name},
            )
            sinks[sink_settings.name] = UnusableSink(name=sink_settings.name, reason=str(exc))
    return sinks


class Stages:
    def __init__(
        self, settings: Settings, store: Store, *, classifier: PostClassifier | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.cases = CaseStore(store.engine)
        self.outbox = CaseDelivery(store.engine)
        self._held_seen = 0
        self._classifier = classifier
        self._classifier_lock = threading.Lock()
        #: One learning run at a time in this process: the scheduled one and one a lead asked
        #: for may fall due together (PostgreSQL's advisory lock covers other replicas; SQLite
        #: has none).
        self._learn_lock = threading.Lock()
        #: The learned versions the classifier's heads were built from (`_use_learned_heads`).
        self._heads_stamp: str | None = None
        self.sinks = build_sinks(settings)
        #: Each sink's `max_per_minute`, shared by this process's delivery workers.
        self.paces = {
            s.name: Pace(s.max_per_minute) for s in settings.sinks if s.max_per_minute is not None
        }
        if settings.classifier.enabled:
            self.check_rules()
        esc = settings.escalation
        #: Sinks that stopped answering, kept from pass to pass (the daemon passes its own).
        self.outages = Outages()
        #: This process's breaker per sink, kept from one delivery pass to the next.
        self.breakers = Breakers(
            failures=esc.breaker_failures,
            cooldown_seconds=esc.breaker_cooldown_seconds,
            max_cooldown_seconds=esc.breaker_max_cooldown_seconds,
            engine=store.engine,
        )
        self.policy = RetryPolicy(
            base_seconds=esc.backoff_base_seconds,
            max_seconds=esc.backoff_max_seconds,
            max_attempts=esc.max_attempts,
        )

    def check_rules(self) -> None:
        """Refuse to start on a bad rules file, or one naming a sink that does not exist
        (one line: file, rule index and name, field)."""
        from classifiers.rules import RuleSet

        rules = RuleSet.load(self.settings.rules) if self.settings.rules else RuleSet.default()
        for index, rule in enumerate(rules.rules):
            if rule.sink is not None and rule.sink not in self.sinks:
                known = ", ".join(self.sinks) or "none"
                raise ConfigError(
                    f"{rules.source}: rules[{index}] (name {rule.name!r}): sink: no sink named "
                    f"{rule.sink!r} (configured: {known})"
                )

    @property
    def default_sink(self) -> str | None:
        return self.settings.escalation.default_sink or next(iter(self.sinks), None)

    @property
    def classifier(self) -> PostClassifier:
        with self._classifier_lock:
            if self._classifier is None:
                from classifiers.pipeline import Classifier

                self._classifier = Classifier.from_settings(self.settings)
                self._use_learned_heads()
                log.info("classifier loaded: %s", getattr(self._classifier, "model_version", ""))
            return self._classifier

    def load_classifier(self) -> None:
        """Load the classifier now rather than at the first classify pass."""
        _ = self.classifier

    def _use_learned_heads(self) -> None:
        """Put the heads the learning loop promoted (any replica's `learn`) in place, when
        they changed since the classifier last looked: one cheap query per classify pass."""
        from classifiers.heads import HeadSet
        from classifiers.pipeline import Classifier
        from triage.learned_heads import with_learned
        from triage.storage.learning import LearningStore

        classifier = self._classifier
        if not isinstance(classifier, Classifier):  # a test's stand-in
            return
        learning = LearningStore(self.store.engine)
        stamp = learning.active_stamp()
        if stamp == self._heads_stamp:
            return
        encoder = classifier.encoder
        base = HeadSet.load(
            self.settings.classifier.heads_dir,
            encoder_dim=encoder.dim,
            encoder_version=encoder.version,
        )
        classifier.heads = with_learned(base, learning, encoder.version)
        if self._heads_stamp is not None or stamp:
            log.info("heads in use: %s", ", ".join(classifier.heads.names()))
        self._heads_stamp = stamp

    def describe(self) -> list[str]:
        lines = [
            f"sink {s.describe()}" + (" (default)" if name == self.default_sink else "")
            for name, s in self.sinks.items()
        ]
        return lines or ["no sinks: helpdesk decisions are stored without cases"]

    def classify(self, stop: threading.Event | None = None) -> int:
        c = self.settings.classifier
        classifier = self.classifier
        with self._classifier_lock:
            self._use_learned_heads()
        return classify_pending(
            self.store,
            classifier,
            claim_size=c.claim_size,
            default_sink=self.default_sink,
            priority_sinks=self.settings.escalation.priority_sinks,
            hold_for_review=self.settings.escalation.hold_for_review,
            stop=stop,
        )

    def learn(self) -> None:
        """The scheduled learning run (`learning.schedule`): only when enough new labels."""
        from classifiers.pipeline import Classifier
        from triage.learn_job import scheduled_learning

        classifier = self.classifier
        with self._learn_lock:
            scheduled_learning(
                self.settings,
                self.store,
                classifier if isinstance(classifier, Classifier) else None,
            )
        with self._classifier_lock:
            self._use_learned_heads()

    def learn_requested(self) -> None:
        """A run a lead asked for on the Learning page, if any (`learn_job.requested_learning`)."""
        from classifiers.pipeline import Classifier
        from triage.learn_job import requested_learning

        classifier = self.classifier
        with self._learn_lock:
            report = requested_learning(
                self.settings,
                self.store,
                classifier if isinstance(classifier, Classifier) else None,
            )
        if report is not None:
            with self._classifier_lock:
                self._use_learned_heads()

    def deliver(
        self, stop: threading.Event | None = None, *, outages: Outages | None = None
    ) -> DeliveryReport:
        esc = self.settings.escalation
        report = deliver_due(
            self.outbox,
            self.sinks,
            self.policy,
            batch_size=esc.batch_size,
            lease_seconds=esc.lease_seconds,
            stop=stop,
            outages=outages or self.outages,
            workers=esc.workers,
            paces=self.paces,
            breakers=self.breakers,
        )
        if report != DeliveryReport():
            log.info(
                "delivered cases: sent=%d failed=%d dead=%d",
                report.sent,
                report.failed,
                report.dead,
                extra={"sent": report.sent, "dead": report.dead},
            )
        held = self.cases.counts().get("held", 0)
        if held != self._held_seen:  # say it when the number changes, not every interval
            self._held_seen = held
            if held:
                log.info(
                    "%d helpdesk case(s) held for review: `social-triage cases --status held`, "
                    "then `social-triage cases release ID`",
                    held,
                    extra={"held": held},
                )
        return report

    def sync(self, *, outages: Outages | None = None) -> int:
        from escalation.content import Renderer

        renderer = Renderer(self.settings.escalation.templates)
        return sync_statuses(
            self.outbox,
            self.sinks,
            follow_up=renderer.follow_up,
            outages=outages or self.outages,
        )

    def close(self) -> None:
        self.breakers.forget()
        for sink in self.sinks.values():
            sink.close()
