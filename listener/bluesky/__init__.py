"""Bluesky through the `atproto` package: the brand account's mentions, replies and quotes,
post searches, and replies threaded to the right root and parent.

`settings` is the settings model, `source` the poller, `client` the atproto session and its
errors, `parse` turns post records and views into posts (facets to readable text, images' alt
text), `reply` answers as the brand's account. This module stays light (no atproto): it is
loaded whenever settings are.
"""

from __future__ import annotations

from kernel import plugins
from listener.bluesky.settings import BlueskySourceSettings

PLUGIN = plugins.source(
    "bluesky",
    settings=BlueskySourceSettings,
    implementation="listener.bluesky.source:BlueskySource",
    responder="listener.bluesky.reply:BlueskyResponder",
    profile_url="https://bsky.app/profile/{handle}",
)
