"""The review queue's web app: `create_app(settings, store)` for uvicorn and the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from config.schema import Settings
from triage.queue.saved_replies import SavedReplies
from triage.queue.service import QueueService
from triage.queue.users import UserStore
from triage.storage import Store
from triage.web import (
    routes_admin,
    routes_auth,
    routes_bulk,
    routes_dashboard,
    routes_item,
    routes_learning,
    routes_presence,
    routes_queue,
    routes_saved_replies,
    routes_search,
    routes_team,
)
from triage.web.phrases import due
from triage.web.render import Renderer
from triage.web.security import SecurityHeaders
from triage.web.suggest import SuggestionService

STATIC = Path(__file__).resolve().parent / "static"
#: Routes any anonymous visitor may open; the route-walk test holds every other route to login.
PUBLIC = frozenset({"/healthz", "/login", "/static"})


def create_app(settings: Settings, store: Store) -> Starlette:
    routes: list[Route | Mount] = [
        *routes_auth.routes,
        *routes_presence.routes,
        *routes_bulk.routes,
        *routes_queue.routes,
        *routes_item.routes,
        *routes_search.routes,
        *routes_admin.routes,
        *routes_team.routes,
        *routes_dashboard.routes,
        *routes_learning.routes,
        *routes_saved_replies.routes,
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    queue = QueueService(settings, store)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        queue.close()  # the cached responders' HTTP sessions

    headers = Middleware(SecurityHeaders, trusted_proxies=settings.web.trusted_proxies)
    app = Starlette(routes=routes, middleware=[headers], lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store
    app.state.queue = queue
    # Suggested answers for the item page; the encoder loads on first use, in a thread.
    app.state.suggest = SuggestionService(settings, store)
    app.state.users = UserStore(
        store.engine,
        max_failures=settings.web.max_failed_logins,
        lockout_minutes=settings.web.lockout_minutes,
        max_address_failures=settings.web.max_failed_logins_per_address,
    )
    app.state.render = Renderer()
    # Cards are macros imported without the page's context: when a post falls due is a global.
    app.state.render.env.globals["sla_due"] = lambda item: due(queue, item)
    app.state.saved_replies = SavedReplies(store.engine, queue.writes)
    app.state.after_head_change = routes_learning.redecide_in_background(settings, store)
    return app


def serve(settings: Settings, store: Store, *, host: str, port: int) -> None:
    """Run the app in this thread until interrupted."""
    import uvicorn

    # Forwarded headers are read by the app, from `web.trusted_proxies` only.
    uvicorn.run(
        create_app(settings, store), host=host, port=port, log_level="info", proxy_headers=False
    )


def serve_in_thread(settings: Settings, store: Store, *, host: str, port: int) -> object:
    """Start the app on a daemon thread (`run --serve`); returns the uvicorn server."""
    import threading

    import uvicorn

    config = uvicorn.Config(
        create_app(settings, store), host=host, port=port, log_level="info", proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()
    return server
