"""X (Twitter) through tweepy: mentions and recent search, replies and DMs.

`settings` is the settings model, `source` the poller, `parse` and `response` turn X's
bodies and headers into posts and errors, `reply` answers as the brand account. This module
stays light (no tweepy): it is loaded whenever settings are.
"""

from __future__ import annotations

from kernel import plugins
from listener.x.settings import XSourceSettings

PLUGIN = plugins.source(
    "x",
    settings=XSourceSettings,
    implementation="listener.x.source:XSource",
    responder="listener.x.reply:XResponder",
    profile_url="https://x.com/{handle}",
    aliases=("twitter",),
)
