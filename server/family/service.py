"""Use cases for a family's record (the case). Services never commit; the caller's unit of work does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import FAMILY_NOT_FOUND, AccessControl
from server.assessment import reminders as assessment_reminders
from server.clock import moment_on, today, utcnow
from server.errors import BadUserInput, Conflict, NotFound
from server.family import attention
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed, family_reference_seq
from server.team import service as team_service
from server.team.service import Contact
from server.validation import optional_text, required_text
from server.writes import lock_and_require

MAX_MEMBERS = 30


@dataclass(frozen=True)
class MemberDetails:
    """Household composition and what the team needs to know to work with the person."""

    lives_in_household: bool = True
    is_young_carer: bool = False
    first_language: str = ""
    interpreter_needed: bool = False
    has_disability: bool = False


@dataclass(frozen=True)
class MemberIn:
    full_name: str
    relationship: str
    date_of_birth: date | None = None
    is_subject_child: bool = False
    details: MemberDetails = MemberDetails()


@dataclass(frozen=True)
class FamilyOpen:
    display_name: str
    level_of_need: LevelOfNeed
    members: list[MemberIn]
    lead_user_id: uuid.UUID | None  # None: the person opening the record leads
    lead_contact: Contact
    opened_on: date | None = None  # None: today; else the day the case was really opened (not in the future)


async def open_family(session: AsyncSession, access: AccessControl, data: FamilyOpen) -> Family:
    access.require_outside_family(Act.create, Kind.family)
    check_members(data.members, require_subject_child=True)
    display_name = required_text(data.display_name, "displayName", 200)
    opened_on = check_opened_on(data.opened_on or today())
    number = (await session.exec(sa.select(family_reference_seq.next_value()))).one()[0]
    family = Family(
        reference=f"TAF-{number}",
        display_name=display_name,
        status=FamilyStatus.referral,
        level_of_need=data.level_of_need,
        opened_at=moment_on(opened_on),
    )
    session.add(family)
    for member in data.members:
        session.add(member_row(family.id, member))
    await session.flush()
    lead_user_id = data.lead_user_id or access.actor.user_id
    await team_service.appoint_lead(session, family_id=family.id, user_id=lead_user_id, contact=data.lead_contact)
    await assessment_reminders.follow(session, family.id)
    return family


async def get_family(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> Family:
    await access.require_visible_family(session, family_id)
    family = await session.get(Family, family_id)
    if family is None:  # visible facts come from an active membership, so this is a deleted row
        raise NotFound("No family with that id, or you are not on its team.")
    return family


async def visible_families(
    session: AsyncSession, access: AccessControl, family_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Family]:
    """Those of the families the caller may see (the SQL form of the family decision), to name them."""
    statement = select(Family).where(col(Family.id).in_(family_ids), access.family_filter(col(Family.id)))
    return {row.id: row for row in (await session.exec(statement)).all()}


async def list_families(
    session: AsyncSession,
    access: AccessControl,
    *,
    first: int,
    after: str | None,
    status: FamilyStatus | None = None,
    level_of_need: LevelOfNeed | None = None,
    overdue_actions: bool = False,
    open_escalations: bool = False,
) -> pagination.Page[Family]:
    """The caller's caseload, filtered in SQL by the same policy as single lookups, ordered by reference."""
    pagination.check_first(first)
    conditions = caseload_conditions(
        access,
        status=status,
        level_of_need=level_of_need,
        overdue_actions=overdue_actions,
        open_escalations=open_escalations,
    )
    total = (await session.exec(select(sa.func.count()).select_from(Family).where(*conditions))).one()
    if after is not None:
        (reference,) = pagination.decode(after, str)
        conditions.append(col(Family.reference) > reference)
    statement = select(Family).where(*conditions).order_by(Family.reference).limit(first + 1)
    rows = list((await session.exec(statement)).all())
    return pagination.Page.of(rows, first, total=total)


def caseload_conditions(
    access: AccessControl,
    *,
    status: FamilyStatus | None,
    level_of_need: LevelOfNeed | None,
    overdue_actions: bool,
    open_escalations: bool,
    on: ColumnElement | None = None,
) -> list:
    """Which families the caseload lists and counts: those the caller may see (the SQL form of the policy),
    with the filters asked for (overdue on `on`, a date in SQL, else today). The compiled caseload
    (server/family/compiled_api.py) uses the same."""
    conditions = [access.family_filter(col(Family.id))]
    if status is not None:
        conditions.append(col(Family.status) == status.value)
    if level_of_need is not None:
        conditions.append(col(Family.level_of_need) == level_of_need.value)
    conditions += attention.filters(access, overdue_actions=overdue_actions, open_escalations=open_escalations, on=on)
    return conditions


