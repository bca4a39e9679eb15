"""Configuring the Reddit source: missing credentials, nothing to read, a secret-free describe."""

from __future__ import annotations

import pytest

from config.base import BrandSettings
from kernel.errors import (
    NotConfigured,
)
from listener.reddit.settings import RedditSourceSettings
from listener.reddit.source import RedditSource
from tests.httpserver import FakeAPI
from tests.listener.reddit.helpers import (
    SECRET,
    make_source,
)


def test_missing_credentials_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_REDDIT_ID", raising=False)
    settings = RedditSourceSettings(
        name="reddit-x", client_id_env="TEST_REDDIT_ID", subreddits=["acme"]
    )
    with pytest.raises(NotConfigured, match=r"sources\[reddit-x\]\.client_id"):
        RedditSource.from_settings(settings, BrandSettings())


def test_nothing_to_read_is_not_configured(fake_api: FakeAPI) -> None:
    with pytest.raises(NotConfigured, match="subreddits"):
        make_source(fake_api, subreddits=[], queries=[])


def test_describe_names_streams_not_secrets(fake_api: FakeAPI) -> None:
    source = make_source(fake_api, comments=True, queries=["acme down", "acme refund"])
    text = source.describe()
    assert "r/acme new" in text and "r/acme comments" in text and "2 searches" in text
    assert SECRET not in text and "cid" not in text
    source.close()
