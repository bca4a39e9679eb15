"""The Request Tracker sink: a ticket per case over RT's REST 2.0 API, found again by a custom
field holding the case key, its status read back.

`settings` is the settings model, `sink` the delivery; the record maps RT's lifecycle words
onto the project's ticket states. This module stays light (no requests): it is loaded whenever
settings are.
"""

from __future__ import annotations

from escalation.request_tracker.settings import RequestTrackerSinkSettings
from kernel import plugins
from kernel.models import TicketState

PLUGIN = plugins.sink(
    "request_tracker",
    settings=RequestTrackerSinkSettings,
    implementation="escalation.request_tracker.sink:RequestTrackerSink",
    # RT 5's default lifecycle.
    ticket_states={
        "new": TicketState.OPEN,
        "open": TicketState.OPEN,
        "stalled": TicketState.WAITING,
        "resolved": TicketState.RESOLVED,
        "rejected": TicketState.REJECTED,
        "deleted": TicketState.REJECTED,
    },
)
