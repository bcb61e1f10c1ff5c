from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from server import writes
from server.access.categories import InformationCategory
from server.access.pep import AccessControl
from server.agency import loaders as agency_loaders
from server.agency.api import AgencyType
from server.agency.models import Agency
from server.api.context import Context
from server.api.mutation import mutate, mutation_payload, run_mutation
from server.api.pagination import PageInfo
from server.api.scalars import Info, parse_id, parse_ids
from server.api.types import InformationCategoryType
from server.contribution import service as contribution_service
from server.contribution.models import Contribution, ContributionKind, ContributionVersion
from server.contribution.service import ContributionIn
from server.errors import BadUserInput
from server.family.models import FamilyMember
from server.user.api import StaffMemberType

ContributionKindType = strawberry.enum(ContributionKind, name="ContributionKind", description="What an item is.")


@strawberry.type(name="ContributionVersion", description="One version of an item; versions are never changed.")
class ContributionVersionType:
    version: int
    kind: ContributionKindType  # type: ignore[valid-type]
    category: InformationCategoryType  # type: ignore[valid-type]
    title: str
    body: str
    created_at: datetime
    editor_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Who wrote this version.")
    async def editor(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.editor_id))

    @classmethod
    def from_row(cls, row: ContributionVersion) -> ContributionVersionType:
        return cls(
            version=row.version,
            kind=row.kind,
            category=row.category,
            title=row.title,
            body=row.body,
            created_at=row.created_at,
            editor_id=row.editor_user_id,
        )


@strawberry.type(
    name="Contribution",
    description="An agency's item on a family's plan. Only items the caller may see are returned: withheld"
    " items are left out of lists and counts, and a lookup by id answers NOT_FOUND as for a missing id.",
)
class ContributionType:
    id: strawberry.ID
    kind: ContributionKindType  # type: ignore[valid-type]
    category: InformationCategoryType  # type: ignore[valid-type]
    title: str
    body: str
    may_appear_in_family_summary: bool = strawberry.field(description="The family may see it in their portal.")
    contains_third_party_identities: bool = strawberry.field(description="Never shown in the family portal.")
    version: int = strawberry.field(description="Send it back as expectedVersion when editing.")
    created_at: datetime
    updated_at: datetime
    # Related rows are attached when the item is built (`ContributionType.many`), one batched load per list,
    # so resolving a page of items is synchronous: an awaited resolver per item and field costs ~0.2 ms each.
    owning_agency: AgencyType = strawberry.field(description="The agency that wrote it and alone may change it.")
    author: StaffMemberType
    about: list[FamilyMemberRef] = strawberry.field(description="The family members it is about.")
    row: strawberry.Private[Contribution]

    @strawberry.field(description="Every version, oldest first, except versions the caller may not see.")
    async def versions(self, info: Info) -> list[ContributionVersionType]:
        history = await info.context.loaders.versions_by_contribution_id.load(self.row.id)
        async with info.context.read() as session:
            visible = await contribution_service.visible_versions(session, info.context.access, self.row, history)
        return [ContributionVersionType.from_row(version) for version in visible]

    @classmethod
    async def many(cls, info: Info, rows: Sequence[Contribution]) -> list[ContributionType]:
        """Build items with their agency, author and the members they are about, in one load per kind (none
        of members when no item names any)."""
        loaders = info.context.loaders
        naming = list(dict.fromkeys(row.family_id for row in rows if row.about_member_ids))
        actor = info.context.actor if info.context.actor and info.context.actor.kind == "staff" else None
        caller = actor.user_id if actor else None
        others = list(dict.fromkeys(row.author_user_id for row in rows if row.author_user_id != caller))
        agencies, users, members = await asyncio.gather(
            loaders.agency_by_id.load_many([row.owning_agency_id for row in rows]),
            loaders.user_by_id.load_many(others),
            loaders.members_by_family_id.load_many(naming),
        )
        authors = {user.id: StaffMemberType.from_row(user) for user in users}
        if actor is not None and caller not in authors:
            authors[actor.user_id] = StaffMemberType.of_actor(actor)
        members_of = dict(zip(naming, members, strict=True))
        return [
            cls._build(row, agency, authors[row.author_user_id], members_of.get(row.family_id, []))
            for row, agency in zip(rows, agencies, strict=True)
        ]

    @classmethod
    async def one(cls, info: Info, row: Contribution) -> ContributionType:
        return (await cls.many(info, [row]))[0]

    @classmethod
    def _build(
        cls, row: Contribution, agency: Agency, author: StaffMemberType, members: list[FamilyMember]
    ) -> ContributionType:
        about = set(row.about_member_ids)
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=row.kind,
            category=row.category,
            title=row.title,
            body=row.body,
            may_appear_in_family_summary=row.may_appear_in_family_summary,
            contains_third_party_identities=row.contains_third_party_identities,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            owning_agency=AgencyType.from_row(agency),
            author=author,
            about=[
                FamilyMemberRef(id=strawberry.ID(str(m.id)), full_name=m.full_name) for m in members if m.id in about
            ],
            row=row,
        )


@strawberry.type(name="FamilyMemberRef", description="A family member named by an item.")
class FamilyMemberRef:
    id: strawberry.ID
    full_name: str


