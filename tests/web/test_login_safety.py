"""Log-in that holds under attack, passwords, sessions, admins, headers and bad input (issue 18).

In-process over HTTP on SQLite and PostgreSQL; the concurrent guessing runs against the real
app served by uvicorn on a local port, forty requests at once over real sockets.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.errors import InputError
from tests.queue.seed import PASSWORD
from tests.web.conftest import login
from tests.web.server import Server
from triage.queue.throttle import account_key, address_key
from triage.queue.users import UserStore
from triage.storage import Store
from triage.storage.tables import audit_log, login_throttle
from triage.web import routes_auth
from triage.web.app import create_app

PROXIED = Settings.model_validate({"web": {"trusted_proxies": ["testclient", "127.0.0.1"]}})


@pytest.fixture(autouse=True)
def _no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_auth, "FAILED_LOGIN_DELAY", 0.0)  # real in production


@pytest.fixture
def proxied(web_store: Store) -> TestClient:
    return TestClient(create_app(PROXIED, web_store), base_url="http://testserver")


def _try(client: TestClient, name: str, password: str, ip: str) -> tuple[int, str]:
    page = client.get("/login", headers={"x-forwarded-for": ip})
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": token.group(1)},
        headers={"x-forwarded-for": ip},
        follow_redirects=False,
    )
    found = re.search(r'class="error" role="alert">([^<]+)<', response.text)
    return response.status_code, found.group(1) if found else ""


def test_known_and_unknown_names_get_the_same_answers(proxied: TestClient) -> None:
    known = [_try(proxied, "ana", "wrong password", "10.0.0.1") for _ in range(7)]
    unknown = [_try(proxied, "nosuchuser", "wrong password", "10.0.0.2") for _ in range(7)]
    assert known == unknown
    assert known[0] == (401, "Wrong name or password.")
    assert known[5][1].startswith("Too many failed logins")  # locked after 5, both alike


def test_one_address_is_throttled_whatever_names_it_tries(proxied: TestClient) -> None:
    for i in range(10):
        assert _try(proxied, f"guess{i}", "x", "10.0.0.9")[0] == 401
    status, error = _try(proxied, "bia", PASSWORD, "10.0.0.9")
    assert status == 401 and error.startswith("Too many failed logins")
    assert _try(proxied, "bia", PASSWORD, "10.0.0.10")[0] == 303  # another address is not


def test_a_locked_account_cannot_keep_its_owner_out(proxied: TestClient) -> None:
    assert _try(proxied, "root", PASSWORD, "10.1.1.1")[0] == 303  # root's own desk
    for _ in range(5):
        _try(proxied, "root", "guess", "10.6.6.6")
    assert _try(proxied, "root", PASSWORD, "10.6.6.6")[1].startswith("Too many failed logins")
    assert _try(proxied, "root", PASSWORD, "10.7.7.7")[1].startswith("Too many failed logins")
    assert _try(proxied, "root", PASSWORD, "10.1.1.1")[0] == 303


def test_the_forwarded_address_counts_only_from_a_trusted_proxy(web_store: Store) -> None:
    client = TestClient(create_app(Settings(), web_store))  # no trusted proxies
    for i in range(10):
        _try(client, "ana", "x", f"10.9.0.{i}")  # the header is ignored: one address
    assert _try(client, "bia", PASSWORD, "10.9.1.1")[1].startswith("Too many failed logins")


def test_failed_names_are_not_members_on_the_team_page(
    proxied: TestClient, web_store: Store
) -> None:
    _try(proxied, "nosuchuser", "x", "10.0.0.3")
    _try(proxied, "ana", "x", "10.0.0.3")
    login(proxied, "lia")
    team = proxied.get("/team").text
    assert "nosuchuser" not in team
    with web_store.engine.connect() as conn:
        actors = set(conn.execute(select(audit_log.c.actor)).scalars())
        keys = list(conn.execute(select(login_throttle.c.key)).scalars())
    assert "nosuchuser" not in actors and "ana" in actors
    assert keys and not any("10.0.0.3" in k or "nosuchuser" in k for k in keys)  # hashed


def test_weak_passwords_are_refused_everywhere(app_client: TestClient, web_store: Store) -> None:
    people = UserStore(web_store.engine)
    with pytest.raises(InputError, match="too easy to guess: Repeats"):
        people.add("zoe", "agent", "aaaaaaaaaa")
    with pytest.raises(InputError, match="at least 10"):
        people.set_password("ana", "short")
    csrf = login(app_client, "root")
    added = app_client.post(
        "/users", data={"csrf": csrf, "op": "add", "name": "zoe", "role": "agent",
                        "password": "aaaaaaaaaa"},
    )  # fmt: skip
    assert added.status_code == 400 and "too easy to guess" in added.text
    reset = app_client.post(
        "/users", data={"csrf": csrf, "op": "password", "name": "ana", "password": "qwertyuiop"}
    )
    assert reset.status_code == 400 and "common password" in reset.text
    own = app_client.post(
        "/account",
        data={"csrf": csrf, "current": PASSWORD, "password": "aaaaaaaaaa", "again": "aaaaaaaaaa"},
    )
    assert own.status_code == 400 and "too easy to guess" in own.text
    assert people.get("zoe") is None


def test_a_new_password_ends_the_other_sessions(web_store: Store) -> None:
    app = create_app(Settings(), web_store)
    with TestClient(app) as desk, TestClient(app) as phone, TestClient(app) as admin:
        csrf = login(desk, "ana")
        login(phone, "ana")
        new = "lilac tram forty owls"
        changed = desk.post(
            "/account",
            data={"csrf": csrf, "current": PASSWORD, "password": new, "again": new},
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert desk.get("/queue/public_reply").status_code == 200  # this one stays
        assert phone.get("/queue/public_reply").status_code == 401
        login(phone, "ana", new)
        admin_csrf = login(admin, "root")
        reset = admin.post(
            "/users", data={"csrf": admin_csrf, "op": "password", "name": "ana",
                            "password": "violet kettle ninety"},
        )  # fmt: skip
        assert reset.status_code == 200
        assert desk.get("/queue/public_reply").status_code == 401
        assert phone.get("/queue/public_reply").status_code == 401


def test_the_last_admin_stays(app_client: TestClient, web_store: Store) -> None:
    csrf = login(app_client, "root")
    for op in ({"op": "disable"}, {"op": "role", "role": "agent"}):
        response = app_client.post("/users", data={"csrf": csrf, "name": "root", **op})
        assert response.status_code == 400 and "yourself" in response.text
    people = UserStore(web_store.engine)
    with pytest.raises(InputError, match="last active admin"):
        people.set_active("root", False)
    with pytest.raises(InputError, match="last active admin"):
        people.set_role("root", "lead")
    people.set_role("lia", "admin", by="root")
    people.set_role("root", "lead", by="lia")  # another admin exists now
    assert app_client.get("/users").status_code == 403  # root is a lead now


def test_no_store_everywhere_but_static(app_client: TestClient) -> None:
    login(app_client, "ana")
    for path in ("/queue/public_reply", "/login", "/account"):
        assert app_client.get(path).headers["cache-control"] == "no-store"
    assert "cache-control" not in app_client.get("/static/app.css").headers or (
        app_client.get("/static/app.css").headers["cache-control"] != "no-store"
    )
    assert "strict-transport-security" not in app_client.get("/login").headers


def test_hsts_over_https_and_from_a_trusted_proxy_only(web_store: Store) -> None:
    https = TestClient(create_app(Settings(), web_store), base_url="https://testserver")
    assert "max-age=" in https.get("/login").headers["strict-transport-security"]
    plain = TestClient(create_app(Settings(), web_store))
    forged = plain.get("/login", headers={"x-forwarded-proto": "https"})
    assert "strict-transport-security" not in forged.headers
    proxied = TestClient(create_app(PROXIED, web_store))
    behind = proxied.get("/login", headers={"x-forwarded-proto": "https"})
    assert "strict-transport-security" in behind.headers


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/items/99999999999999999999", 404),
        ("/queue/public_reply/poll?after=99999999999999999999", 400),
        ("/queue/public_reply?cursor=99999999999999999999", 400),
        ("/queue/label?cursor=nan:1", 400),
        ("/dashboard?period=custom&start=0001-01-01&end=0001-01-05", 400),
        ("/dashboard?period=custom&start=9999-12-30&end=9999-12-31", 400),
        ("/dashboard?period=custom&start=0001-01-01", 400),
        ("/audit?before=99999999999999999999", 400),
    ],
)
def test_malformed_numbers_and_dates_are_400_or_404_with_headers(
    app_client: TestClient, path: str, status: int
) -> None:
    login(app_client, "root")
    response = app_client.get(path)
    assert response.status_code == status, response.text[:200]
    assert "content-security-policy" in response.headers
    assert response.headers["cache-control"] == "no-store"
    post = app_client.post("/items/99999999999999999999/claim", data={"csrf": "x"})
    assert post.status_code in (403, 404)


def test_forty_concurrent_guesses_lock_the_account(web_store: Store) -> None:
    """The bug: 40 wrong passwords at once ended with the counter at 1-2 and no lock."""
    with Server(web_store, PROXIED) as server:
        asyncio.run(_guess_at_once(server.url, web_store))


async def _post_login(base: str, name: str, password: str, ip: str) -> tuple[int, str]:
    async with httpx.AsyncClient(base_url=base, headers={"x-forwarded-for": ip}) as client:
        page = await client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token
        response = await client.post(
            "/login", data={"name": name, "password": password, "csrf": token.group(1)}
        )
        found = re.search(r'class="error" role="alert">([^<]+)<', response.text)
        return response.status_code, found.group(1) if found else ""


async def _guess_at_once(base: str, store: Store) -> None:
    assert (await _post_login(base, "ana", PASSWORD, "10.2.0.2"))[0] in (200, 303)  # ana's desk
    results = await asyncio.gather(
        *(_post_login(base, "ana", f"guess {i}", "10.2.0.66") for i in range(40))
    )
    assert all(status == 401 for status, _ in results)
    now = datetime.now(UTC)
    with store.engine.connect() as conn:
        rows = {r.key: r for r in conn.execute(select(login_throttle))}
    account, attacker = rows[account_key("ana")], rows[address_key("10.2.0.66")]
    # Every guess that was checked was counted: both counters reached their locks.
    assert account.failures >= 5 and account.locked_until > now
    assert attacker.failures >= 10 and attacker.locked_until > now
    status, error = await _post_login(base, "ana", PASSWORD, "10.2.0.66")
    assert status == 401 and error.startswith("Too many failed logins")
    status, error = await _post_login(base, "ana", PASSWORD, "10.2.0.77")  # a stranger
    assert status == 401 and error.startswith("Too many failed logins")
    assert (await _post_login(base, "ana", PASSWORD, "10.2.0.2"))[0] in (200, 303)

    # Another address runs into its own throttle, waits it out, then logs in.
    for _ in range(10):
        await _post_login(base, "bia", "wrong", "10.3.0.3")
    status, error = await _post_login(base, "bia", PASSWORD, "10.3.0.3")
    assert status == 401 and error.startswith("Too many failed logins")
    with store.engine.begin() as conn:  # the lock's minute passes
        conn.execute(
            update(login_throttle).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await _post_login(base, "bia", PASSWORD, "10.3.0.3"))[0] in (200, 303)


def test_an_admin_resetting_their_own_password_stays_logged_in(app_client: TestClient) -> None:
    csrf = login(app_client, "root")
    reset = app_client.post(
        "/users", data={"csrf": csrf, "op": "password", "name": "root",
                        "password": "amber canyon violin"},
    )  # fmt: skip
    assert reset.status_code == 200
    assert app_client.get("/users").status_code == 200


def test_old_counters_are_forgotten_but_locks_and_known_addresses_kept(
    proxied: TestClient, web_store: Store
) -> None:
    _try(proxied, "ghost", "x", "10.5.0.1")  # two counters: the address and the name
    for _ in range(5):
        _try(proxied, "bia", "x", "10.5.0.2")  # bia is locked
    old = datetime.now(UTC) - timedelta(days=2)
    with web_store.engine.begin() as conn:
        conn.execute(update(login_throttle).values(updated_at=old))
    assert _try(proxied, "ana", PASSWORD, "10.5.0.3")[0] == 303  # a good log-in tidies up
    with web_store.engine.connect() as conn:
        keys = set(conn.execute(select(login_throttle.c.key)).scalars())
    assert address_key("10.5.0.1") not in keys and account_key("ghost") not in keys
    assert account_key("bia") in keys  # still locked
