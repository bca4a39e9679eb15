"""`social-triage learn`, and the daemon's scheduled run of it: the loop from people's labels
back into the heads that classify (docs/learning.md).

For each task with enough labels it fits a candidate head on the shipped training rows plus the
team's labels, compares it with the head in use (cross-validated on the team's labels, and on
the reference set shipped with the project), keeps the candidate with its figures whatever the
verdict, and promotes it only when it is better on the first and does not forget on the second
(`classifiers/learning.py`). Route labels of a brand with enough of them also fit that brand's
own route head. After a promotion, the open queue items the classifier decided are decided
again with the new heads (answered, escalated or ignored ones are not).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np

from classifiers import learning
from classifiers.heads import Head, HeadSet
from classifiers.shipped_data import reference_rows, training_rows
from config.schema import Settings
from kernel.errors import InputError
from kernel.vocab import TASKS
from triage.learned_heads import with_learned
from triage.storage import Store
from triage.storage.learning import LearningStore, TeamLabel

log = logging.getLogger(__name__)

#: Texts to their embeddings (the classifier's encoder).
Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True, kw_only=True)
class TaskOutcome:
    """What one run did for one task (or one brand's route)."""

    task: str
    brand: str | None = None
    labels: int = 0
    comparison: learning.Comparison | None = None
    version_id: int | None = None
    promoted: bool = False
    skipped: str | None = None
    dry_run: bool = False

    @property
    def slot(self) -> str:
        return f"{self.task}@{self.brand}" if self.brand else self.task

    def line(self) -> str:
        if self.skipped is not None:
            return f"{self.slot}: skipped: {self.skipped}"
        c = self.comparison
        assert c is not None
        metric = "ROC-AUC" if self.task == "route" else "macro-F1"
        ref = (
            f"reference {c.reference_candidate:.3f} vs {c.reference_active:.3f}"
            if c.reference_candidate is not None and c.reference_active is not None
            else "reference: none"
        )
        if self.promoted:
            verdict = f"PROMOTED as v{self.version_id}"
        elif self.dry_run and c.promote:
            verdict = f"would be promoted (dry run) as v{self.version_id}"
        else:
            verdict = f"kept as v{self.version_id}, not promoted"
        return (
            f"{self.slot}: {c.team_rows} labels; {metric} on the team's labels (cross-validated) "
            f"candidate {c.team_candidate:.3f} vs in use {c.team_active:.3f}; {ref}: {verdict} "
            f"({c.reason})"
        )


@dataclass(frozen=True, kw_only=True)
class LearnReport:
    run_id: int
    dry_run: bool
    outcomes: list[TaskOutcome] = field(default_factory=list)
    redecided: int = 0

    @property
    def promoted(self) -> list[TaskOutcome]:
        return [o for o in self.outcomes if o.promoted]

    def lines(self) -> list[str]:
        lines = [o.line() for o in self.outcomes]
        if self.dry_run:
            lines.append("dry run: nothing promoted, candidates kept for `learn --history`")
        elif self.promoted:
            lines.append(f"re-decided {self.redecided} open queue item(s) with the new heads")
        return lines


class Model(NamedTuple):
    """What a run needs of the classifier: its encoder and the heads it starts from."""

    encode: Encode
    encoder_version: str
    #: The shipped heads, or `classifier.heads_dir`'s (the learned versions go on top).
    heads: HeadSet


class Learner:
    """One learning run over the stored labels. `load` gives the classifier's encoder and
    heads; it is called only when a task has enough labels to learn from (loading the encoder
    takes seconds, a run with nothing to learn does not)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        load: Callable[[], Model],
        cache_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.learning = LearningStore(store.engine)
        self._load = load
        self.cache_dir = cache_dir
        self._shipped: dict[str, np.ndarray] | None = None

    @cached_property
    def model(self) -> Model:
        """The encoder, and the heads in use before this run (learned versions on top)."""
        model = self._load()
        heads = with_learned(model.heads, self.learning, model.encoder_version)
        return model._replace(heads=heads)

    @property
    def encode(self) -> Encode:
        return self.model.encode

    @property
    def encoder_version(self) -> str:
        return self.model.encoder_version

    @property
    def heads(self) -> HeadSet:
        return self.model.heads

    def run(
        self, *, tasks: Sequence[str] | None = None, dry_run: bool = False, trigger: str
    ) -> LearnReport:
        opts = self.settings.learning
        chosen = [t for t in (tasks or opts.tasks) if t in TASKS]
        with self.learning.lock() as acquired:
            if not acquired:
                raise InputError("learn: another replica is learning now; try again later")
            with self.store.engine.begin() as conn:
                run_id = self.learning.start_run(conn, trigger=trigger, dry_run=dry_run)
            last_id = self.learning.last_correction_id()
            try:
                outcomes: list[TaskOutcome] = []
                labels = self.learning.labels()
                for task in chosen:
                    outcomes += self._task(task, labels, run_id, dry_run, trigger)
            except Exception as exc:
                self.learning.finish_run(
                    run_id, status="failed", summary=str(exc), last_correction_id=last_id
                )
                raise
            report = LearnReport(run_id=run_id, dry_run=dry_run, outcomes=outcomes)
            self.learning.finish_run(
                run_id,
                status="done",
                summary="\n".join(report.lines()),
                last_correction_id=last_id,
            )
        return report

    def _task(
        self, task: str, labels: list[TeamLabel], run_id: int, dry_run: bool, by: str
    ) -> list[TaskOutcome]:
        opts = self.settings.learning
        mine = [label for label in labels if label.task == task]
        if task == "route":  # `ignore` says nothing about public or private
            mine = [label for label in mine if label.label != "ignore"]
        if len(mine) < opts.min_labels:
            return [
                TaskOutcome(
                    task=task,
                    labels=len(mine),
                    skipped=f"{len(mine)} label(s), needs {opts.min_labels}",
                )
            ]
        if len({label.label for label in mine}) < 2 and task != "intent":
            return [TaskOutcome(task=task, labels=len(mine), skipped="all labels are the same")]
        team = learning.rows(
            task,
            [label.text for label in mine],
            [label.label for label in mine],
            self.encode([label.text for label in mine]),
            brands=[label.brand for label in mine],
            languages=[label.lang for label in mine],
        )
        shipped = training_rows(task)
        base = self._rows(
            task, shipped.texts, shipped.labels, shipped.languages, weights=shipped.weights
        )
        reference = self._rows(task, *reference_rows(task))
        outcomes = [self._compare(task, None, team, base, reference, run_id, dry_run, by)]
        if task == "route":
            counts: dict[str, int] = {}
            for label in mine:
                if label.brand:
                    counts[label.brand] = counts.get(label.brand, 0) + 1
            for brand, count in sorted(counts.items()):
                if count >= opts.min_brand_labels and len(counts) > 1:
                    outcomes.append(
                        self._compare(task, brand, team, base, reference, run_id, dry_run, by)
                    )
        return outcomes

    def _compare(
        self,
        task: str,
        brand: str | None,
        team: learning.Rows,
        base: learning.Rows,
        reference: learning.Rows | None,
        run_id: int,
        dry_run: bool,
        by: str,
    ) -> TaskOutcome:
        opts = self.settings.learning
        active = self._active(task, brand)
        comparison = learning.compare(
            task,
            active,
            base,
            team,
            reference,
            folds=opts.folds,
            min_gain=opts.min_gain,
            max_reference_loss=opts.max_reference_loss,
            brand=brand,
            metadata={
                "encoder": self.encoder_version.split("@")[0],
                "encoder_version": self.encoder_version,
                "origin": "learned",
                "training_data": [
                    *training_rows(task).sources,
                    {"team labels": len(team), "team_weights tried": learning.TEAM_WEIGHTS},
                ],
            },
        )
        promote = comparison.promote and not dry_run
        status = "candidate" if dry_run else ("active" if promote else "rejected")
        head = comparison.candidate
        with self.store.engine.begin() as conn:
            version_id = self.learning.save_version(
                conn,
                task=task,
                brand=brand,
                status="candidate" if promote else status,
                encoder_version=self.encoder_version,
                metadata=head.saved_metadata(),
                arrays=head.arrays(),
                created_by=by,
                reason=comparison.reason,
                run_id=run_id,
            )
            if promote:
                self.learning.promote(conn, version_id, by=by, reason=comparison.reason)
        if promote:
            log.info("learn: %s promoted as v%d: %s", task, version_id, comparison.reason)
        return TaskOutcome(
            task=task,
            brand=brand,
            labels=comparison.team_rows,
            comparison=comparison,
            version_id=version_id,
            promoted=promote,
            dry_run=dry_run,
        )

    def _active(self, task: str, brand: str | None) -> Head:
        if brand is not None and brand in self.heads.brand_routes:
            return self.heads.brand_routes[brand]
        return self.heads.heads[task]

    def _rows(
        self,
        task: str,
        texts: list[str],
        labels: list[str],
        languages: list[str | None],
        *,
        weights: list[float] | None = None,
    ) -> learning.Rows:
        vectors = self._shipped_vectors()
        x = np.stack([vectors[text] for text in texts]) if texts else np.zeros((0, 0))
        return learning.rows(task, texts, labels, x, languages=languages, weights=weights)

    def _shipped_vectors(self) -> dict[str, np.ndarray]:
        """The embedding of every shipped row of every task (training and reference), each
        distinct text encoded once per encoder and kept in the cache folder."""
        if self._shipped is None:
            texts: list[str] = []
            for task in TASKS:
                texts += training_rows(task).texts + reference_rows(task)[0]
            unique = sorted(set(texts))
            vectors = self._cached(unique, "shipped")
            self._shipped = dict(zip(unique, vectors, strict=True))
        return self._shipped

    def _cached(self, texts: list[str], tag: str) -> np.ndarray:
        """Embeddings of shipped rows, computed once per encoder and kept in the cache folder
        (a few MB): the first run of `learn` encodes them, later runs read them."""
        if self.cache_dir is None:
            return self.encode(texts)
        key = hashlib.sha256(
            (self.encoder_version + "\n" + "\n".join(texts)).encode("utf-8")
        ).hexdigest()[:16]
        path = self.cache_dir / f"{tag}-{key}.npy"
        if path.is_file():
            try:
                cached = np.load(path)
                if cached.shape[0] == len(texts):
                    return cached
            except (OSError, ValueError):
                pass
        vectors = np.asarray(self.encode(texts), dtype=np.float32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp.npy")
            np.save(temporary, vectors)
            temporary.replace(path)
        except OSError as exc:  # a read-only cache: compute again next time
            log.warning("learn: cannot keep embeddings in %s: %s", path.parent, exc.strerror)
        return vectors
