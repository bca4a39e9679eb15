"""The queue's refusals an agent meets during a shift ("post 12 is claimed by bia until 14:05
UTC"), worded again in the reader's language at the web boundary.

`triage.queue` raises its errors in English for the CLI and the logs; the web app matches the
frequent ones here and words them from the `web` catalog, keeping their facts (post, person,
time, state). A message no pattern knows stays as the queue wrote it: a new refusal shows in
English until it gets a line here, never as nothing. English readers get the queue's own text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from triage.web.i18n import N_, current, gettext
from triage.web.labels import label

_ID = r"post (?P<id>\d+)"
_STATUS = r"(?P<status>open|answered|ignored|escalated)"
#: (the queue's message, the web's msgid for it); the first that matches the whole text wins.
REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (
            _ID + r" is already " + _STATUS + r"; send anyway only with 'answer again'",
            N_("post %(id)s is already %(status)s; send anyway only with “answer again”"),
        ),
        (
            _ID + r" is " + _STATUS + r" already; escalate it from its own page if it needs a "
            r"case",
            N_(
                "post %(id)s is %(status)s already; escalate it from its own page if it needs "
                "a case"
            ),
        ),
        (_ID + r" is " + _STATUS + r" already", N_("post %(id)s is %(status)s already")),
        (
            _ID + r" is claimed by (?P<who>\S+) until (?P<until>[^;]*); take it over to answer",
            N_("post %(id)s is claimed by %(who)s until %(until)s; take it over to answer"),
        ),
        (
            _ID + r" is claimed by (?P<who>\S+) until (?P<until>[^;]*); open it to act on it",
            N_("post %(id)s is claimed by %(who)s until %(until)s; open it to act on it"),
        ),
        (
            _ID + r" is claimed by (?P<who>\S+) until (?P<until>[^;]*)",
            N_("post %(id)s is claimed by %(who)s until %(until)s"),
        ),
        (_ID + r" changed meanwhile; look again", N_("post %(id)s changed meanwhile; look again")),
        (
            _ID + r" was re-decided meanwhile; look again",
            N_("post %(id)s was re-decided meanwhile; look again"),
        ),
        (
            _ID + r" changed since; it stays as it is",
            N_("post %(id)s changed since; it stays as it is"),
        ),
        (
            _ID + r": nothing of yours to undo \(an ignore or escalation can be undone for "
            r"(?P<seconds>\d+) s\)",
            N_(
                "post %(id)s: nothing of yours to undo (an ignore or escalation can be undone "
                "for %(seconds)s s)"
            ),
        ),
        (
            r"nothing of yours to undo \(a bulk action can be undone for (?P<seconds>\d+) s\)",
            N_("nothing of yours to undo (a bulk action can be undone for %(seconds)s s)"),
        ),
        (
            _ID + r" is already escalated: case (?P<case>\d+) \((?P<state>\w+)\)",
            N_("post %(id)s is already escalated: case %(case)s (%(state)s)"),
        ),
        (
            _ID + r" already has a helpdesk case: case (?P<case>\d+) \((?P<state>\w+)\)",
            N_("post %(id)s already has a helpdesk case: case %(case)s (%(state)s)"),
        ),
        (
            _ID + r": its case is gone; nothing to undo",
            N_("post %(id)s: its case is gone; nothing to undo"),
        ),
        (r"no decided post (?P<id>\d+) in the queue", N_("no decided post %(id)s in the queue")),
        (
            r"(?P<who>\S+) \((?P<role>\w+)\) can read the queue but not act on it",
            N_("%(who)s (%(role)s) can read the queue but not act on it"),
        ),
        (r"only a lead or admin can reassign items", N_("only a lead or admin can reassign items")),
        (
            r"only a lead or admin can release held cases",
            N_("only a lead or admin can release held cases"),
        ),
        (r"only a lead or admin can assign posts", N_("only a lead or admin can assign posts")),
        (
            r"saved replies are managed by leads and admins",
            N_("saved replies are managed by leads and admins"),
        ),
        (r"reply: the message is empty", N_("reply: the message is empty")),
        (
            r"reply: the message is longer than 10,000 characters",
            N_("reply: the message is longer than 10,000 characters"),
        ),
        (
            r"reply: fill in (?P<names>.+) first \(the saved reply had no value for it\)",
            N_("reply: fill in %(names)s first (the saved reply had no value for it)"),
        ),
        (r"note: the note is empty", N_("note: the note is empty")),
        (
            r"password for (?P<who>\S+): at least (?P<n>\d+) characters",
            N_("password for %(who)s: at least %(n)s characters"),
        ),
        (
            r"password for (?P<who>\S+): at most (?P<n>\d+) characters",
            N_("password for %(who)s: at most %(n)s characters"),
        ),
        (
            r"password for (?P<who>\S+) is too easy to guess: (?P<why>.*)",
            N_("password for %(who)s is too easy to guess (%(why)s)"),
        ),
        (r"saved reply: the title is empty", N_("saved reply: the title is empty")),
        (
            r"saved reply: the title is longer than (?P<n>\d+) characters",
            N_("saved reply: the title is longer than %(n)s characters"),
        ),
        (r"saved reply: the text is empty", N_("saved reply: the text is empty")),
        (
            r"saved reply: the text is longer than (?P<n>[\d,]+) characters",
            N_("saved reply: the text is longer than %(n)s characters"),
        ),
        (
            r"saved reply: unknown variable (?P<names>.+); the variables are (?P<known>.+)",
            N_("saved reply: unknown variable %(names)s; the variables are %(known)s"),
        ),
    )
)
#: Facts worded on the way: a state as the reader names it.
_WORDED: dict[str, Callable[[str], str]] = {
    "status": lambda value: label(value, "status"),
    "state": lambda value: label(value, "case"),
    "role": lambda value: label(value, "role"),
}


def reword(message: str) -> str:
    """`message` (one of the queue's refusals) in the reader's language, when known."""
    if current() == "en":
        return message
    for pattern, msgid in REFUSALS:
        found = pattern.fullmatch(message.strip())
        if found is not None:
            facts = {
                key: _WORDED[key](value) if key in _WORDED else value
                for key, value in found.groupdict().items()
            }
            return gettext(msgid) % facts
    return message
