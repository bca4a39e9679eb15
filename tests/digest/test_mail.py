"""The scheduled daily digest delivered to a real SMTP server (aiosmtpd) on loopback and
parsed back: multipart/related, every image a valid non-empty PNG referenced by the HTML."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from config import load_settings
from config.base import SmtpSettings
from config.digest import DigestSchedule
from tests.digest.helpers import at, seed
from tests.escalation.conftest import SMTPServer
from triage.digest.schedule import run_scheduled_digest
from triage.storage import Store

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for hour in range(0, 24, 2):
        rows.append(
            {
                "text": f"the app crashes again {hour}",
                "created_at": at(15, hour),
                "sentiment": "negative",
                "intents": {"technical_problem": 0.9},
            }
        )
        rows.append(
            {
                "text": f"love the new plan {hour}",
                "created_at": at(15, hour, 30),
                "sentiment": "positive",
                "source": "reddit",
            }
        )
    rows.append({"text": "meh", "created_at": at(14, 8), "sentiment": "neutral"})
    return rows  # fmt: skip


def test_daily_digest_arrives_by_email(
    sqlite_store: Store, smtp_server: SMTPServer, tmp_path: Path, artefacts: Path
) -> None:
    seed(sqlite_store, _rows())
    settings = load_settings(None, environ={})
    settings.digest.smtp = SmtpSettings.model_validate(
        {"host": smtp_server.host, "port": smtp_server.port, "to": ["marketing@example.com"],
         "from": "digest@example.com"}
    )  # fmt: skip
    settings.digest.out_dir = tmp_path / "out"
    daily = DigestSchedule(name="daily", cron="0 7 * * *", period="1d")
    written = run_scheduled_digest(settings, sqlite_store, daily, now=at(16, 7))
    assert written is None  # mailed, not written
    assert not (tmp_path / "out").exists()
    (msg,) = smtp_server.messages
    assert msg["To"] == "marketing@example.com"
    assert "Acme social digest" in str(msg["Subject"])
    related = [part for part in msg.walk() if part.get_content_type() == "multipart/related"]
    assert len(related) == 1
    html_parts = [p for p in related[0].iter_parts() if p.get_content_type() == "text/html"]
    images = [p for p in related[0].iter_parts() if p.get_content_type() == "image/png"]
    assert len(html_parts) == 1
    assert len(images) >= 2  # volume and trend, themes only with an encoder
    assert isinstance(html_parts[0], EmailMessage)
    html = html_parts[0].get_content()
    referenced = set(re.findall(r'src="cid:([^"]+)"', html))
    cids = set()
    for image in images:
        png = image.get_content()
        assert isinstance(png, bytes) and len(png) > 1000 and png.startswith(PNG_MAGIC)
        cid = str(image["Content-ID"]).strip("<>")
        cids.add(cid)
        (artefacts / f"mail-{cid.split('@')[0]}.png").write_bytes(png)
    assert referenced == cids
    # yesterday, midnight to midnight: 24 posts, half negative
    text = msg.get_body(preferencelist=("plain",))
    assert text is not None
    assert "Posts: 24" in text.get_content()
    assert "Negative: 50%" in text.get_content()


def test_without_smtp_the_digest_is_written_to_files(
    sqlite_store: Store, tmp_path: Path, artefacts: Path
) -> None:
    seed(sqlite_store, _rows())
    settings = load_settings(None, environ={})
    settings.digest.out_dir = tmp_path / "out"
    weekly = DigestSchedule(name="weekly", cron="0 7 * * mon", period="7d")
    written = run_scheduled_digest(settings, sqlite_store, weekly, now=at(16, 7))
    assert written == tmp_path / "out" / "digest-weekly-20261116-0000.html"
    page = written.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') >= 2
    assert "cid:" not in page
    csv = written.with_suffix(".csv").read_text(encoding="utf-8")
    assert "posts,total,current,25" in csv.splitlines()
    (artefacts / "weekly.html").write_text(page, encoding="utf-8")


def test_a_refused_mail_falls_back_to_files(
    sqlite_store: Store, smtp_server: SMTPServer, tmp_path: Path
) -> None:
    seed(sqlite_store, _rows())
    smtp_server.data_replies.append("554 5.7.1 rejected")
    settings = load_settings(None, environ={})
    settings.digest.smtp = SmtpSettings(host=smtp_server.host, port=smtp_server.port, to=["m@x"])
    settings.digest.out_dir = tmp_path / "out"
    daily = DigestSchedule(name="daily", cron="0 7 * * *", period="1d")
    written = run_scheduled_digest(settings, sqlite_store, daily, now=at(16, 7) + timedelta(0))
    assert written is not None and written.is_file()
    assert not smtp_server.messages


@pytest.fixture(autouse=True)
def _no_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about delivery: themes (the encoder) are covered in test_themes.py."""
    import triage.digest.build as build

    monkeypatch.setattr(build, "encoder_embed", lambda settings: None)


def test_digest_send_from_the_command_line(
    sqlite_store: Store, smtp_server: SMTPServer, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from triage.cli import cli

    seed(sqlite_store, _rows())
    config = tmp_path / "social-triage.yaml"
    config.write_text(
        f"database: {{url: '{sqlite_store.engine.url}'}}\nlocale: pt_BR\n"
        f"digest:\n  smtp: {{host: {smtp_server.host}, port: {smtp_server.port}, "
        "to: [mkt@example.com]}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["digest", "--config", str(config), "--period", "1d", "--until", "2026-11-16",
              "--send", "--no-themes"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (msg,) = smtp_server.messages
    assert str(msg["Subject"]).startswith("Resumo social Acme")
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2


def test_smtp_login_needs_a_password_source(monkeypatch: pytest.MonkeyPatch) -> None:
    from kernel.errors import NotConfigured
    from triage.digest.mail import Mailer

    monkeypatch.delenv("TRIAGE_DIGEST_SMTP_PASSWORD", raising=False)
    settings = SmtpSettings(host="localhost", to=["m@x"], username="bot")
    with pytest.raises(NotConfigured, match=r"^digest\.smtp\.password: not configured; set "):
        Mailer.from_settings(settings)
    settings = SmtpSettings(host="localhost", to=["m@x"], username="bot", password_env=None)
    with pytest.raises(NotConfigured, match=r"^digest\.smtp\.password_env: needed when username"):
        Mailer.from_settings(settings)
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "s3cret")
    settings = SmtpSettings(
        host="localhost", to=["m@x"], username="bot", password_env="DIGEST_SMTP_PASSWORD"
    )
    assert Mailer.from_settings(settings)._password == "s3cret"