async def update_family(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    expected_version: int,
    status: FamilyStatus | None,
    level_of_need: LevelOfNeed | None,
) -> Family:
    family = await lock_and_require(session, access, Act.update, Kind.family, family_id, open_only=False)
    if status is FamilyStatus.closed:
        raise BadUserInput(
            "Close a family's record with familyClose (outcome and sustainability plan).", field="status"
        )
    if family.status is FamilyStatus.closed:
        raise Conflict("This family's record is closed. Re-open it with familyReopen, giving a reason.")
    changes: dict[str, object] = {}
    if status is not None:
        changes["status"] = status.value
    if level_of_need is not None:
        changes["level_of_need"] = level_of_need.value
    if not changes:
        raise BadUserInput("Give at least one of status or levelOfNeed to change.")
    return await bump_version(session, family_id, expected_version, changes)


async def bump_version(
    session: AsyncSession, family_id: uuid.UUID, expected_version: int, changes: dict[str, object]
) -> Family:
    """Apply changes only if nobody else changed the family since the caller read it."""
    table = Family.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == family_id, table.c.version == expected_version)
        .values(**changes, version=table.c.version + 1, updated_at=utcnow())
        .returning(table.c.id)
    )
    if (await session.exec(statement)).first() is None:
        raise Conflict("Someone else changed this family since you opened it. Reload and try again.")
    family = await session.get(Family, family_id, populate_existing=True)
    assert family is not None
    return family


async def add_member(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, member: MemberIn
) -> FamilyMember:
    await lock_and_require(session, access, Act.update, Kind.family, family_id)
    check_members([member], require_subject_child=False)
    count = (await session.exec(select(sa.func.count()).where(FamilyMember.family_id == family_id))).one()
    if count >= MAX_MEMBERS:
        raise BadUserInput(f"A family can have at most {MAX_MEMBERS} members.")
    row = member_row(family_id, member)
    session.add(row)
    await session.flush()
    return row


async def require_members_of(session: AsyncSession, family_id: uuid.UUID, member_ids: list[uuid.UUID]) -> None:
    """Everyone an item is about must be a member of the item's family."""
    if not member_ids:
        return
    statement = select(sa.func.count()).where(col(FamilyMember.id).in_(member_ids), FamilyMember.family_id == family_id)
    if (await session.exec(statement)).one() != len(set(member_ids)):
        raise BadUserInput("Every person an item is about must be a member of this family.", field="aboutMemberIds")


def check_opened_on(opened_on: date) -> date:
    if opened_on > today():
        raise BadUserInput("A family's record cannot be opened in the future.", field="openedOn")
    return opened_on


def member_row(family_id: uuid.UUID, member: MemberIn) -> FamilyMember:
    return FamilyMember(**member_values(family_id, member))


def member_values(family_id: uuid.UUID, member: MemberIn) -> dict[str, Any]:
    """A member's columns, its words checked (check_members checks the list). Plain values, so that the
    import (server/caseimport/) writes them in bulk by the same rules."""
    return {
        "family_id": family_id,
        "full_name": required_text(member.full_name, "fullName", 200),
        "relationship": required_text(member.relationship, "relationship", 60),
        "date_of_birth": member.date_of_birth,
        "is_subject_child": member.is_subject_child,
        **_details(member.details),
    }


def _details(details: MemberDetails) -> dict[str, object]:
    language = optional_text(details.first_language, "firstLanguage", 60)
    if details.interpreter_needed and not language:
        raise BadUserInput("Say which language an interpreter is needed for.", field="firstLanguage")
    return {
        "lives_in_household": details.lives_in_household,
        "is_young_carer": details.is_young_carer,
        "first_language": language,
        "interpreter_needed": details.interpreter_needed,
        "has_disability": details.has_disability,
    }


async def set_member_details(
    session: AsyncSession,
    access: AccessControl,
    *,
    member_id: uuid.UUID,
    expected_version: int,
    details: MemberDetails,
) -> FamilyMember:
    """A change to one person's details is a change to the family's record: it bumps the family's version,
    so two changes from the same reading conflict."""
    member = await session.get(FamilyMember, member_id)
    if member is None:  # the same answer as for a family the caller may not see
        raise NotFound(FAMILY_NOT_FOUND)
    await lock_and_require(session, access, Act.update, Kind.family, member.family_id)
    changes = _details(details)
    await bump_version(session, member.family_id, expected_version, {})
    for name, value in changes.items():
        setattr(member, name, value)
    await session.flush()
    return member


def check_members(members: list[MemberIn], *, require_subject_child: bool) -> None:
    if not members:
        raise BadUserInput("Add at least one family member.", field="members")
    if len(members) > MAX_MEMBERS:
        raise BadUserInput(f"A family can have at most {MAX_MEMBERS} members.", field="members")
    if require_subject_child and not any(member.is_subject_child for member in members):
        raise BadUserInput("Mark at least one member as the child the referral is about.", field="members")
    for member in members:
        if member.date_of_birth is not None and member.date_of_birth > today():
            raise BadUserInput("A date of birth cannot be in the future.", field="dateOfBirth")


def cursor(family: Family) -> str:
    return pagination.encode(family.reference)
