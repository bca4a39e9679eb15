"""The Learning page words what `learn` stored in English in the reader's language."""

from __future__ import annotations

from triage.web.i18n import speaking
from triage.web.learning_words import outcome, reason

PROMOTED = (
    "sentiment: 300 labels; macro-F1 on the team's labels (cross-validated) candidate 0.668 vs "
    "in use 0.616; reference 0.802 vs 0.793: PROMOTED as v2 (better on the team's labels "
    "(+0.052) and on the reference set within 0.010 (0.802 vs 0.793))"
)
RUN = PROMOTED + "\nre-decided 5 open queue item(s) with the new heads"


def test_english_readers_get_the_stored_text() -> None:
    with speaking("en"):
        assert outcome(RUN) == RUN
        assert reason("better on the team's labels (+0.052)") == (
            "better on the team's labels (+0.052)"
        )


def test_a_run_in_portuguese_keeps_its_figures_and_lines() -> None:
    with speaking("pt_BR"):
        worded = outcome(RUN)
    first, second = worded.split("\n")
    assert first.startswith("sentimento: 300 rótulos; macro-F1 nos rótulos da equipe")
    assert "0,668 contra 0,616" in first and "referência 0,802 contra 0,793" in first
    assert "PROMOVIDA como v2" in first and "dentro de 0,010" in first
    assert second == "5 item(ns) abertos da fila decididos de novo com as cabeças novas"


def test_reasons_in_spanish() -> None:
    with speaking("es"):
        kept = reason("not better on the team's labels (0.610 vs 0.616 in use, needs +0.005)")
        forgot = reason(
            "better on the team's labels (+0.040) but forgets: reference 0.760 vs 0.793 in "
            "use (more than 0.010)"
        )
        dry = outcome(
            "route@Acme: 72 labels; ROC-AUC on the team's labels (cross-validated) candidate "
            "0.900 vs in use 0.700; reference: none: would be promoted (dry run) as v1 (better "
            "on the team's labels (+0.200))\ndry run: nothing promoted, candidates kept for "
            "`learn --history`"
        )
    assert kept == (
        "no es mejor en las etiquetas del equipo (0,610 frente a 0,616 de la actual, necesita "
        "+0,005)"
    )
    assert "pero olvida: referencia 0,760 frente a 0,793" in forgot
    assert dry.startswith("ruta@Acme: 72 etiquetas; ROC-AUC") or "@Acme: 72 etiquetas" in dry
    assert "sería promovida (simulación) como v1" in dry and "referencia: ninguna" in dry
    assert dry.endswith("simulación: nada promovido, candidatas guardadas para `learn --history`")


def test_an_unknown_sentence_is_shown_as_stored() -> None:
    with speaking("pt_BR"):
        assert outcome("route: skipped: 12 labels (needs 30)") == (
            "route: skipped: 12 labels (needs 30)"
        )
        assert reason(None) == ""


def test_the_sentences_learn_writes_today_are_the_ones_the_page_knows() -> None:
    """If `triage.learn` words a run differently, this fails rather than the page going
    silently back to English."""
    from types import SimpleNamespace
    from typing import Any

    from triage.learn import LearnReport, TaskOutcome

    def outcome_of(promote: bool, reason: str, **kw: Any) -> TaskOutcome:
        comparison: Any = SimpleNamespace(
            team_rows=300, team_candidate=0.668, team_active=0.616,
            reference_candidate=0.802, reference_active=0.793, promote=promote, reason=reason,
        )  # fmt: skip
        return TaskOutcome(task="sentiment", comparison=comparison, version_id=2, **kw)

    lines = [
        *LearnReport(
            run_id=1,
            dry_run=False,
            outcomes=[outcome_of(True, "better on the team's labels (+0.052)", promoted=True)],
            redecided=5,
        ).lines(),
        *LearnReport(
            run_id=2,
            dry_run=True,
            outcomes=[outcome_of(True, "better on the team's labels (+0.052)", dry_run=True)],
        ).lines(),
        outcome_of(
            False, "not better on the team's labels (0.610 vs 0.616 in use, needs +0.005)"
        ).line(),
    ]
    with speaking("pt_BR"):
        worded = [outcome(line) for line in lines]
    assert all(new != old for new, old in zip(worded, lines, strict=True)), worded
    assert "não é melhor nos rótulos da equipe" in worded[-1]
