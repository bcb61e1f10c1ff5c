"""Real parts only: a real PostgreSQL (DATABASE_URL or the embedded server), the real app under a real
uvicorn server on a free port, and real HTTP clients."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import uvicorn
import uvloop
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from server.agency.models import Agency, AgencyKind
from server.app import create_app
from server.config import REPO_ROOT, Environment, Settings, database_url_from
from server.db.engine import SessionFactory, create_session_factory
from server.db.migrate import migrate
from tests.builders import create_agency
from tests.graphql_client import GraphQLClient
from tests.pg_control import CANNOT_RESTART, EmbeddedPostgres, RestartablePostgres, external_from
from tests.sso_support import STANDING_PROVIDER, configured_providers, running_provider


def session_database(stem: str) -> str:
    """A database name of this test process's own: two sessions on one server (two terminals, two worktrees,
    the two workers of `make test`'s parallel run) never drop each other's data."""
    return f"{stem}_{os.getpid()}"


# The suite's database; TAF_TEST_DATABASE names it instead (followed by the worker's name under pytest-xdist).
_NAMED, _WORKER = os.environ.get("TAF_TEST_DATABASE"), os.environ.get("PYTEST_XDIST_WORKER")
TEST_DATABASE = (f"{_NAMED}_{_WORKER}" if _WORKER else _NAMED) if _NAMED else session_database("taf_test")
_embedded: list[EmbeddedPostgres] = []  # the embedded server's handle, kept for the whole session


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that stops and starts PostgreSQL cuts every connection to it, another worker's too: a run with
    pytest-xdist leaves these out and runs them alone afterwards (-m restarts_postgres; bench/README.md).
    The long files go first."""
    for item in items:
        if "restartable_postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.restarts_postgres)
    # The files marked long first, so that pytest-xdist hands them out first (`make test` keeps the collection's
    # order: --no-loadscope-reorder). Handed out by their number of tests instead, a file of a few long tests
    # (the compiled reads' differential tests: ten tests, ~220 s) came last and ran alone for minutes.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server_url() -> str:
    """A PostgreSQL server for the suite: TEST_DATABASE_URL or DATABASE_URL, else the embedded one."""
    configured = database_url_from(
        {"DATABASE_URL": os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL", "")}
    )
    if configured:
        return configured
    from server.db.embedded import start_embedded

    # Two workers, each with its app's pool, its second instances and the servers some tests start, and
    # perhaps a second session from another worktree: PostgreSQL's default of 100 connections runs out.
    url, handle = start_embedded(REPO_ROOT / ".data", name="test-pg", max_connections=300)
    _embedded.append(EmbeddedPostgres(handle))
    return url


@pytest.fixture(scope="session")
def restartable_postgres(server_url: str) -> RestartablePostgres:
    """The suite's PostgreSQL, to stop and start: the embedded one, or the external one named by TEST_PGDATA.

    Otherwise a test that needs it skips, saying why; with TEST_REQUIRE_PG_RESTART=1 (as in .ci/run) it fails.
    """
    if _embedded:
        return _embedded[0]
    try:
        external = external_from(os.environ)
    except ValueError as error:
        pytest.fail(str(error), pytrace=False)
    if external is None:
        if os.environ.get("TEST_REQUIRE_PG_RESTART") == "1":
            pytest.fail(f"{CANNOT_RESTART} (TEST_REQUIRE_PG_RESTART=1)", pytrace=False)
        pytest.skip(CANNOT_RESTART)
    return external


async def recreate_database(server: str, name: str) -> str:
    """Drop and create `name` on the server; return its URL."""
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            # The suite commits tens of thousands of times: no waiting for each commit to reach the disk. A
            # crash of the server could lose the last commits, which a test database can afford; a clean stop
            # (the restart tests) loses nothing.
            await connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


@asynccontextmanager
async def migrated_database(server: str, name: str) -> AsyncIterator[str]:
    """A new database `name`, migrated, for the duration; its URL."""
    url = await recreate_database(server, name)
    await migrate(url)
    yield url
    await drop_database(server, name)


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    async with migrated_database(server_url, TEST_DATABASE) as url:
        yield url


async def drop_database(server: str, name: str) -> None:
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


@pytest.fixture
async def scratch_database(server_url: str) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """Makes an empty database of this test process's own (`session_database(stem)`); its URL. Each is
    dropped after the test."""
    made: list[str] = []

    async def make(stem: str) -> str:
        made.append(session_database(stem))
        return await recreate_database(server_url, made[-1])

    yield make
    for name in made:
        await drop_database(server_url, name)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


def settings_for(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment=Environment.test,
        demo_data=False,
        login_failures_per_account=5,
        login_failures_per_address=1000,
        rate_anonymous_per_window=1_000_000,  # the whole suite signs in from 127.0.0.1
        max_body_bytes=100_000,
        import_max_bytes=40_000,  # the body limit carries it escaped (config.body_bytes_for_import)
        ws_init_timeout_seconds=2,
        data_dir=Path(REPO_ROOT / ".data"),
        oidc_providers=(STANDING_PROVIDER,),  # for the administrator's API; tests/sso use sso_server
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> Starlette:
    return create_app(settings)


@asynccontextmanager
async def serving(app: Starlette, port: int | None = None) -> AsyncIterator[str]:
    """Serve an app with a real uvicorn server on `port` (a free one if not given), in this event loop."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws="websockets-sansio", lifespan="on", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
async def live_server(app: Starlette) -> AsyncIterator[str]:
    async with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
async def second_server(settings: Settings) -> AsyncIterator[str]:
    """A second instance of the service on the same database (its own app, bus, dispatcher and timers)."""
    async with serving(create_app(replace(settings, ws_keepalive_seconds=0.5))) as url:
        yield url


@pytest.fixture(scope="session")
async def sessions(database_url: str) -> AsyncIterator[SessionFactory]:
    async with sessions_on(database_url) as factory:
        yield factory


@asynccontextmanager
async def sessions_on(database_url: str) -> AsyncIterator[SessionFactory]:
    engine = create_async_engine(database_url, pool_pre_ping=True)  # survives the restart tests
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def http(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    """The real OpenID Connect provider (tests/oidc/provider.mjs), once per session; its base URL."""
    with running_provider(free_port()) as base:
        yield base


@pytest.fixture(scope="session")
async def sso_agency(sessions: SessionFactory) -> Agency:
    """The agency whose staff sign in through the test provider's services."""
    return await create_agency(sessions, kind=AgencyKind.police)


@pytest.fixture(scope="session")
async def sso_server(settings: Settings, oidc_provider: str, sso_agency: Agency) -> AsyncIterator[str]:
    """The service with single sign-on configured (every test provider instance, and one that is down),
    served at its public origin, as the providers' redirect URIs need."""
    async with serving_with_sign_on(settings, oidc_provider, sso_agency) as origin:
        yield origin


@asynccontextmanager
async def serving_with_sign_on(settings: Settings, oidc_provider: str, sso_agency: Agency) -> AsyncIterator[str]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    providers = configured_providers(oidc_provider, agencies=(sso_agency.name,), down_port=free_port())
    async with serving(create_app(replace(settings, public_origin=origin, oidc_providers=providers)), port=port):
        yield origin


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """The event loop a served process runs on (uvicorn picks uvloop when it is installed): the tests run on it too."""
    return {"uvloop": uvloop.new_event_loop}
