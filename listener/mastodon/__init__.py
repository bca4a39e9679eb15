"""Mastodon through Mastodon.py: mention notifications, hashtag timelines and status search,
replies and direct messages.

`settings` is the settings model, `source` the poller, `client` the Mastodon.py session and
its errors, `parse` turns statuses into posts, `reply` answers as the brand's account. This
module stays light (no Mastodon.py): it is loaded whenever settings are.
"""

from __future__ import annotations

from kernel import plugins
from listener.mastodon.settings import MastodonSourceSettings

PLUGIN = plugins.source(
    "mastodon",
    settings=MastodonSourceSettings,
    implementation="listener.mastodon.source:MastodonSource",
    responder="listener.mastodon.reply:MastodonResponder",
    # Handles are stored fully qualified (`user@instance`, see `parse`), which any instance
    # resolves to the author's profile.
    profile_url="https://mastodon.social/@{handle}",
)
