"""Reddit through praw: subreddit streams and searches, comments with their parents, replies
and private messages.

`settings` is the settings model, `source` the poller, `client` the praw session and its
errors, `cursor` what a stream remembers, `items` and `parents` turn listings into posts,
`reply` answers as the brand's account. This module stays light (no praw): it is loaded
whenever settings are.
"""

from __future__ import annotations

from kernel import plugins
from listener.reddit.settings import RedditSourceSettings

PLUGIN = plugins.source(
    "reddit",
    settings=RedditSourceSettings,
    implementation="listener.reddit.source:RedditSource",
    responder="listener.reddit.reply:RedditResponder",
    profile_url="https://www.reddit.com/user/{handle}",
)
