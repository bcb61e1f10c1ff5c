"""Use cases for contributions: each agency's own items on a family's plan, shared item by item."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination, writes
from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import ContentColumns
from server.clock import utcnow
from server.contribution.models import Contribution, ContributionKind, ContributionVersion
from server.errors import Conflict, Forbidden, NotFound
from server.family.service import require_members_of
from server.validation import reject_nul, required_text
from server.writes import lock_and_require, share_and_require

KIND = Kind.contribution
NOT_FOUND = "No item with that id, or you may not see it."


@dataclass(frozen=True)
class ContributionIn:
    kind: ContributionKind
    category: InformationCategory
    title: str
    body: str
    about_member_ids: list[uuid.UUID] = field(default_factory=list)
    may_appear_in_family_summary: bool = False
    contains_third_party_identities: bool = False


def item_facts(row: Contribution | ContributionVersion, owning_agency_id: uuid.UUID) -> ItemFacts:
    return ItemFacts(
        owning_agency_id=owning_agency_id,
        category=InformationCategory(row.category).value,
        family_summary=row.may_appear_in_family_summary,
        third_party=row.contains_third_party_identities,
    )


def content_columns() -> ContentColumns:
    table = Contribution.__table__.c
    return ContentColumns(
        owning_agency_id=table.owning_agency_id,
        category=table.category,
        family_summary=table.may_appear_in_family_summary,
        third_party=table.contains_third_party_identities,
    )


async def add(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, data: ContributionIn
) -> Contribution:
    """The item and its first version are written with the mutation's audit event (server/writes.py). The
    family is locked shared: adding an item changes nothing a decision rests on, so adds to one family need
    not wait for each other (bench/README.md, ContributionAdd under concurrency). Run by `run_mutation` with
    `shares_family`, the add is written optimistically (`writes.write_optimistically`): the lock taken by its write,
    on the family's row as decided on."""
    await share_and_require(session, access, Act.create, KIND, family_id)
    await require_members_of(session, family_id, data.about_member_ids)
    now = utcnow()
    row = Contribution(  # every field given: pydantic inspects a default factory's signature each time it calls one
        id=uuid.uuid4(),
        family_id=family_id,
        owning_agency_id=access.actor.agency_id,
        author_user_id=access.actor.user_id,
        **_content(data),
        version=1,
        created_at=now,
        updated_at=now,
    )
    writes.add_later(session, row)
    writes.insert_later(session, _VERSIONS, _first_version_of(row))
    return row


async def edit(
    session: AsyncSession,
    access: AccessControl,
    *,
    contribution_id: uuid.UUID,
    expected_version: int,
    changes: dict,
) -> Contribution:
    """Add a version. `changes` holds only the fields the caller sent; a stale version is a CONFLICT."""
    row = await _visible(session, access, contribution_id)
    await lock_and_require(session, access, Act.read, Kind.family, row.family_id)
    if not await access.can_item(session, Act.update, KIND, row.family_id, item_facts(row, row.owning_agency_id)):
        raise Forbidden("Only the agency that wrote an item can change it.")
    merged = ContributionIn(**{**_content_of(row), **changes})
    await require_members_of(session, row.family_id, merged.about_member_ids)
    table = Contribution.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == row.id, table.c.version == expected_version)
        .values(**_content(merged), version=table.c.version + 1, updated_at=utcnow())
        .returning(table.c.version)
    )
    if (await session.exec(statement)).first() is None:
        raise Conflict("Someone else changed this item since you opened it. Reload to see their change.")
    updated = await session.get(Contribution, row.id, populate_existing=True)
    assert updated is not None
    session.add(_version_of(updated, access.actor.user_id))
    return updated


async def get(session: AsyncSession, access: AccessControl, contribution_id: uuid.UUID) -> Contribution:
    row = await _visible(session, access, contribution_id)
    access.note_read(row.family_id, row.id, KIND, item_facts(row, row.owning_agency_id))
    return row


