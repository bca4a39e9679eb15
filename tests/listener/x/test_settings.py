"""Building the X source from settings: missing token, nothing to poll, a working one."""

from __future__ import annotations

from typing import Any

import pytest

from config.base import BrandSettings
from kernel.errors import (
    NotConfigured,
)
from listener.x.settings import XSourceSettings
from listener.x.source import XSource
from tests.httpserver import FakeAPI
from tests.listener.x.helpers import (
    BRAND_ID,
    MENTIONS,
    SEARCH,
    TOKEN,
    collect,
    response,
)


def settings(**kwargs: Any) -> XSourceSettings:
    return XSourceSettings(name="brand-x", brand_user_id=BRAND_ID, **kwargs)


def test_from_settings_without_the_env_var_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIAGE_X_TEST_TOKEN", raising=False)
    with pytest.raises(NotConfigured, match="TRIAGE_X_TEST_TOKEN") as info:
        XSource.from_settings(settings(bearer_token_env="TRIAGE_X_TEST_TOKEN"), BrandSettings())
    assert "sources[brand-x].bearer_token" in str(info.value)


def test_from_settings_with_nothing_to_poll_refuses() -> None:
    with pytest.raises(NotConfigured, match="nothing to poll"):
        XSource.from_settings(
            XSourceSettings(name="brand-x", brand_username="AcmeSupport"), BrandSettings()
        )


def test_from_settings_builds_a_source_that_polls(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_X_BEARER_TOKEN", TOKEN)
    source = XSource.from_settings(
        settings(base_url=fake_api.url, queries=["acme"], brand_username="AcmeBrand"),
        BrandSettings(handles=["acme"]),
    )
    assert source.brand.handles == frozenset({"acme", "acmebrand"})
    assert TOKEN not in source.describe() and "q:acme" in source.describe()
    fake_api.add("GET", MENTIONS, response("zero_results.dm_events.tweepy_cassette.json"))
    fake_api.add("GET", SEARCH, response("zero_results.dm_events.tweepy_cassette.json"))
    pages = collect(source)
    assert [p.cursor for p in pages][-1] == {"mentions": {}, "q:acme": {}, "_turn": 1}
    assert fake_api.requests_to(SEARCH)[0].param("max_results") == "100"
    source.close()
