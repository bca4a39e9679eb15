"""Settings of the learning loop: when the daemon refits the heads from people's corrections,
and what a candidate must show before it replaces the heads in use (docs/learning.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from config.digest import check_cron
from kernel.vocab import TASKS, Task


class LearningSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Let the daemon run `learn` on `schedule`. `social-triage learn` works either way.
    enabled: bool = True
    #: When the daemon looks for new corrections (crontab: minute hour day month weekday, UTC):
    #: nightly at 03:30 by default.
    schedule: str = "30 3 * * *"
    #: The daemon learns only once this many corrections (all tasks together) arrived since
    #: its last run; `social-triage learn` does not wait for them.
    min_new_corrections: int = Field(default=50, ge=1)
    #: The heads the loop may replace.
    tasks: list[Task] = Field(default_factory=lambda: list(TASKS))
    #: A task learns only from at least this many labels (fewer cannot be cross-validated).
    min_labels: int = Field(default=30, ge=10)
    #: A brand gets its own route head from this many route labels for it; below, its posts use
    #: the global route head (which every brand's labels teach).
    min_brand_labels: int = Field(default=50, ge=10)
    #: Folds of the cross-validation on the team's labels.
    folds: int = Field(default=5, ge=2, le=10)
    #: A candidate must beat the heads in use on the team's labels by at least this much
    #: (macro-F1, or ROC-AUC for the route head) ...
    min_gain: float = Field(default=0.005, ge=0, le=1)
    #: ... and may lose at most this much on the shipped reference set (no forgetting).
    max_reference_loss: float = Field(default=0.01, ge=0, le=1)

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)
