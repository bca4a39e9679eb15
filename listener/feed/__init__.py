"""RSS and Atom feeds (Discourse, forums, blogs, review sites) through feedparser.

`settings` is the settings model, `source` the poller, `parse` turns entries into posts. Feeds
have no reply API: agents answer on the site itself. This module stays light (no feedparser): it
is loaded whenever settings are.
"""

from __future__ import annotations

from kernel import plugins
from listener.feed.settings import FeedSourceSettings

PLUGIN = plugins.source(
    "feed", settings=FeedSourceSettings, implementation="listener.feed.source:FeedSource"
)
