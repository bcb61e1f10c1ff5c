"""The audit log as information-governance officers read it: filtered in SQL, a page at a time (newest
first, by the event's id), or every matching entry as a CSV file. Each entry carries who did it and their
agency, which family it was about (its name and reference, where the enforcement point lets the officer
know it: `family_label`), and for a read whose information it was and its categories: the facts the entry
recorded, never the content read. One statement per page, however many entries match."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.kinds import CONTENT_KINDS, Kind
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.audit import names, read_detail
from server.audit.disclosure import AuditDisclosureBlock
from server.audit.models import AuditEvent, AuditOutcome
from server.audit.names import NAMES, event_name
from server.audit.service import read_action
from server.errors import BadUserInput
from server.family.models import Family
from server.user.models import User

UK = ZoneInfo("Europe/London")
EXPORT_LIMIT = 5000
_READS_THE_FAMILY_MAY_SEE = {read_action(kind) for kind in CONTENT_KINDS}


@dataclass(frozen=True)
class AuditLogFilter:
    """Every part optional; dates are days in UK time, both ends included."""

    family_id: uuid.UUID | None = None
    family_reference: str | None = None
    actor: str | None = None  # part of the name or email of whoever did it
    kind: str | None = None  # an action code, one of server/audit/names.py
    outcome: AuditOutcome | None = None
    from_date: date | None = None
    to_date: date | None = None

    def checked(self) -> AuditLogFilter:
        if self.kind is not None and self.kind not in NAMES:
            raise BadUserInput("That is not a kind of audit event.", field="kind")
        if self.from_date and self.to_date and self.from_date > self.to_date:
            raise BadUserInput("The start date must be on or before the end date.", field="from")
        for name, value in (("familyReference", self.family_reference), ("actor", self.actor)):
            if value is not None and len(value) > 200:
                raise BadUserInput("That is too long to search for.", field=name)
        return self

    def as_detail(self) -> dict[str, Any]:
        """The filter as the export's own audit entry records it."""
        values = {
            "familyId": self.family_id,
            "familyReference": self.family_reference,
            "actor": self.actor,
            "kind": self.kind,
            "outcome": self.outcome,
            "from": self.from_date,
            "to": self.to_date,
        }
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class AuditLogEntry:
    id: int
    at: datetime
    action: str
    outcome: str
    family_id: uuid.UUID | None
    actor_user_id: uuid.UUID | None
    actor_name: str | None
    actor_agency: str | None
    family_label: str | None
    owning_agencies: list[str]
    categories: list[str]
    detail: dict[str, Any]
    withheld_from_family: bool

    @property
    def what(self) -> str:
        return event_name(self.action)

    @property
    def withholdable(self) -> bool:
        """A read the family's "who has looked" view could show, not yet withheld from it."""
        allowed = self.outcome == AuditOutcome.allowed.value
        return (
            allowed
            and self.action in _READS_THE_FAMILY_MAY_SEE
            and self.family_id is not None
            and not self.withheld_from_family
        )


@dataclass(frozen=True)
class AuditLogExport:
    csv: str
    rows: int
    complete: bool
    family_id: uuid.UUID | None = field(default=None)  # what the export's own audit entry is about


async def entries(
    session: AsyncSession, access: AccessControl, log_filter: AuditLogFilter, *, first: int, after: str | None
) -> pagination.Page[AuditLogEntry]:
    pagination.check_first(first)
    statement = _statement(access, log_filter.checked())
    if after is not None:
        (last_id,) = pagination.decode(after, int)
        statement = statement.where(AuditEvent.__table__.c.id < last_id)
    rows = (await session.exec(statement.limit(first + 1))).all()
    return pagination.Page.of([_entry(row) for row in rows], first)


def kinds(access: AccessControl) -> list[tuple[str, str]]:
    access.require_outside_family(Act.read, Kind.audit)
    return names.kinds()


def cursor(entry: AuditLogEntry) -> str:
    return pagination.encode(entry.id)


async def export(
    session: AsyncSession, access: AccessControl, log_filter: AuditLogFilter, *, limit: int = EXPORT_LIMIT
) -> AuditLogExport:
    """Every matching entry, newest first, up to `limit` (then `complete` is false)."""
    statement = _statement(access, log_filter.checked())
    rows = [_entry(row) for row in (await session.exec(statement.limit(limit + 1))).all()]
    return AuditLogExport(
        csv=to_csv(rows[:limit]),
        rows=min(len(rows), limit),
        complete=len(rows) <= limit,
        family_id=log_filter.family_id,
    )


