"""Settings read from the environment once, at start-up, into one frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from server.sso.providers import OidcProvider, ProviderConfigError, providers_from

E = TypeVar("E", bound=StrEnum)

REPO_ROOT = Path(__file__).resolve().parent.parent

IMPORT_MAX_BYTES = 900_000  # caseImport's largest file, by default (TAF_IMPORT_MAX_BYTES)
# An import file travels as a JSON string inside the request, and escaping can double it: every `"`, `\`
# and line break of a JSON file becomes two bytes (as a browser sends it; a client that also writes other
# characters as \uXXXX sends more). The request around the file (the document, the names) takes far less
# than this allowance.
IMPORT_REQUEST_ALLOWANCE = 16_384


def body_bytes_for_import(import_max_bytes: int) -> int:
    """The smallest request body limit that carries any JSON file within the import limit, escaped."""
    return 2 * import_max_bytes + IMPORT_REQUEST_ALLOWANCE


MAX_BODY_BYTES = max(1_000_000, body_bytes_for_import(IMPORT_MAX_BYTES))  # 1,816,384 by default


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ConfigError(Exception):
    """A configuration value is unusable; the message names the variable and never echoes secrets."""


@dataclass(frozen=True)
class Settings:
    database_url: str | None  # None: start the embedded PostgreSQL
    environment: Environment = Environment.development
    host: str = "127.0.0.1"
    port: int = 8000
    root: Path = REPO_ROOT
    data_dir: Path = REPO_ROOT / ".data"
    public_origin: str = "http://127.0.0.1:8000"
    token_ttl: timedelta = timedelta(hours=8)
    login_window: timedelta = timedelta(minutes=15)
    login_failures_per_account: int = 5
    login_failures_per_address: int = 50
    portal_invitation_ttl: timedelta = timedelta(days=7)  # how long a family portal invitation link works
    password_reset_ttl: timedelta = timedelta(hours=24)  # how long a password reset (or first password) link works
    max_body_bytes: int = MAX_BODY_BYTES
    import_max_bytes: int = IMPORT_MAX_BYTES  # caseImport's file; max_body_bytes must carry it escaped
    statement_timeout_ms: int = 15_000
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    ws_max_message_bytes: int = 65_536
    ws_max_subscriptions: int = 5
    ws_init_timeout_seconds: int = 10
    ws_max_messages_per_second: int = 20
    # Budgets for expensive operations, per user (per address when no one is signed in), per window,
    # counted in PostgreSQL so they hold across instances (server/ratelimit.py).
    rate_window_seconds: int = 60
    rate_reports_per_window: int = 30  # caseloadOutcomes, outcomesReport, auditEvents (exports)
    rate_searches_per_window: int = 120  # families, staffDirectory, safeguardingOverrides (list queries)
    rate_invites_per_window: int = 30  # familyOpen, teamMemberAdd, familyMemberAdd
    rate_anonymous_per_window: int = 60  # authLogin attempts per address, successful or not
    demo_data: bool = True
    # Compiled trusted reads (server/api/compiled.py): off only to measure, or to rule them out in an incident.
    compiled_reads: bool = True
    # Compiled trusted writes (server/api/compiled_writes.py): the same switch's use, for mutations.
    compiled_writes: bool = True
    # Notifications: per-subscriber queue bound (a client further behind is dropped and resumes from its
    # cursor), graphql-transport-ws keep-alive ping interval, dispatcher safety poll, LISTEN liveness
    # probe and timer resolution.
    notification_queue_size: int = 1000
    ws_keepalive_seconds: float = 15.0
    notification_poll_seconds: float = 5.0
    notification_probe_seconds: float = 10.0
    timer_interval_seconds: float = 1.0
    # The daily digest of held (non-urgent) notifications: the local time it is due, its time zone, and
    # how often each instance checks whether one is due (the first check at start-up catches up).
    digest_time: time = time(8, 0)
    digest_timezone: str = "Europe/London"
    digest_check_seconds: float = 30.0
    review_min_weeks: int = 6  # TAF review meetings every 6 to 12 weeks by default
    review_max_weeks: int = 12
    ack_concern_minutes: int = 2 * 24 * 60  # how long the lead professional has to acknowledge an escalation
    ack_urgent_minutes: int = 4 * 60
    ack_immediate_danger_minutes: int = 15
    # After a family's record is closed the team reads its case content (read-only) for this long, then
    # no longer (policies/README.md, "Closed families").
    closed_read_period: timedelta = timedelta(days=90)
    # Single sign-on: the OpenID Connect providers staff may sign in with (none: passwords only).
    oidc_providers: tuple[OidcProvider, ...] = ()
    # The retention schedule (policies/retention_schedule.csv unless set): how long a closed family's
    # records are kept before information governance reviews them (server/retention/schedule.py).
    retention_schedule: Path | None = None

    def __post_init__(self) -> None:
        _check_body_carries_import(self.max_body_bytes, self.import_max_bytes)

    @property
    def production(self) -> bool:
        return self.environment is Environment.production

    @property
    def policies_dir(self) -> Path:
        return self.root / "policies"

    @property
    def retention_schedule_path(self) -> Path:
        return self.retention_schedule or self.policies_dir / "retention_schedule.csv"

    @property
    def graphql_dir(self) -> Path:
        return self.root / "graphql"

    @property
    def web_dir(self) -> Path:
        return self.root / "web"


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    environment = _choice(environ, "TAF_ENV", Environment, Environment.development)
    root = Path(environ.get("TAF_ROOT") or REPO_ROOT).resolve()
    port = _integer(environ, "TAF_PORT", 8000, low=1, high=65535)
    host = environ.get("TAF_HOST", "127.0.0.1")
    return Settings(
        database_url=database_url_from(environ),
        environment=environment,
        host=host,
        port=port,
        root=root,
        data_dir=Path(environ.get("TAF_DATA_DIR") or root / ".data").resolve(),
        public_origin=environ.get("TAF_PUBLIC_ORIGIN", f"http://127.0.0.1:{port}"),
        token_ttl=timedelta(minutes=_integer(environ, "TAF_TOKEN_TTL_MINUTES", 480, low=1, high=10_080)),
        login_failures_per_account=_integer(environ, "TAF_LOGIN_FAILURES_PER_ACCOUNT", 5, low=1, high=1000),
        login_failures_per_address=_integer(environ, "TAF_LOGIN_FAILURES_PER_ADDRESS", 50, low=1, high=100_000),
        portal_invitation_ttl=timedelta(hours=_integer(environ, "TAF_PORTAL_INVITATION_HOURS", 168, low=1, high=720)),
        password_reset_ttl=timedelta(hours=_integer(environ, "TAF_PASSWORD_RESET_HOURS", 24, low=1, high=168)),
        **_body_settings(environ),
        statement_timeout_ms=_integer(environ, "TAF_STATEMENT_TIMEOUT_MS", 15_000, low=100, high=600_000),
        max_query_depth=_integer(environ, "TAF_MAX_QUERY_DEPTH", 10, low=3, high=50),
        max_aliases=_integer(environ, "TAF_MAX_ALIASES", 15, low=1, high=500),
        max_tokens=_integer(environ, "TAF_MAX_TOKENS", 2000, low=100, high=100_000),
        ws_max_message_bytes=_integer(environ, "TAF_WS_MAX_MESSAGE_BYTES", 65_536, low=1024, high=16_777_216),
        ws_max_subscriptions=_integer(environ, "TAF_WS_MAX_SUBSCRIPTIONS", 5, low=1, high=100),
        ws_init_timeout_seconds=_integer(environ, "TAF_WS_INIT_TIMEOUT_SECONDS", 10, low=1, high=300),
        ws_max_messages_per_second=_integer(environ, "TAF_WS_MAX_MESSAGES_PER_SECOND", 20, low=1, high=10_000),
        rate_window_seconds=_integer(environ, "TAF_RATE_WINDOW_SECONDS", 60, low=1, high=86_400),
        rate_reports_per_window=_integer(environ, "TAF_RATE_REPORTS_PER_WINDOW", 30, low=1, high=1_000_000),
        rate_searches_per_window=_integer(environ, "TAF_RATE_SEARCHES_PER_WINDOW", 120, low=1, high=1_000_000),
        rate_invites_per_window=_integer(environ, "TAF_RATE_INVITES_PER_WINDOW", 30, low=1, high=1_000_000),
        rate_anonymous_per_window=_integer(environ, "TAF_RATE_ANONYMOUS_PER_WINDOW", 60, low=1, high=1_000_000),
        demo_data=_boolean(environ, "TAF_DEMO_DATA", environment is not Environment.production),
        compiled_reads=_boolean(environ, "TAF_COMPILED_READS", True),
        compiled_writes=_boolean(environ, "TAF_COMPILED_WRITES", True),
        closed_read_period=timedelta(days=_integer(environ, "TAF_CLOSED_READ_DAYS", 90, low=0, high=3650)),
        oidc_providers=_oidc_providers(environ),
        retention_schedule=Path(environ["TAF_RETENTION_SCHEDULE"]).resolve()
        if environ.get("TAF_RETENTION_SCHEDULE", "").strip()
        else None,
        **_plan_settings(environ),
        **_digest_settings(environ),
    )


def _body_settings(environ: Mapping[str, str]) -> dict[str, int]:
    """The import limit, and a request body limit that carries it (by default, derived from it)."""
    import_max = _integer(environ, "TAF_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES, low=1024, high=100_000_000)
    derived = max(1_000_000, body_bytes_for_import(import_max))
    body_max = _integer(environ, "TAF_MAX_BODY_BYTES", derived, low=1024, high=300_000_000)
    _check_body_carries_import(body_max, import_max)
    return {"max_body_bytes": body_max, "import_max_bytes": import_max}


def _check_body_carries_import(body_max: int, import_max: int) -> None:
    # Otherwise a file the import would take is refused as a too-large request, with no word of the import's
    # limit or of splitting the file (issue 20).
    needed = body_bytes_for_import(import_max)
    if body_max < needed:
        raise ConfigError(
            f"TAF_MAX_BODY_BYTES ({body_max:,}) must be at least {needed:,}: twice TAF_IMPORT_MAX_BYTES"
            f" ({import_max:,}) plus {IMPORT_REQUEST_ALLOWANCE:,}, because sending an import file in a request"
            " can double its size. Raise TAF_MAX_BODY_BYTES, or lower TAF_IMPORT_MAX_BYTES."
        )


def _oidc_providers(environ: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    try:
        return providers_from(environ)
    except ProviderConfigError as error:
        raise ConfigError(str(error)) from None


def _digest_settings(environ: Mapping[str, str]) -> dict[str, object]:
    raw = environ.get("TAF_DIGEST_TIME", "").strip() or "08:00"
    try:
        at = time.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"TAF_DIGEST_TIME must be a local time of day such as 08:00, got {raw!r}") from None
    zone = environ.get("TAF_DIGEST_TIMEZONE", "").strip() or "Europe/London"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"TAF_DIGEST_TIMEZONE must be an IANA time zone such as Europe/London, got {zone!r}"
        ) from None
    return {
        "digest_time": at.replace(tzinfo=None),
        "digest_timezone": zone,
        "digest_check_seconds": float(_integer(environ, "TAF_DIGEST_CHECK_SECONDS", 30, low=1, high=3600)),
    }


def _plan_settings(environ: Mapping[str, str]) -> dict[str, int]:
    low = _integer(environ, "TAF_REVIEW_MIN_WEEKS", 6, low=1, high=52)
    high = _integer(environ, "TAF_REVIEW_MAX_WEEKS", 12, low=1, high=52)
    if low > high:
        raise ConfigError(f"TAF_REVIEW_MIN_WEEKS ({low}) must not be more than TAF_REVIEW_MAX_WEEKS ({high})")
    return {
        "review_min_weeks": low,
        "review_max_weeks": high,
        "ack_concern_minutes": _integer(environ, "TAF_ESCALATION_ACK_CONCERN_MINUTES", 2880, low=1, high=43_200),
        "ack_urgent_minutes": _integer(environ, "TAF_ESCALATION_ACK_URGENT_MINUTES", 240, low=1, high=43_200),
        "ack_immediate_danger_minutes": _integer(
            environ, "TAF_ESCALATION_ACK_IMMEDIATE_DANGER_MINUTES", 15, low=1, high=43_200
        ),
    }


def database_url_from(environ: Mapping[str, str]) -> str | None:
    """Return an asyncpg SQLAlchemy URL, or None when DATABASE_URL is unset (embedded database)."""
    raw = environ.get("DATABASE_URL", "").strip()
    if not raw:
        return None
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a valid database URL; expected postgresql://user:password@host:5432/dbname"
        ) from None
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise ConfigError(f"DATABASE_URL must point at PostgreSQL (postgresql://...), not {url.get_backend_name()!r}")
    if url.drivername not in ("postgresql", "postgres", "postgresql+asyncpg"):
        raise ConfigError("DATABASE_URL must use the asyncpg driver (postgresql:// or postgresql+asyncpg://)")
    if not url.database:
        raise ConfigError("DATABASE_URL names no database; add it after the last slash")
    return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def _integer(environ: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _boolean(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true or false), got {raw!r}")


def _choice(environ: Mapping[str, str], name: str, enum: type[E], default: E) -> E:
    raw = environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ConfigError(f"{name} must be one of: {allowed}; got {raw!r}") from None
