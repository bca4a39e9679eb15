"""The webhook sink: each case POSTed as signed JSON to a receiver the team runs.

`settings` is the settings model, `sink` the delivery. A webhook has no ticket to read back,
so it maps no status words. This module stays light (no requests): it is loaded whenever
settings are.
"""

from __future__ import annotations

from escalation.webhook.settings import WebhookSinkSettings
from kernel import plugins

PLUGIN = plugins.sink(
    "webhook", settings=WebhookSinkSettings, implementation="escalation.webhook.sink:WebhookSink"
)
