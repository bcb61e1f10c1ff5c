"""Reading the audit log: for IG officers, and "who has seen our information" for the family."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.kinds import CONTENT_KINDS, Kind
from server.access.pep import AccessControl
from server.access.rules import ContentColumns
from server.agency.models import Agency
from server.audit import read_detail
from server.audit.disclosure import AuditDisclosureBlock
from server.audit.models import AuditEvent, AuditOutcome
from server.audit.service import read_action
from server.errors import Conflict, NotFound
from server.safeguarding.models import SafeguardingOverride
from server.team.models import TeamMembership
from server.user.models import User
from server.validation import required_text


@dataclass(frozen=True)
class AccessLogEntry:
    at: datetime
    viewer_name: str
    agency_name: str
    categories: list[str]
    item_count: int
    viewer_role: str = ""  # their role on the family's team, e.g. "Designated safeguarding lead"


async def events(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID | None,
    first: int,
    after: str | None,
) -> pagination.Page[AuditEvent]:
    """Newest first."""
    pagination.check_first(first)
    access.require_outside_family(Act.read, Kind.audit)
    statement = select(AuditEvent)
    if family_id is not None:
        statement = statement.where(AuditEvent.family_id == family_id)
    if after is not None:
        (last_id,) = pagination.decode(after, int)
        statement = statement.where(col(AuditEvent.id) < last_id)
    rows = list((await session.exec(statement.order_by(col(AuditEvent.id).desc()).limit(first + 1))).all())
    return pagination.Page.of(rows, first)


def cursor(row: AuditEvent) -> str:
    return pagination.encode(row.id)


async def access_log(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, *, first: int = 50
) -> list[AccessLogEntry]:
    """Reads of the family's case content by agencies other than the one that wrote it, one entry per
    reader, organisation and day (however often they opened it), newest first. Returns [] to whoever
    may not see the log. Each read is decided on its own facts (policies/README.md, "Who has looked"):

    - the family sees a read unless the policy denies it as an access-log entry on the facts of what was
      read (owning agency, category) or of the reader's agency (police), unless it relied on an override
      recorded with the family not told, and unless an IG officer withheld the entry;
    - a staff viewer sees a read, with its category, only where they may read content of that kind,
      owning agency and category themselves; an IG officer (who reads the audit log itself) sees every
      read, but the category only where they may read such content (never: they read no case content).
    """
    pagination.check_first(first)
    reads = await _visible_reads(session, access, family_id)
    if reads is None:
        return []
    parts, visible, category_visible = reads
    day = sa.func.date_trunc("day", sa.func.timezone("UTC", parts.c.at))
    latest = sa.func.max(parts.c.at)
    grouped = (
        sa.select(
            parts.c.viewer_id,
            parts.c.viewer_agency_id,
            latest.label("at"),
            sa.func.array_agg(sa.distinct(parts.c.category)).filter(category_visible).label("categories"),
            sa.func.count(sa.distinct(parts.c.item)).label("item_count"),
        )
        .where(visible)
        .group_by(parts.c.viewer_id, parts.c.viewer_agency_id, day)
        .order_by(latest.desc())
        .limit(first)
        .subquery("grouped")
    )
    role = (
        select(TeamMembership.agency_role)
        .where(TeamMembership.family_id == family_id, TeamMembership.user_id == grouped.c.viewer_id)
        .order_by(col(TeamMembership.valid_from).desc())
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        sa.select(grouped.c.at, User.display_name, Agency.name, grouped.c.categories, grouped.c.item_count, role)
        .join(User, col(User.id) == grouped.c.viewer_id)
        .join(Agency, col(Agency.id) == grouped.c.viewer_agency_id)
        .order_by(grouped.c.at.desc())
    )
    # A team role is the agency's own words, written for staff: a family member reading their own log is
    # not given it (the portal names organisations only, see access_days).
    for_family = (await access.facts(session, family_id)).own_family
    return [
        AccessLogEntry(at, name, agency, sorted(categories or []), item_count, "" if for_family else viewer_role or "")
        for at, name, agency, categories, item_count, viewer_role in (await session.exec(statement)).all()
    ]


@dataclass(frozen=True)
class AccessDay:
    """The family's view: one organisation's looks at the family's information on one day."""

    on: date
    agency_name: str
    times: int  # how many times someone from it opened the family's information (pages read)
    categories: list[str]  # the kinds of information, where the family may know them


