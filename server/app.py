"""create_app(settings): the Starlette application serving GraphQL, health checks and the web front end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from notifications.timers import Clock, system_clock
from server import tuning
from server.access.enforcer import build_enforcer
from server.api.schema import create_schema
from server.api.view import TafGraphQL
from server.config import Settings
from server.db import driver
from server.db.engine import create_engine, create_session_factory, driver_connection
from server.http import BodyLimit, SecurityHeaders, healthz, readyz
from server.inbox.runtime import NotificationRuntime
from server.retention.schedule import load_schedule
from server.sso import routes as sso_routes
from server.sso.client import ProviderClient
from server.state import AppState

# The driver connections of the app's own (server/db/driver.py): the token check's, which every signed-in request
# makes (a sign-out ends a sign-in for the very next request on every instance: nothing about a sign-in is kept),
# and the compiled reads', as many as requests that read at once on a busy instance. Beyond them, a statement runs
# on a pooled connection.
TOKEN_CHECK_CONNECTIONS = 2
READ_CONNECTIONS = 8


def create_app(settings: Settings, *, database_url: str | None = None, clock: Clock = system_clock) -> Starlette:
    url = database_url or settings.database_url
    if url is None:
        raise ValueError("create_app needs a database URL (start the embedded database first)")
    load_schedule(settings.retention_schedule_path)  # a bad retention schedule stops start-up here
    engine = create_engine(url, statement_timeout_ms=settings.statement_timeout_ms)
    sessions = create_session_factory(engine)
    # Background work (dispatch, timers) has its own small pool, so it never takes a request's connection.
    background = create_engine(url, pool_size=3)
    enforcer = build_enforcer(settings.policies_dir, settings.closed_read_period)
    timeout_ms = settings.statement_timeout_ms

    def connect() -> Awaitable[asyncpg.Connection]:
        return driver_connection(engine, statement_timeout_ms=timeout_ms)

    reads = driver.DriverConnections(engine, connect, size=READ_CONNECTIONS)
    driver.register_reads(reads)
    state = AppState(
        settings=settings,
        engine=engine,
        token_check=driver.DriverConnections(engine, connect, size=TOKEN_CHECK_CONNECTIONS),
        sessions=sessions,
        enforcer=enforcer,
        schema=create_schema(settings),
        notifications=NotificationRuntime(settings, url, create_session_factory(background), enforcer, clock=clock),
        sso_clients={
            provider.id: ProviderClient(provider, f"{settings.public_origin}/auth/oidc/{provider.id}/callback")
            for provider in settings.oidc_providers
        },
    )
    graphql = TafGraphQL(state)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await state.notifications.start()
        tuning.settle_after_start_up()
        try:
            yield
        finally:
            await state.notifications.stop()
            await background.dispose()
            await state.token_check.close()
            driver.unregister_reads(engine)
            await reads.close()
            await engine.dispose()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *sso_routes.routes(),
            # The web front end sends these documents (STYLE.md R19); StaticFiles answers GET and HEAD only.
            Mount("/operations", StaticFiles(directory=settings.graphql_dir / "operations"), name="ops"),
            Mount("/", StaticFiles(directory=settings.web_dir, html=True), name="web"),
        ],
        middleware=[
            Middleware(SecurityHeaders, graphiql=not settings.production),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    app.state.taf = state
    return app
