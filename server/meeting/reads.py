"""Reading what meetings record (minutes items, decisions, addenda): only the parts the caller may read.

Lists are filtered in SQL by the same rules that decide a lookup by id (AccessControl.item_filter), so a
list never holds a part a lookup refuses, and nothing counts the parts left out. A lookup of a part the
caller may not read answers exactly as one of an id that does not exist. Each part comes with its agency
and author from the same statement: loading them later, beside the meeting's other people and agencies,
would batch differently from one request to the next.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.errors import NotFound
from server.meeting.content import KINDS, Content, columns, facts
from server.meeting.models import Meeting, MeetingAddendum, MeetingDecision, MinutesItem
from server.user.models import User

T = TypeVar("T", MinutesItem, MeetingDecision, MeetingAddendum)

NOT_FOUND = {
    MinutesItem: "No minutes item with that id, or you may not see it.",
    MeetingDecision: "No meeting decision with that id, or you may not see it.",
    MeetingAddendum: "No addendum with that id, or you may not see it.",
}


@dataclass(frozen=True)
class Recorded(Generic[T]):
    row: T
    agency: Agency  # whose information it is
    author: User  # who recorded it


def _select(model: type[Content]) -> sa.Select:
    author = model.recorded_by_user_id if model is MeetingDecision else model.author_user_id  # type: ignore[union-attr]
    return (
        select(model, Agency, User, Meeting.family_id)
        .join(Meeting, col(Meeting.id) == model.meeting_id)
        .join(Agency, col(Agency.id) == model.owning_agency_id)
        .join(User, col(User.id) == author)
    )


def _order(model: type[Content]) -> tuple:
    if model is MinutesItem:
        return col(MinutesItem.position), col(MinutesItem.created_at), col(MinutesItem.id)
    return col(model.created_at), col(model.id)


async def of_meetings(
    session: AsyncSession, access: AccessControl, model: type[T], meetings: list[tuple[uuid.UUID, uuid.UUID]]
) -> list[list[Recorded[T]]]:
    """For each (meeting id, family id), its parts of `model` the caller may read, in order; one statement
    (and one for the families' facts, unless the request already holds them) whatever their number."""
    by_family: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for meeting_id, family_id in meetings:
        by_family[family_id].append(meeting_id)
    await access.load_facts(session, list(by_family))
    kind = KINDS[model]
    readable = [
        sa.and_(
            col(model.meeting_id).in_(meeting_ids),
            col(Meeting.family_id) == family_id,
            await access.item_filter(session, family_id, columns(model), kind=kind),
        )
        for family_id, meeting_ids in by_family.items()
    ]
    statement = _select(model).where(sa.or_(sa.false(), *readable)).order_by(*_order(model))
    grouped: dict[uuid.UUID, list[Recorded[T]]] = defaultdict(list)
    for row, agency, author, family_id in (await session.exec(statement)).all():
        access.note_read(family_id, row.id, kind, facts(row))
        grouped[row.meeting_id].append(Recorded(row, agency, author))
    return [grouped[meeting_id] for meeting_id, _ in meetings]


async def get(session: AsyncSession, access: AccessControl, model: type[T], row_id: uuid.UUID) -> Recorded[T]:
    """NOT_FOUND, with one message for a missing part and for one the caller may not read."""
    kind = KINDS[model]
    found = (await session.exec(_select(model).where(col(model.id) == row_id))).first()
    family_id = found[3] if found else None
    if found is None or not await access.can_item(session, Act.read, kind, found[3], facts(found[0])):
        access.note_denial(f"{kind.value}_read", family_id, {"id": str(row_id)})
        raise NotFound(NOT_FOUND[model])
    row, agency, author, family_id = found
    access.note_read(family_id, row.id, kind, facts(row))
    return Recorded(row, agency, author)