async def access_days(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, *, first: int = 50
) -> list[AccessDay]:
    """Who has looked at the family's information, as the family reads it: one entry per organisation and
    day (UTC), newest first, without the names or team roles of the people. Each read is decided exactly as
    in access_log (the same policy, read by read); only the grouping differs."""
    pagination.check_first(first)
    reads = await _visible_reads(session, access, family_id)
    if reads is None:
        return []
    parts, visible, category_visible = reads
    day = sa.cast(sa.func.timezone("UTC", parts.c.at), sa.Date)
    grouped = (
        sa.select(
            day.label("on"),
            parts.c.viewer_agency_id,
            sa.func.max(parts.c.at).label("latest"),
            sa.func.count(sa.distinct(parts.c.event_id)).label("times"),
            sa.func.array_agg(sa.distinct(parts.c.category)).filter(category_visible).label("categories"),
        )
        .where(visible)
        .group_by(day, parts.c.viewer_agency_id)
        .order_by(day.desc(), sa.func.max(parts.c.at).desc())
        .limit(first)
        .subquery("grouped")
    )
    statement = (
        sa.select(grouped.c.on, Agency.name, grouped.c.times, grouped.c.categories)
        .join(Agency, col(Agency.id) == grouped.c.viewer_agency_id)
        .order_by(grouped.c.on.desc(), grouped.c.latest.desc())
    )
    return [
        AccessDay(on, agency, times, sorted(categories or []))
        for on, agency, times, categories in (await session.exec(statement)).all()
    ]


async def _visible_reads(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID
) -> tuple[sa.Subquery, ColumnElement[bool], ColumnElement[bool]] | None:
    """The reads of the family's case content recorded in the audit log, one row per item read, with
    whether the caller may see each read and its category (see access_log); None to whoever may not see
    the log at all."""
    if not await access.can(session, Act.read, Kind.access_log, family_id):
        return None
    event = AuditEvent.__table__.c
    viewer = User.__table__.c
    reads = sa.func.jsonb_array_elements(event.detail["reads"])
    read = reads.table_valued(sa.column("value", JSONB), with_ordinality="position").render_derived("read").lateral()
    facts = read_detail.read_facts(event.detail, read.c.value, read.c.position)
    blocked = sa.select(AuditDisclosureBlock.audit_event_id).where(AuditDisclosureBlock.audit_event_id == event.id)
    parts = (
        sa.select(
            event.id.label("event_id"),
            event.at,
            event.action,
            event.actor_user_id.label("viewer_id"),
            viewer.agency_id.label("viewer_agency_id"),
            facts["item"].label("item"),
            facts["owner"].label("owner"),
            facts["category"].label("category"),
            facts["override_ids"].label("override_ids"),
        )
        .select_from(AuditEvent.__table__.join(read, sa.true()).join(User.__table__, viewer.id == event.actor_user_id))
        .where(
            event.family_id == family_id,
            event.action.in_(list(_READ_ACTIONS)),
            event.outcome == AuditOutcome.allowed.value,
            viewer.agency_id.is_not(None),
            ~sa.exists(blocked),
        )
        .subquery("part")
    )
    content = ContentColumns(owning_agency_id=parts.c.owner, category=parts.c.category)
    reader = ContentColumns(owning_agency_id=parts.c.viewer_agency_id, category=parts.c.category)
    entry = sa.and_(
        await access.item_filter(session, family_id, content, kind=Kind.access_log),
        await access.item_filter(session, family_id, reader, kind=Kind.access_log),
    )
    if (await access.facts(session, family_id)).own_family:
        visible = sa.and_(entry, ~_shared_by_untold_override(family_id, parts.c.override_ids))
        category_visible = visible
    else:
        readable = sa.or_(
            sa.false(),
            *[
                sa.and_(parts.c.action == action, await access.item_filter(session, family_id, content, kind=kind))
                for action, kind in _READ_ACTIONS.items()
            ],
        )
        reads_audit_log = access.can_outside_family(Act.read, Kind.audit)
        visible = sa.and_(entry, sa.or_(readable, sa.true() if reads_audit_log else sa.false()))
        category_visible = readable
    return parts, visible, category_visible


_READ_ACTIONS = {read_action(kind): kind for kind in CONTENT_KINDS}


def _shared_by_untold_override(family_id: uuid.UUID, override_ids: ColumnElement) -> ColumnElement[bool]:
    """The read relied on a safeguarding override recorded with the family not told of it."""
    override = SafeguardingOverride.__table__.c
    return sa.exists().where(
        override.family_id == family_id,
        ~override.family_informed,
        override_ids.op("@>")(sa.func.jsonb_build_array(sa.cast(override.id, sa.Text))),
    )


async def block_disclosure(
    session: AsyncSession, access: AccessControl, *, audit_event_id: int, reason: str
) -> AuditDisclosureBlock:
    access.require_outside_family(Act.update, Kind.audit)
    if await session.get(AuditEvent, audit_event_id) is None:
        raise NotFound("No audit event with that id.")
    existing = select(AuditDisclosureBlock).where(AuditDisclosureBlock.audit_event_id == audit_event_id)
    if (await session.exec(existing)).first() is not None:
        raise Conflict("That entry is already withheld from the family.")
    row = AuditDisclosureBlock(
        audit_event_id=audit_event_id,
        marked_by_user_id=access.actor.user_id,
        reason=required_text(reason, "reason", 1000),
    )
    session.add(row)
    await session.flush()
    return row
