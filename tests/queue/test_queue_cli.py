"""`social-triage users` and `social-triage queue`: the same service and audit as the web."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from kernel.models import Route
from tests.queue.seed import PASSWORD, decide
from triage.cli import cli
from triage.queue.invitation import dm_invite
from triage.storage import Store, make_engine, migrate
from triage.storage.tables import audit_log, cases, replies, users


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path}/social-triage.db")
    migrate(engine)
    return Store(engine)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_users_add_hashes_the_password(here: Store) -> None:
    code, out = run(
        "users", "add", "ana", "--role", "agent", env={"TRIAGE_USER_PASSWORD": PASSWORD}
    )
    assert code == 0 and "added ana (agent)" in out
    with here.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    code, out = run(
        "users", "add", "ana", "--role", "agent", env={"TRIAGE_USER_PASSWORD": PASSWORD}
    )
    assert code == 2 and "already exists" in out
    code, out = run("users", "add", "bob", "--role", "agent", env={"TRIAGE_USER_PASSWORD": "short"})
    assert code == 2 and "at least 10 characters" in out
    code, out = run("users", "list")
    assert "ana\tagent\tactive" in out


def test_users_password_refuses_a_weak_one_and_ends_sessions(here: Store) -> None:
    run("users", "add", "ana", "--role", "agent", env={"TRIAGE_USER_PASSWORD": PASSWORD})
    weak = {"TRIAGE_USER_PASSWORD": "aaaaaaaaaa"}
    code, out = run("users", "add", "bob", "--role", "agent", env=weak)
    assert code == 2 and "too easy to guess" in out
    code, out = run("users", "password", "ana", env=weak)
    assert code == 2 and "too easy to guess" in out
    from triage.queue.users import UserStore

    people = UserStore(here.engine)
    ana = people.get("ana")
    assert ana is not None
    people.start_session(ana, hours=1)
    code, out = run("users", "password", "ana", env={"TRIAGE_USER_PASSWORD": "plum ferry sixty"})
    assert code == 0 and "1 session(s) ended" in out


def test_queue_commands_work_an_item_with_audit(here: Store) -> None:
    run("users", "add", "ana", "--role", "agent", env={"TRIAGE_USER_PASSWORD": PASSWORD})
    run("users", "add", "mo", "--role", "marketing", env={"TRIAGE_USER_PASSWORD": PASSWORD})
    first = decide(here, external_id="1", text="meu cartão 4111 1111 1111 1111 foi clonado")
    second = decide(here, external_id="2", text="app fora do ar", route=Route.PRIVATE_DM)
    code, out = run("queue", "list")
    assert code == 0 and f"{first:>7}" in out and "4111 1111 1111 1111" not in out
    code, out = run("queue", "list", "--view", "private_dm", "--search", "fora")
    assert "app fora do ar" in out and "cartão" not in out
    assert run("queue", "claim", str(first), "--as", "ana")[1].startswith("claimed until")
    code, out = run("queue", "show", str(first))
    assert code == 0 and "claimed by ana" in out and "explanation:" in out
    code, out = run("queue", "reply", str(first), "Olá, vamos ajudar", "--as", "ana")
    assert code == 0 and "dry run" in out
    code, out = run("queue", "dm", str(second), "Oi", "--as", "mo")
    assert code == 2 and "can read the queue but not act" in out
    code, out = run("queue", "escalate", str(second), "--reason", "fraude", "--as", "ana")
    assert code == 0 and "case" in out
    code, out = run("queue", "escalate", str(second), "--as", "ana")
    assert code == 2 and "already escalated" in out
    code, out = run("queue", "correct", str(first), "sentiment", "neutral", "--as", "ana")
    assert code == 0 and "re-decided" in out
    code, out = run("queue", "ignore", str(first), "--as", "nobody")
    assert code == 2 and "no active user" in out
    with here.engine.connect() as conn:
        actions = conn.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()
        assert conn.execute(select(replies.c.dry_run)).scalar_one() is True
        case_posts = sorted(conn.execute(select(cases.c.post_id)).scalars().all())
    # The escalated post has its case; the corrected one, re-decided by the rules on the
    # corrected signals, is a cloned card ("cartão ... clonado") and gets its own.
    assert case_posts == sorted([first, second])
    assert actions[-4:] == ["claim", "reply", "escalate", "correct"]


def test_queue_reply_obeys_claims_and_answered_posts(here: Store) -> None:
    for name in ("ana", "bia"):
        run("users", "add", name, "--role", "agent", env={"TRIAGE_USER_PASSWORD": PASSWORD})
    post = decide(here, external_id="1", text="minha internet caiu")
    assert run("queue", "claim", str(post), "--as", "ana")[0] == 0
    code, out = run("queue", "reply", str(post), "Oi", "--as", "bia")
    assert code == 2 and "claimed by ana" in out and "--take-over" in out
    code, out = run("queue", "dm", str(post), "Oi", "--as", "bia", "--take-over")
    assert code == 0 and "dm stored" in out
    code, out = run("queue", "reply", str(post), "Oi de novo", "--as", "ana")
    assert code == 2 and "already answered" in out and "--again" in out
    code, out = run("queue", "reply", str(post), "Oi de novo", "--as", "ana", "--again")
    assert code == 0 and "reply stored" in out
    with here.engine.connect() as conn:
        actions = conn.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()
        assert len(conn.execute(select(replies.c.id)).all()) == 2
    assert "take_over" in actions


def test_the_dm_invitation_speaks_the_posts_language(here: Store) -> None:
    """The customer reads it: a Portuguese post gets the Portuguese invitation."""
    run("users", "add", "ana", "--role", "agent", env={"TRIAGE_USER_PASSWORD": PASSWORD})
    post = decide(here, external_id="1", text="cobraram duas vezes", route=Route.PRIVATE_DM)
    code, out = run("queue", "reply", str(post), "--dm-invite", "--as", "ana")
    assert code == 0 and "reply stored" in out, out
    with here.engine.connect() as conn:
        sent = conn.execute(select(replies.c.text)).scalar_one()
    assert sent == dm_invite("pt") and "mensagens diretas" in sent


@pytest.mark.parametrize(
    ("language", "words"),
    [("pt", "mensagens diretas"), ("pt-BR", "mensagens diretas"), ("es", "mensajes directos"),
     ("en", "direct messages"), (None, "direct messages"), ("xx", "direct messages")],
)  # fmt: skip
def test_dm_invite_by_language(language: str | None, words: str) -> None:
    assert words in dm_invite(language)
