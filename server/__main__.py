"""Command line: `python -m server run|serve|migrate|demo-data|create-agency|create-user`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import uuid

from server.config import ConfigError, Settings, load_settings
from server.errors import TafError

log = logging.getLogger("taf")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        return args.handler(settings, args) or 0
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except TafError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server", description="Team Around the Family service")
    commands = parser.add_subparsers(required=True, metavar="command")
    run = commands.add_parser(
        "run",
        help="migrate, load demo data on first start, serve (embedded PostgreSQL when DATABASE_URL is unset)",
    )
    run.set_defaults(handler=_run)
    serve = commands.add_parser("serve", help="as run, for production: DATABASE_URL is required")
    serve.set_defaults(handler=_serve)
    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=lambda settings, args: _with_database(settings, _migrate_only))
    demo = commands.add_parser("demo-data", help="load the demo local area (skipped if agencies exist)")
    demo.set_defaults(handler=lambda settings, args: _with_database(settings, _demo_only))
    export = commands.add_parser("export-schema", help="write the GraphQL SDL to graphql/schema.graphql")
    export.set_defaults(handler=_export_schema)
    verify = commands.add_parser("audit-verify", help="check the audit log's hash chain (exit 1 if broken)")
    verify.set_defaults(handler=_audit_verify)
    agency = commands.add_parser("create-agency", help="add an agency")
    agency.add_argument("--name", required=True)
    agency.add_argument("--kind", required=True)
    agency.set_defaults(handler=_create_agency)
    user = commands.add_parser("create-user", help="add a staff account (asks for the password)")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=["practitioner", "manager", "ig_officer", "admin"])
    user.add_argument("--agency-id", required=True)
    user.set_defaults(handler=_create_user)
    return parser


def _database_url(settings: Settings) -> tuple[str, object | None]:
    if settings.database_url:
        return settings.database_url, None
    from server.db.embedded import start_embedded

    log.info("DATABASE_URL is unset: starting the embedded PostgreSQL in %s", settings.data_dir / "pg")
    return start_embedded(settings.data_dir)


def _with_database(settings: Settings, job) -> int:
    url, _handle = _database_url(settings)  # the handle keeps the embedded server up until we exit
    asyncio.run(_migrated(settings, url, job))
    return 0


async def _migrated(settings: Settings, url: str, job) -> None:
    from server.db.migrate import migrate

    await migrate(url)
    await job(settings, url)


async def _migrate_only(settings: Settings, url: str) -> None:
    """Nothing beyond the migration that _with_database runs first."""


async def _demo_only(settings: Settings, url: str) -> None:
    from server.demo.load import load_demo_data

    await load_demo_data(url)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.database_url:
        raise ConfigError("DATABASE_URL is required for `serve` (use `run` for the embedded database)")
    return _run(settings, args)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app

    url, _handle = _database_url(settings)
    asyncio.run(_migrated(settings, url, _demo_only if settings.demo_data else _migrate_only))
    app = create_app(settings, database_url=url)
    log.info("serving on http://%s:%s", settings.host, settings.port)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        ws_max_size=settings.ws_max_message_bytes,
        log_level="info",
        proxy_headers=True,
    )
    return 0


def _export_schema(settings: Settings, args: argparse.Namespace) -> int:
    from server.api.schema import schema

    (settings.graphql_dir / "schema.graphql").write_text(schema.as_str() + "\n")
    return 0


def _audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from server.audit.chain import verify

    outcome: list[int] = []

    async def job(settings: Settings, url: str) -> None:
        async with _session(url) as session:
            report = await verify(session)
        if report.intact:
            print(f"audit chain intact: {report.events} events")
        else:
            print(f"audit chain BROKEN at positions {report.broken_at} (of {report.events} events)")
            outcome.append(1)

    _with_database(settings, job)
    return 1 if outcome else 0


def _create_agency(settings: Settings, args: argparse.Namespace) -> int:
    from server.agency import service as agency_service
    from server.agency.models import AgencyKind

    try:
        kind = AgencyKind(args.kind)
    except ValueError:
        raise ConfigError(f"--kind must be one of: {', '.join(k.value for k in AgencyKind)}") from None

    async def job(settings: Settings, url: str) -> None:
        async with _session(url) as session:
            agency = await agency_service.create_agency(session, name=args.name, kind=kind)
        print(agency.id)

    return _with_database(settings, job)


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    from server.user import service as user_service
    from server.user.models import SystemRole

    password = getpass.getpass("Password (12 characters or more): ")
    try:
        agency_id = uuid.UUID(args.agency_id)
    except ValueError:
        raise ConfigError("--agency-id must be an agency id (see create-agency's output)") from None

    async def job(settings: Settings, url: str) -> None:
        async with _session(url) as session:
            user = await user_service.create_staff_user(
                session,
                email=args.email,
                display_name=args.name,
                role=SystemRole(args.role),
                agency_id=agency_id,
                password=password,
            )
        print(user.id)

    return _with_database(settings, job)


def _session(url: str):
    from contextlib import asynccontextmanager

    from server.db.engine import create_engine, create_session_factory, unit_of_work

    @asynccontextmanager
    async def scope():
        engine = create_engine(url, pool_size=1)
        try:
            async with unit_of_work(create_session_factory(engine)) as session:
                yield session
        finally:
            await engine.dispose()

    return scope()


if __name__ == "__main__":
    sys.exit(main())
