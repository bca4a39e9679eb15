"""Sink settings: one pydantic model per type, built into sinks by the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_settings
from escalation.email import EmailSink, EmailSinkSettings
from escalation.file import FileSink, FileSinkSettings
from escalation.registry import build_sink
from escalation.request_tracker.settings import RequestTrackerSinkSettings
from escalation.request_tracker.sink import RequestTrackerSink
from escalation.webhook.settings import WebhookSinkSettings
from escalation.webhook.sink import WebhookSink
from escalation.zendesk.settings import ZendeskSinkSettings
from escalation.zendesk.sink import ZendeskSink
from kernel.errors import ConfigError, NotConfigured
from kernel.plugins import registered

CONFIG = """
sinks:
  - name: hook
    type: webhook
    url: http://127.0.0.1:9000/cases
    secret_env: TEST_HOOK_SECRET
  - name: rt
    type: request_tracker
    url: https://rt.example.com
    queue: Social
    user: triage-bot
    password_file: rt-password
    priorities: {high: 80}
  - name: zd
    type: zendesk
    subdomain: acme
    email: bot@acme.example
    token_env: TEST_ZD_TOKEN
    group_id: 7
    custom_fields: {114: social}
  - name: mail
    type: email
    host: smtp.example.com
    port: 587
    starttls: true
    username: triage
    password_env: TEST_SMTP_PASSWORD
    from: triage@acme.example
    to: [help@acme.example]
  - name: local
    type: file
    templates: my-templates
escalation:
  default_sink: rt
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "social-triage.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "rt-password").write_text("rt-secret\n")
    (tmp_path / "my-templates").mkdir()
    monkeypatch.setenv("TEST_HOOK_SECRET", "hook-secret")
    monkeypatch.setenv("TEST_ZD_TOKEN", "zd-secret")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "smtp-secret")
    return path


def test_each_type_parses_into_its_own_model(config: Path) -> None:
    sinks = load_settings(config, environ={}).sinks
    assert [type(s) for s in sinks] == [
        WebhookSinkSettings,
        RequestTrackerSinkSettings,
        ZendeskSinkSettings,
        EmailSinkSettings,
        FileSinkSettings,
    ]
    rt, mail, local = sinks[1], sinks[3], sinks[4]
    assert isinstance(rt, RequestTrackerSinkSettings)
    assert rt.custom_field == "External ID"
    assert rt.password_file == config.parent / "rt-password"
    assert isinstance(mail, EmailSinkSettings) and mail.from_address == "triage@acme.example"
    assert isinstance(local, FileSinkSettings)
    assert local.path == config.parent / "escalated-cases.jsonl"


def test_registry_builds_every_sink(config: Path) -> None:
    settings = load_settings(config, environ={})
    built = [build_sink(s, templates=settings.escalation.templates) for s in settings.sinks]
    assert [type(s) for s in built] == [
        WebhookSink,
        RequestTrackerSink,
        ZendeskSink,
        EmailSink,
        FileSink,
    ]
    assert set(registered("sink")) == {
        "webhook",
        "request_tracker",
        "zendesk",
        "zammad",
        "email",
        "file",
    }
    rt, zd, local = built[1], built[2], built[4]
    assert isinstance(rt, RequestTrackerSink) and rt.priorities["high"] == 80
    assert isinstance(zd, ZendeskSink) and zd.base_url == "https://acme.zendesk.com"
    assert isinstance(local, FileSink)
    assert local.renderer.templates == config.parent / "my-templates"
    for sink in built:
        for secret in ("hook-secret", "rt-secret", "zd-secret", "smtp-secret"):
            assert secret not in sink.describe()
        sink.close()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            WebhookSinkSettings(name="hook", url="http://h", secret_env="UNSET_SECRET_VAR"),
            r"sinks\[hook\]\.secret: not configured; set the environment variable UNSET_SECRET_VAR",
        ),
        (
            WebhookSinkSettings(name="hook", url="http://h", secret_env=None),
            r"sinks\[hook\]\.secret_env: not configured",
        ),
        (
            RequestTrackerSinkSettings(
                name="rt", url="http://rt", user="u", password_env="UNSET_SECRET_VAR"
            ),
            r"sinks\[rt\]\.password: not configured",
        ),
        (
            ZendeskSinkSettings(name="zd", email="a@b", token_env="UNSET_SECRET_VAR"),
            r"sinks\[zd\]\.subdomain: not configured \(or give base_url\)",
        ),
        (
            EmailSinkSettings.model_validate(
                {"name": "m", "host": "h", "username": "u", "password_env": None}
                | {"from": "a@b", "to": ["c@d"]}
            ),
            r"sinks\[m\]\.password_env: needed when username is set",
        ),
    ],
)
def test_missing_settings_are_named(settings: object, message: str) -> None:
    with pytest.raises(NotConfigured, match=message):
        build_sink(settings)  # type: ignore[arg-type]


def test_email_without_login_needs_no_password() -> None:
    settings = EmailSinkSettings.model_validate(
        {"name": "m", "host": "h", "from": "a@b", "to": ["c@d"]}
    )
    assert isinstance(build_sink(settings), EmailSink)


def test_unknown_sink_setting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("sinks: [{name: h, type: webhook, url: http://h, token: x}]")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(path, environ={})


def test_unknown_sink_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("sinks: [{name: h, type: jira}]")
    with pytest.raises(ConfigError, match="sinks"):
        load_settings(path, environ={})


@pytest.mark.parametrize(
    "sink",
    [
        "{type: request_tracker, url: 'http://rt', queue: Q, user: u, priorities: {hihg: 70}}",
        "{type: zendesk, subdomain: acme, email: a@b.c, priorities: {hihg: high}}",
        "{type: zammad, url: 'http://z', group: G, customer: c@d.e, priorities: {hihg: 3 high}}",
    ],
)
def test_a_priority_map_naming_an_unknown_priority_is_refused(sink: str, tmp_path: Path) -> None:
    """A typo in `priorities` would never match a decision: it is refused at load, one line."""
    path = tmp_path / "c.yaml"
    path.write_text(f"sinks: [{sink[:-1]}, name: h}}]")
    with pytest.raises(ConfigError, match=r"sinks\.0\.priorities: unknown priority hihg \(known"):
        load_settings(path, environ={})