async def list_for_family(
    session: AsyncSession,
    access: AccessControl,
    *,
    family_id: uuid.UUID,
    first: int = 50,
    after: str | None = None,
    category: InformationCategory | None = None,
    kind: ContributionKind | None = None,
    search: str | None = None,
) -> pagination.Page[Contribution]:
    """The family's items the caller may see, newest first. Withheld items are not counted."""
    pagination.check_first(first)
    await access.require_visible_family(session, family_id)
    table = Contribution.__table__.c
    conditions = [
        table.family_id == family_id,
        await access.item_filter(session, family_id, content_columns(), kind=KIND),
    ]
    if category is not None:
        conditions.append(table.category == category.value)
    if kind is not None:
        conditions.append(table.kind == kind.value)
    if search and reject_nul(search, "search").strip():
        pattern = f"%{_escape_like(search.strip())}%"
        conditions.append(sa.or_(table.title.ilike(pattern, escape="\\"), table.body.ilike(pattern, escape="\\")))
    total = (await session.exec(select(sa.func.count()).select_from(Contribution).where(*conditions))).one()
    if after is not None:
        at, row_id = pagination.decode(after, datetime, uuid.UUID)
        conditions.append(sa.tuple_(table.created_at, table.id) < sa.tuple_(at, row_id))
    statement = (
        select(Contribution)
        .where(*conditions)
        .order_by(col(Contribution.created_at).desc(), col(Contribution.id).desc())
    )
    page = pagination.Page.of(list((await session.exec(statement.limit(first + 1))).all()), first, total=total)
    for row in page.items:
        access.note_read(family_id, row.id, KIND, item_facts(row, row.owning_agency_id))
    return page


async def visible_versions(
    session: AsyncSession, access: AccessControl, row: Contribution, history: list[ContributionVersion]
) -> list[ContributionVersion]:
    """The item's history, oldest first, each version decided on its own: an item whose category
    changed must not reveal, through an old version, what the caller may not see. The family's facts
    are normally cached already (the item itself was decided), so this usually runs no query."""
    return [
        version
        for version in history
        if await access.can_item(session, Act.read, KIND, row.family_id, item_facts(version, row.owning_agency_id))
    ]


async def _visible(session: AsyncSession, access: AccessControl, contribution_id: uuid.UUID) -> Contribution:
    row = await session.get(Contribution, contribution_id)
    readable = await access.can_read_found(
        session, KIND, row.family_id if row else None, item_facts(row, row.owning_agency_id) if row else None
    )
    if row is None or not readable:
        access.note_denial(f"{KIND}_read", row.family_id if row else None, {"contributionId": str(contribution_id)})
        raise NotFound(NOT_FOUND)
    return row


def _content(data: ContributionIn) -> dict:
    return {
        "kind": data.kind,
        "category": data.category,
        "title": required_text(data.title, "title", 200),
        "body": required_text(data.body, "body", 20_000),
        "about_member_ids": list(dict.fromkeys(data.about_member_ids)),
        "may_appear_in_family_summary": data.may_appear_in_family_summary,
        "contains_third_party_identities": data.contains_third_party_identities,
    }


def _content_of(row: Contribution) -> dict:
    return {name: getattr(row, name) for name in ContributionIn.__dataclass_fields__}


def _version_of(row: Contribution, editor: uuid.UUID) -> ContributionVersion:
    return ContributionVersion(contribution_id=row.id, version=row.version, editor_user_id=editor, **_content_of(row))


_VERSIONS = ContributionVersion.__table__  # type: ignore[attr-defined]


def _first_version_of(row: Contribution) -> dict:
    """`_version_of(row, its author)`'s columns, without the ORM object (its id and time as its factories make them)."""
    return {
        "id": uuid.uuid4(),
        "contribution_id": row.id,
        "version": row.version,
        "editor_user_id": row.author_user_id,
        **_content_of(row),
        "created_at": utcnow(),
    }


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def cursor(row: Contribution) -> str:
    return pagination.encode(row.created_at, row.id)
