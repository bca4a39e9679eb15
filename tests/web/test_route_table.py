"""Walk the app's route table: every route but /healthz, /login and /static needs a session,
and answers only the roles it names."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.models import Route as Routing
from tests.queue.seed import decide
from tests.web.conftest import login
from triage.queue.models import Role
from triage.storage import Store
from triage.web.app import PUBLIC, create_app

PARAMS = {"post_id": "1", "case_id": "1", "view": "public_reply", "action": "note", "batch_id": "1"}


def _routes(app: Starlette) -> list[tuple[str, set[str], Route]]:
    out = []
    for route in app.routes:
        if isinstance(route, Mount):
            assert route.path in PUBLIC, f"unexpected mount {route.path}"
            continue
        assert isinstance(route, Route)
        path = route.path
        for name, value in PARAMS.items():
            path = path.replace("{" + name + ":int}", value).replace("{" + name + "}", value)
        methods = set(route.methods or {"GET"}) - {"HEAD"}
        out.append((path, methods, route))
    return out


def test_every_route_refuses_anonymous_and_wrong_roles(web_store: Store) -> None:
    decide(web_store, external_id="1", text="help", route=Routing.HELPDESK, hold=True)
    app = create_app(Settings(), web_store)
    # /logout last: it ends each person's session.
    routes = sorted(_routes(app), key=lambda r: r[0] == "/logout")
    assert len(routes) >= 12
    clients = {}
    for role, name in ((None, None), *((r, n) for r, n in _PEOPLE.items())):
        client = TestClient(app, base_url="http://testserver")
        csrf = login(client, name) if name else ""
        clients[role] = (client, csrf)
    for path, methods, route in routes:
        public = path in PUBLIC
        roles = getattr(route.endpoint, "roles", None)
        if public:
            continue
        assert roles, f"{path} has no role guard"
        for method in methods:
            anon, _ = clients[None]
            html = anon.request(
                method, path, headers={"accept": "text/html"}, follow_redirects=False
            )
            if method == "GET":
                assert html.status_code == 303, (path, method, html.status_code)
                assert html.headers["location"].startswith("/login")
            else:
                assert html.status_code == 401, (path, method)
            api = anon.request(method, path, headers={"accept": "application/json"})
            assert api.status_code == 401, (path, method)
            for role in Role:
                client, csrf = clients[role]
                response = client.request(
                    method,
                    path,
                    data={"csrf": csrf} if method == "POST" else None,
                    follow_redirects=False,
                )
                if role in roles:
                    assert response.status_code in (200, 303, 400, 404), (path, method, role)
                else:
                    assert response.status_code == 403, (path, method, role, response.status_code)


_PEOPLE = {Role.AGENT: "ana", Role.LEAD: "lia", Role.MARKETING: "mo", Role.ADMIN: "root"}
