"""Log-in, sessions, CSRF and the security headers, in-process over HTTP."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from config.schema import Settings
from tests.queue.seed import PASSWORD
from tests.web.conftest import login
from triage.storage import Store
from triage.web import routes_auth
from triage.web.app import create_app


def _form_token(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def test_healthz_answers_anonymously_with_security_headers(app_client: TestClient) -> None:
    response = app_client.get("/healthz")
    assert response.status_code == 200 and response.text == "ok"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    static = app_client.get("/static/app.js")
    assert static.status_code == 200 and "content-security-policy" in static.headers


def test_login_page_has_one_text_and_one_password_input(app_client: TestClient) -> None:
    page = app_client.get("/login").text
    assert len(re.findall(r'type="text"', page)) == 1
    assert len(re.findall(r'type="password"', page)) == 1


def test_session_cookie_is_httponly_lax_and_expires(app_client: TestClient) -> None:
    token = _form_token(app_client)
    response = app_client.post(
        "/login",
        data={"name": "ana", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "st_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http in this test


def test_cookie_is_secure_over_https(web_store: Store) -> None:
    with TestClient(create_app(Settings(), web_store), base_url="https://testserver") as client:
        token = _form_token(client)
        response = client.post(
            "/login",
            data={"name": "ana", "password": PASSWORD, "csrf": token},
            follow_redirects=False,
        )
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_then_lockout(app_client: TestClient, monkeypatch: object) -> None:
    routes_auth.FAILED_LOGIN_DELAY = 0  # the delay is real in production
    for _ in range(5):
        token = _form_token(app_client)
        bad = app_client.post("/login", data={"name": "ana", "password": "nope", "csrf": token})
        assert bad.status_code == 401 and "Wrong name or password" in bad.text
    token = _form_token(app_client)
    locked = app_client.post("/login", data={"name": "ana", "password": PASSWORD, "csrf": token})
    assert locked.status_code == 401 and "Too many failed logins" in locked.text
    token = _form_token(app_client)
    unknown = app_client.post("/login", data={"name": "zed", "password": "x", "csrf": token})
    assert "Wrong name or password" in unknown.text  # never says whether the name exists
    routes_auth.FAILED_LOGIN_DELAY = 0.5


def test_login_without_its_csrf_token_is_refused(app_client: TestClient) -> None:
    app_client.get("/login")
    response = app_client.post("/login", data={"name": "ana", "password": PASSWORD, "csrf": "x"})
    assert response.status_code == 403


def test_state_change_without_csrf_is_refused(app_client: TestClient) -> None:
    csrf = login(app_client, "ana")
    assert app_client.post("/items/1/claim").status_code == 403
    assert app_client.post("/items/1/claim", data={"csrf": "wrong"}).status_code == 403
    # With the token the guard lets it through (the post does not exist: 404 page).
    assert app_client.post("/items/1/claim", data={"csrf": csrf}).status_code == 404


def test_logout_ends_the_session(app_client: TestClient) -> None:
    csrf = login(app_client, "ana")
    assert app_client.get("/queue/public_reply").status_code == 200
    app_client.post("/logout", data={"csrf": csrf})
    after = app_client.get(
        "/queue/public_reply", headers={"accept": "text/html"}, follow_redirects=False
    )
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_next_is_never_an_open_redirect(app_client: TestClient) -> None:
    token = _form_token(app_client)
    response = app_client.post(
        "/login",
        data={"name": "ana", "password": PASSWORD, "csrf": token, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_disabled_user_loses_the_session(app_client: TestClient, web_store: Store) -> None:
    from triage.queue.users import UserStore

    login(app_client, "bia")
    UserStore(web_store.engine).set_active("bia", False)
    assert app_client.get("/queue/public_reply").status_code == 401
