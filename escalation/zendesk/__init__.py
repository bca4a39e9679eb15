"""The Zendesk sink: a ticket per case over the Tickets API, found again by `external_id`,
its status read back.

`settings` is the settings model, `sink` the delivery; the record maps Zendesk's ticket
statuses onto the project's ticket states. This module stays light (no requests): it is loaded
whenever settings are.
"""

from __future__ import annotations

from escalation.zendesk.settings import ZendeskSinkSettings
from kernel import plugins
from kernel.models import TicketState

PLUGIN = plugins.sink(
    "zendesk",
    settings=ZendeskSinkSettings,
    implementation="escalation.zendesk.sink:ZendeskSink",
    ticket_states={
        "new": TicketState.OPEN,
        "open": TicketState.OPEN,
        "pending": TicketState.WAITING,
        "hold": TicketState.WAITING,
        "solved": TicketState.RESOLVED,
        "closed": TicketState.RESOLVED,
        "deleted": TicketState.REJECTED,
    },
)
