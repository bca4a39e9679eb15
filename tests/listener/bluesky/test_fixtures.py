"""The Bluesky fixtures follow the lexicons: each body the tests serve parses, strictly, into
the atproto package's generated model for its call (so a fixture cannot drift from what the
network sends)."""

from __future__ import annotations

import pytest
from atproto import models
from atproto_client.models.utils import get_or_create

from tests.listener.bluesky.helpers import body

MODELS = {
    "create_session.json": models.ComAtprotoServerCreateSession.Response,
    "list_notifications_page1.json": models.AppBskyNotificationListNotifications.Response,
    "list_notifications_page2.json": models.AppBskyNotificationListNotifications.Response,
    "get_posts.json": models.AppBskyFeedGetPosts.Response,
    "search_posts.json": models.AppBskyFeedSearchPosts.Response,
    "create_record.json": models.ComAtprotoRepoCreateRecord.Response,
    "get_convo_for_members.json": models.ChatBskyConvoGetConvoForMembers.Response,
    "send_message.json": models.ChatBskyConvoDefs.MessageView,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_fixture_parses_into_its_lexicon_model(name: str) -> None:
    parsed = get_or_create(body(name), MODELS[name], strict=True)
    assert isinstance(parsed, MODELS[name])


def test_notifications_hold_post_records() -> None:
    page = get_or_create(
        body("list_notifications_page1.json"),
        models.AppBskyNotificationListNotifications.Response,
        strict=True,
    )
    assert page is not None
    for notification in page.notifications:
        assert models.is_record_type(notification.record, models.ids.AppBskyFeedPost)
