from __future__ import annotations

from pathlib import Path

import pytest

from config import load_settings
from config.secrets import describe_secret, resolve_secret
from kernel.errors import ConfigError, NotConfigured
from listener.replay import ReplaySourceSettings
from listener.x.settings import XSourceSettings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "social-triage.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_is_the_embedded_default(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), environ={})
    assert settings.database.url == "sqlite:///social-triage.db"
    assert [s.name for s in settings.sources] == ["sample"]
    assert isinstance(settings.sources[0], ReplaySourceSettings)
    assert settings.sources[0].path is None  # the bundled sample


def test_no_file_uses_defaults_and_cwd_file_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).sources[0].name == "sample"
    write(tmp_path, "sources: [{name: mine, type: replay, path: p.jsonl}]")
    assert load_settings(environ={}).sources[0].name == "mine"


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    sub = tmp_path / "conf"
    sub.mkdir()
    settings = load_settings(write(sub, "sources: [{name: a, type: replay, path: p.jsonl}]"))
    source = settings.sources[0]
    assert isinstance(source, ReplaySourceSettings)
    assert source.path == sub.resolve() / "p.jsonl"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sources: [{name: a, type: replay, interval_seconds: 0}]",
            "sources.0.interval_seconds: Input should be greater than 0",
        ),
        ("sources: [{name: a, type: nope}]", "sources.0: Input tag 'nope'"),
        ("databse: {url: x}", "databse: unknown setting"),
        (
            "sources: [{name: a, type: replay}, {name: a, type: replay}]",
            "sources: the name 'a' is used twice",
        ),
        (
            "escalation: {default_sink: nowhere}",
            "escalation.default_sink: no sink is named 'nowhere'",
        ),
        ("sources: [{name: 'bad name', type: replay}]", "sources.0.name: String should match"),
        ("- just\n- a list\n", "the top level must be a mapping"),
    ],
)
def test_invalid_config_is_one_line_naming_file_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "database:\n  url: sqlite:///x.db\nsources: [oops\n")
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: not valid YAML"):
        load_settings(path, environ={})


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_settings(tmp_path / "nope.yaml")


def test_environment_overrides_use_double_underscores(tmp_path: Path) -> None:
    environ = {
        "TRIAGE_DATABASE__URL": "sqlite:///other.db",
        "TRIAGE_LOGGING__LEVEL": "DEBUG",
        "TRIAGE_WEBHOOK_SECRET": "not a setting",
    }
    settings = load_settings(write(tmp_path, "database: {url: sqlite:///a.db}"), environ=environ)
    assert settings.database.url == "sqlite:///other.db"
    assert settings.logging.level == "DEBUG"


def test_secrets_come_from_env_or_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TOKEN", "s3cret")
    assert resolve_secret(env="MY_TOKEN", file=None, setting="x.token") == "s3cret"
    secret_file = tmp_path / "token"
    secret_file.write_text("from-file\n")
    assert resolve_secret(env="MY_TOKEN", file=secret_file, setting="x.token") == "from-file"
    assert "s3cret" not in describe_secret(env="MY_TOKEN", file=None)
    monkeypatch.delenv("MY_TOKEN")
    with pytest.raises(NotConfigured, match=r"x\.token: not configured; set the environment"):
        resolve_secret(env="MY_TOKEN", file=None, setting="x.token")


def test_source_types_are_discriminated(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, "sources: [{name: brand-x, type: x, queries: ['acme -is:retweet']}]")
    )
    assert isinstance(settings.sources[0], XSourceSettings)
    assert settings.sources[0].bearer_token_env == "TRIAGE_X_BEARER_TOKEN"
