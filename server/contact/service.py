"""Use cases for the contact log. A worker on the team records their own contacts with the family; whoever
may read the family's plan sees that each contact happened (who, agency, when, how, how long) and how many
there were each week; the note is the worker's agency's case content (kind contact_note), decided by the
sharing policy in SQL for the list.

Counts per week count every contact of the family: the caller may see each one's facts, so a count tells
them nothing they may not see; it never depends on the notes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import ContentColumns
from server.clock import today, utcnow
from server.contact.models import Contact, ContactKind
from server.errors import BadUserInput
from server.validation import optional_text
from server.writes import lock_and_require

NOTE = Kind.contact_note
LONGEST_CONTACT = 720  # minutes: a whole working day and more is not one contact
OLDEST_CONTACT = timedelta(days=366)
MOST_WEEKS = 52


@dataclass(frozen=True)
class ContactIn:
    contacted_at: datetime
    kind: ContactKind
    duration_minutes: int
    note: str = ""
    category: InformationCategory = InformationCategory.other


@dataclass(frozen=True)
class SeenContact:
    row: Contact
    note_visible: bool


@dataclass(frozen=True)
class Week:
    starts_on: date  # a Monday
    contacts: int
    minutes: int


def note_facts(row: Contact) -> ItemFacts:
    return ItemFacts(owning_agency_id=row.owning_agency_id, category=InformationCategory(row.category).value)


def note_columns() -> ContentColumns:
    table = Contact.__table__.c
    return ContentColumns(owning_agency_id=table.owning_agency_id, category=table.category)


async def record(session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: ContactIn) -> Contact:
    await lock_and_require(session, access, Act.create, Kind.contact, family_id)
    row = Contact(
        family_id=family_id,
        worker_user_id=access.actor.user_id,
        owning_agency_id=access.actor.agency_id,
        **_values(data),
    )
    session.add(row)
    await session.flush()
    return row


async def seen(session: AsyncSession, access: AccessControl, row: Contact) -> SeenContact:
    return SeenContact(row, await access.can_item(session, Act.read, NOTE, row.family_id, note_facts(row)))


async def list_for_family(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, first: int = 50, after: str | None = None
) -> pagination.Page[SeenContact]:
    """Every contact with the family, most recent first; each note only where the policy shares it."""
    pagination.check_first(first)
    await access.require(session, Act.read, Kind.contact, family_id)
    table = Contact.__table__.c
    visible = await access.item_filter(session, family_id, note_columns(), kind=NOTE)
    conditions = [table.family_id == family_id]
    total = (await session.exec(select(sa.func.count()).select_from(Contact).where(*conditions))).one()
    if after is not None:
        at, row_id = pagination.decode(after, datetime, uuid.UUID)
        conditions.append(sa.tuple_(table.contacted_at, table.id) < sa.tuple_(at, row_id))
    statement = (
        select(Contact, sa.case((visible, True), else_=False))
        .where(*conditions)
        .order_by(col(Contact.contacted_at).desc(), col(Contact.id).desc())
        .limit(first + 1)
    )
    rows = [SeenContact(row, bool(shown)) for row, shown in (await session.exec(statement)).all()]
    page = pagination.Page.of(rows, first, total=total)
    for item in page.items:
        if item.note_visible and item.row.note:
            access.note_read(family_id, item.row.id, NOTE, note_facts(item.row))
    return page


def cursor(item: SeenContact) -> str:
    return pagination.encode(item.row.contacted_at, item.row.id)


async def weekly(session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, weeks: int = 8) -> list[Week]:
    """Contacts and minutes of contact in each of the last `weeks` weeks (Monday to Sunday, UTC), oldest first,
    this week included; weeks without contact are there with zero."""
    if not 1 <= weeks <= MOST_WEEKS:
        raise BadUserInput(f"weeks must be between 1 and {MOST_WEEKS}.", field="weeks")
    await access.require(session, Act.read, Kind.contact, family_id)
    this_monday = today() - timedelta(days=today().weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    table = Contact.__table__.c
    week = sa.func.date_trunc("week", sa.func.timezone("UTC", table.contacted_at))
    statement = (
        sa.select(week, sa.func.count(), sa.func.sum(table.duration_minutes))
        .where(table.family_id == family_id, sa.func.timezone("UTC", table.contacted_at) >= first_monday)
        .group_by(week)
    )
    found = {row[0].date(): (row[1], row[2]) for row in (await session.exec(statement)).all()}
    mondays = [first_monday + timedelta(weeks=n) for n in range(weeks)]
    return [Week(monday, *found.get(monday, (0, 0))) for monday in mondays]


def _values(data: ContactIn) -> dict:
    if data.contacted_at.tzinfo is None:
        raise BadUserInput("Give the time of the contact with its time zone.", field="contactedAt")
    if data.contacted_at > utcnow() + timedelta(minutes=5):
        raise BadUserInput("A contact cannot be recorded before it happens.", field="contactedAt")
    if data.contacted_at < utcnow() - OLDEST_CONTACT:
        raise BadUserInput("A contact can be recorded up to a year after it happened.", field="contactedAt")
    if not 1 <= data.duration_minutes <= LONGEST_CONTACT:
        raise BadUserInput(f"The duration must be 1 to {LONGEST_CONTACT} minutes.", field="durationMinutes")
    return {
        "contacted_at": data.contacted_at,
        "kind": ContactKind(data.kind).value,
        "duration_minutes": data.duration_minutes,
        "note": optional_text(data.note, "note", 1000),
        "category": InformationCategory(data.category).value,
    }