CSV_HEADER = [
    "Entry",
    "When (UTC)",
    "What",
    "Outcome",
    "By",
    "Their agency",
    "Family",
    "Whose information",
    "Categories",
]


def to_csv(rows: list[AuditLogEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    str(row.id),
                    row.at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S"),
                    row.what,
                    row.outcome,
                    row.actor_name or ("No one signed in" if row.actor_user_id is None else "Unknown account"),
                    row.actor_agency or "",
                    row.family_label or ("Not about a family" if row.family_id is None else "A family"),
                    "; ".join(row.owning_agencies),
                    "; ".join(category.replace("_", " ").capitalize() for category in row.categories),
                )
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula is written as text (OWASP's CSV injection advice)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _statement(access: AccessControl, log_filter: AuditLogFilter) -> sa.Select:
    access.require_outside_family(Act.read, Kind.audit)
    event = AuditEvent.__table__.c
    actor = aliased(User.__table__, name="actor")
    actor_agency = aliased(Agency.__table__, name="actor_agency")
    family = Family.__table__.c
    knows_families = access.can_outside_family(Act.read, Kind.family_label)
    label = (family.display_name + " (" + family.reference + ")") if knows_families else sa.null()
    owner = Agency.__table__.c
    owners = (
        sa.select(sa.func.array_agg(aggregate_order_by(owner.name, owner.name)))
        .where(event.detail["owningAgencyIds"].has_key(sa.cast(owner.id, sa.Text)))
        .scalar_subquery()
    )
    withheld = sa.exists().where(AuditDisclosureBlock.__table__.c.audit_event_id == event.id)
    statement = (
        sa.select(
            event.id,
            event.at,
            event.action,
            event.outcome,
            event.family_id,
            event.actor_user_id,
            actor.c.display_name,
            actor_agency.c.name,
            label.label("family_label"),
            owners.label("owners"),
            event.detail,
            withheld.label("withheld"),
        )
        .select_from(AuditEvent.__table__)
        .outerjoin(actor, actor.c.id == event.actor_user_id)
        .outerjoin(actor_agency, actor_agency.c.id == actor.c.agency_id)
        .outerjoin(Family.__table__, family.id == event.family_id)
        .order_by(event.id.desc())
    )
    return statement.where(*_conditions(log_filter, actor, knows_families))


def _conditions(log_filter: AuditLogFilter, actor: Any, knows_families: bool) -> list[sa.ColumnElement[bool]]:
    event = AuditEvent.__table__.c
    conditions: list[sa.ColumnElement[bool]] = []
    if log_filter.family_id is not None:
        conditions.append(event.family_id == log_filter.family_id)
    if log_filter.family_reference:
        reference = Family.__table__.c.reference
        wanted = log_filter.family_reference.strip().lower()
        conditions.append(sa.func.lower(reference) == wanted if knows_families else sa.false())
    if log_filter.actor and log_filter.actor.strip():
        pattern = "%" + _escape_like(log_filter.actor.strip()) + "%"
        conditions.append(
            sa.or_(actor.c.display_name.ilike(pattern, escape="\\"), actor.c.email.ilike(pattern, escape="\\"))
        )
    if log_filter.kind is not None:
        conditions.append(event.action == log_filter.kind)
    if log_filter.outcome is not None:
        conditions.append(event.outcome == log_filter.outcome.value)
    if log_filter.from_date is not None:
        conditions.append(event.at >= _uk_midnight(log_filter.from_date))
    if log_filter.to_date is not None:
        conditions.append(event.at < _uk_midnight(log_filter.to_date + timedelta(days=1)))
    return conditions


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UK)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _entry(row: Any) -> AuditLogEntry:
    detail = row.detail or {}
    categories = detail.get("categories")
    return AuditLogEntry(
        id=row.id,
        at=row.at,
        action=row.action,
        outcome=row.outcome.value if isinstance(row.outcome, AuditOutcome) else str(row.outcome),
        family_id=row.family_id,
        actor_user_id=row.actor_user_id,
        actor_name=row.display_name,
        actor_agency=row.name,
        family_label=row.family_label,
        owning_agencies=list(row.owners or []),
        categories=sorted(categories) if isinstance(categories, list) else [],
        detail=read_detail.expanded(detail),
        withheld_from_family=bool(row.withheld),
    )