@strawberry.type(description="A page of a family's items the caller may see, newest first.")
class ContributionConnection:
    nodes: list[ContributionType]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Items matching the filters that the caller may see.")


@strawberry.input
class ContributionAddInput:
    family_id: strawberry.ID
    kind: ContributionKindType  # type: ignore[valid-type]
    category: InformationCategoryType  # type: ignore[valid-type]
    title: str = strawberry.field(description="200 characters at most.")
    body: str = strawberry.field(description="20,000 characters at most.")
    about_member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    may_appear_in_family_summary: bool = False
    contains_third_party_identities: bool = False
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A value unique to this attempt (8-100 characters, e.g. a UUID). A retry with the same key"
        " returns the item the first attempt created instead of adding a second one; the same key with other"
        " values is CONFLICT.",
    )


@strawberry.input(description="Edit an item of your agency: send only what changes. A new version is added.")
class ContributionEditInput:
    contribution_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    kind: strawberry.Maybe[ContributionKindType]  # type: ignore[valid-type]
    category: strawberry.Maybe[InformationCategoryType]  # type: ignore[valid-type]
    title: strawberry.Maybe[str]
    body: strawberry.Maybe[str]
    about_member_ids: strawberry.Maybe[list[strawberry.ID]]
    may_appear_in_family_summary: strawberry.Maybe[bool]
    contains_third_party_identities: strawberry.Maybe[bool]

    def changes(self) -> dict:
        sent = {item.name: getattr(self, item.name) for item in dataclasses.fields(ContributionIn)}
        changes = {}
        for name, value in sent.items():
            if value is None:
                continue
            if value.value is None:
                raise BadUserInput(f"{name} cannot be null; leave it out to keep it.", field=name)
            changes[name] = parse_ids(value.value, "aboutMemberIds") if name == "about_member_ids" else value.value
        return changes


async def contributions_of_family(
    info: Info,
    family_id: uuid.UUID,
    *,
    first: int,
    after: str | None,
    category: InformationCategory | None,
    kind: ContributionKind | None,
    search: str | None,
) -> ContributionConnection:
    async with info.context.read() as session:
        page = await contribution_service.list_for_family(
            session,
            info.context.access,
            family_id=family_id,
            first=first,
            after=after,
            category=category,
            kind=kind,
            search=search,
        )
    return ContributionConnection(
        nodes=await ContributionType.many(info, page.items),
        page_info=PageInfo.of(page, contribution_service.cursor),
        total_count=page.total,  # type: ignore[arg-type]
    )


async def add_contribution(
    context: Context, input: ContributionAddInput, *, payload: Callable[[], str]
) -> tuple[Contribution, writes.Read]:
    """ContributionAdd's change, for its resolver and its compiled form (server/contribution/compiled_add_api.py): the
    item added (or replayed) and its agency as read with the change (none on a replay; `agency_loaders.prime` gives
    it to the answer's loader). `payload()` hashes the arguments."""
    family_id = parse_id(input.family_id, "familyId")
    data = ContributionIn(
        kind=input.kind,
        category=input.category,
        title=input.title,
        body=input.body,
        about_member_ids=parse_ids(input.about_member_ids, "aboutMemberIds"),
        may_appear_in_family_summary=input.may_appear_in_family_summary,
        contains_third_party_identities=input.contains_third_party_identities,
    )
    agency = writes.Read()  # the answer's agency, read with the change (none on a replay)

    async def add(session: AsyncSession, access: AccessControl) -> Contribution:
        nonlocal agency
        row = await contribution_service.add(session, access, family_id=family_id, data=data)
        agency = agency_loaders.agency_later(session, row.owning_agency_id)
        return row

    row = await run_mutation(
        context,
        "contributionAdd",
        add,
        payload=payload,
        family_id=family_id,
        audit=lambda row: {"contributionId": str(row.id), "category": row.category.value},
        idempotency_key=input.idempotency_key,
        replay=contribution_service.get,
        shares_family=True,  # contribution_service.add starts with share_and_require
    )
    return row, agency


@strawberry.type
class ContributionQuery:
    @strawberry.field(description="One item. NOT_FOUND when it does not exist or the caller may not see it.")
    async def contribution(self, info: Info, id: strawberry.ID) -> ContributionType:
        async with info.context.read() as session:
            row = await contribution_service.get(session, info.context.access, parse_id(id, "id"))
        return await ContributionType.one(info, row)


@strawberry.type
class ContributionMutation:
    @strawberry.mutation(description="Add your agency's item to a family's plan. Workers on the team only.")
    async def contribution_add(self, info: Info, input: ContributionAddInput) -> ContributionType:
        row, agency = await add_contribution(info.context, input, payload=partial(mutation_payload, info))
        agency_loaders.prime(info.context.loaders.agency_by_id, agency)
        return await ContributionType.one(info, row)

    @strawberry.mutation(description="Edit your agency's item; CONFLICT when someone changed it since you read it.")
    async def contribution_edit(self, info: Info, input: ContributionEditInput) -> ContributionType:
        row = await mutate(
            info,
            partial(
                contribution_service.edit,
                contribution_id=parse_id(input.contribution_id, "contributionId"),
                expected_version=input.expected_version,
                changes=input.changes(),
            ),
            audit=lambda row: {"contributionId": str(row.id), "version": row.version},
        )
        return await ContributionType.one(info, row)
