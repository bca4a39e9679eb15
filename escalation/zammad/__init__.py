"""The Zammad sink: a ticket per case over the REST API, found again by a reference tag, its
state read back.

`settings` is the settings model, `sink` the delivery; the record maps Zammad's ticket state
names onto the project's ticket states. This module stays light (no httpx): it is loaded
whenever settings are.
"""

from __future__ import annotations

from escalation.zammad.settings import ZammadSinkSettings
from kernel import plugins
from kernel.models import TicketState

PLUGIN = plugins.sink(
    "zammad",
    settings=ZammadSinkSettings,
    implementation="escalation.zammad.sink:ZammadSink",
    ticket_states={
        "new": TicketState.OPEN,
        "open": TicketState.OPEN,
        "pending reminder": TicketState.WAITING,
        "pending close": TicketState.WAITING,
        "closed": TicketState.RESOLVED,
        # Merged into another ticket, where the agents carry on: nothing is left to do here.
        "merged": TicketState.RESOLVED,
        "removed": TicketState.REJECTED,
    },
)
