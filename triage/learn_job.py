"""Running the learning loop from the CLI and on the daemon's schedule, and deciding the open
queue again after the heads changed (a promotion or a rollback)."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from config.schema import Settings
from triage.classify_job import SinkChoice
from triage.learn import Learner, LearnReport, Model
from triage.learned_heads import with_learned
from triage.storage import Store
from triage.storage.decisions import DecisionStore, ToSave
from triage.storage.learning import LearningStore

if TYPE_CHECKING:
    from classifiers.pipeline import Classifier

log = logging.getLogger(__name__)

#: Open items decided at most this long ago are decided again after the heads change; older
#: ones are left as they are (nobody is going to answer a month-old post from the queue).
REDECIDE_DAYS = 14


def build_classifier(settings: Settings) -> Classifier:
    from classifiers.pipeline import Classifier

    return Classifier.from_settings(settings)


def run_learning(
    settings: Settings,
    store: Store,
    *,
    tasks: Sequence[str] | None = None,
    dry_run: bool = False,
    trigger: str,
    classifier: Classifier | None = None,
) -> LearnReport:
    """One learning run; after a promotion, the open queue is decided again."""
    from classifiers.heads import HeadSet
    from classifiers.model_cache import CACHE

    built: list[Classifier] = [classifier] if classifier is not None else []

    def load() -> Model:
        if not built:
            built.append(build_classifier(settings))
        encoder = built[0].encoder
        base = HeadSet.load(
            settings.classifier.heads_dir, encoder_dim=encoder.dim, encoder_version=encoder.version
        )
        return Model(encode=encoder.encode, encoder_version=encoder.version, heads=base)

    learner = Learner(settings, store, load=load, cache_dir=CACHE / "learn")
    report = learner.run(tasks=tasks, dry_run=dry_run, trigger=trigger)
    classifier = built[0] if built else None
    if report.promoted:
        names = ", ".join(f"{o.slot} v{o.version_id}" for o in report.promoted)
        redecided = redecide_after_change(
            settings, store, reason=f"{names} promoted", classifier=classifier
        )
        report = dataclasses.replace(report, redecided=redecided)
        learner.learning.set_run_summary(report.run_id, "\n".join(report.lines()))
    return report


def redecide_after_change(
    settings: Settings,
    store: Store,
    *,
    reason: str,
    classifier: Classifier | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Decide again, with the heads now active, the open items the classifier decided in the
    last `REDECIDE_DAYS` that nobody acted on; store a new decision where the route or the
    review flag changes. Returns how many changed."""
    from classifiers.heads import HeadSet

    classifier = classifier or build_classifier(settings)
    encoder = classifier.encoder
    learning = LearningStore(store.engine)
    base = HeadSet.load(
        settings.classifier.heads_dir, encoder_dim=encoder.dim, encoder_version=encoder.version
    )
    classifier.heads = with_learned(base, learning, encoder.version)
    decisions = DecisionStore(store.engine)
    route = SinkChoice(
        settings.escalation.default_sink or next((s.name for s in settings.sinks), None),
        {str(k): v for k, v in settings.escalation.priority_sinks.items()},
    )
    since = datetime.now(UTC) - timedelta(days=REDECIDE_DAYS)
    changed = 0
    after = 0
    while stop is None or not stop.is_set():
        batch = learning.untouched(since=since, after_id=after, limit=256)
        if not batch:
            break
        after = batch[-1][0].id
        results = classifier.classify([(stored.post, stored.post.text) for stored, _, _ in batch])
        to_save = []
        for (stored, old_route, old_review), (signals, decision) in zip(
            batch, results, strict=True
        ):
            if decision.route.value == old_route and decision.needs_review == old_review:
                continue
            decision = dataclasses.replace(
                decision,
                explanation=f"Decided again after the heads changed ({reason}); it was "
                f"{old_route}{' (needs review)' if old_review else ''}.\n" + decision.explanation,
            )
            to_save.append(
                ToSave(
                    stored,
                    signals,
                    decision,
                    case_sink=route.sink_for(decision),
                    hold=settings.escalation.hold_for_review and decision.needs_review,
                )
            )
        if to_save:
            with store.engine.begin() as conn:
                decisions.save_many(conn, to_save)
            changed += len(to_save)
    if changed:
        log.info("re-decided %d open queue item(s): %s", changed, reason)
    return changed


def scheduled_learning(
    settings: Settings, store: Store, classifier: Classifier | None
) -> LearnReport | None:
    """The daemon's job: learn when enough labels arrived since the last run, else nothing."""
    learning = LearningStore(store.engine)
    last = learning.last_run()
    since = last.last_correction_id if last and last.last_correction_id is not None else 0
    new = learning.corrections_since(since)
    wanted = settings.learning.min_new_corrections
    if new < wanted:
        log.info("learn: %d new label(s) since the last run, waiting for %d", new, wanted)
        return None
    report = run_learning(settings, store, trigger="schedule", classifier=classifier)
    for line in report.lines():
        log.info("learn: %s", line)
    return report


def requested_learning(
    settings: Settings, store: Store, classifier: Classifier | None
) -> LearnReport | None:
    """The daemon's look (every minute) for a run a lead asked for on the Learning page: taken
    by one replica, run at once whatever the number of new labels, recorded under who asked."""
    learning = LearningStore(store.engine)
    pending = learning.pending_request()
    if pending is None or not learning.take_request(pending.id):
        return None
    log.info("learn: a run asked for by %s", pending.trigger)
    report = run_learning(settings, store, trigger=pending.trigger, classifier=classifier)
    for line in report.lines():
        log.info("learn: %s", line)
    return report
