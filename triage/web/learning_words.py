"""What `learn` wrote about a candidate head ("better on the team's labels (+0.052) and on the
reference set within 0.010 (0.802 vs 0.793)") and about a run, worded again in the reader's
language on the Learning page.

`triage.learn` writes these once, in English, for the CLI, the logs and the audit log; the
stored text is the record. Like `refusals`, a sentence no pattern knows is shown as written
(English), never as nothing; English readers get the stored text itself.
"""

from __future__ import annotations

import re

from triage.web.i18n import N_, current, gettext, number
from triage.web.labels import label

_N = r"[0-9]+\.[0-9]+"
#: (the stored reason, the web's msgid); the first that matches the whole text wins.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (
            rf"not better on the team's labels \((?P<cand>{_N}) vs (?P<act>{_N}) in use, "
            rf"needs \+(?P<need>{_N})\)",
            N_("not better on the team's labels (%(cand)s vs %(act)s in use, needs +%(need)s)"),
        ),
        (
            rf"better on the team's labels \(\+(?P<gain>{_N})\) and on the reference set within "
            rf"(?P<tol>{_N}) \((?P<rc>{_N}) vs (?P<ra>{_N})\)",
            N_(
                "better on the team's labels (+%(gain)s) and on the reference set within "
                "%(tol)s (%(rc)s vs %(ra)s)"
            ),
        ),
        (
            rf"better on the team's labels \(\+(?P<gain>{_N})\) but forgets: reference "
            rf"(?P<rc>{_N}) vs (?P<ra>{_N}) in use \(more than (?P<tol>{_N})\)",
            N_(
                "better on the team's labels (+%(gain)s) but forgets: reference %(rc)s vs "
                "%(ra)s in use (more than %(tol)s)"
            ),
        ),
        (
            rf"better on the team's labels \(\+(?P<gain>{_N})\)",
            N_("better on the team's labels (+%(gain)s)"),
        ),
    )
)

#: One line of a run's outcome (`triage.learn.TaskOutcome.line` and `LearnReport.lines`).
_OUTCOME = re.compile(
    rf"(?P<slot>\S+): (?P<n>[0-9]+) labels; (?P<metric>ROC-AUC|macro-F1) on the team's labels "
    rf"\(cross-validated\) candidate (?P<tc>{_N}) vs in use (?P<ta>{_N}); "
    rf"(?:reference (?P<rc>{_N}) vs (?P<ra>{_N})|reference: none): "
    r"(?:(?P<promoted>PROMOTED as v(?P<pv>[0-9]+))|(?P<would>would be promoted \(dry run\) as "
    r"v(?P<wv>[0-9]+))|(?P<kept>kept as v(?P<kv>[0-9]+), not promoted)) \((?P<reason>.*)\)"
)
_REDECIDED = re.compile(r"re-decided (?P<n>[0-9]+) open queue item\(s\) with the new heads")
_DRY_RUN = "dry run: nothing promoted, candidates kept for `learn --history`"


def _figures(match: re.Match[str]) -> dict[str, str]:
    """Every figure the reader's way (0,802 in Portuguese), the rest as matched."""
    return {
        key: number(float(value), 3) if value and re.fullmatch(_N, value) else (value or "")
        for key, value in match.groupdict().items()
    }


def reason(text: str | None) -> str:
    """A version's reason in the reader's language (as stored when no pattern knows it)."""
    if not text or current() == "en":
        return text or ""
    for pattern, msgid in REASONS:
        found = pattern.fullmatch(text)
        if found:
            return gettext(msgid) % _figures(found)
    return text


def _line(text: str) -> str:
    if text == _DRY_RUN:
        return gettext("dry run: nothing promoted, candidates kept for `learn --history`")
    found = _REDECIDED.fullmatch(text)
    if found:
        return gettext("re-decided %(n)s open queue item(s) with the new heads") % {"n": found["n"]}
    found = _OUTCOME.fullmatch(text)
    if not found:
        return text
    facts = _figures(found)
    if found["promoted"]:
        verdict = gettext("PROMOTED as v%(v)s") % {"v": found["pv"]}
    elif found["would"]:
        verdict = gettext("would be promoted (dry run) as v%(v)s") % {"v": found["wv"]}
    else:
        verdict = gettext("kept as v%(v)s, not promoted") % {"v": found["kv"]}
    task, _, brand = facts["slot"].partition("@")
    slot = label(task, "task") + (f"@{brand}" if brand else "")
    reference = (
        gettext("reference %(rc)s vs %(ra)s") % facts
        if found["rc"] is not None
        else gettext("reference: none")
    )
    return gettext(
        "%(slot)s: %(n)s labels; %(metric)s on the team's labels (cross-validated) candidate "
        "%(tc)s vs in use %(ta)s; %(reference)s: %(verdict)s (%(reason)s)"
    ) % {
        **facts,
        "slot": slot,
        "reference": reference,
        "verdict": verdict,
        "reason": reason(found["reason"]),
    }


def outcome(text: str | None) -> str:
    """A run's outcome, line by line, in the reader's language."""
    if not text or current() == "en":
        return text or ""
    return "\n".join(_line(line) for line in text.split("\n"))
