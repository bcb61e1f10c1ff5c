from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import partial

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.pep import AccessControl
from server.agency.api import AgencyType
from server.agency.models import Agency
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.errors import NotFound
from server.team import service as team_service
from server.team.models import TeamMembership, TeamRole
from server.team.service import Contact
from server.user.api import StaffMemberType
from server.user.models import User

TeamRoleType = strawberry.enum(TeamRole, name="TeamRole", description="A worker's role on the plan.")


@strawberry.type(name="TeamMember", description="An agency's place on a family's team, through a named worker.")
class TeamMemberType:
    id: strawberry.ID
    role: TeamRoleType  # type: ignore[valid-type]
    agency_role: str = strawberry.field(description="The agency's own role, in words.")
    family_description: str = strawberry.field(
        description="Their part in words for the family, shown on the portal; empty if not written."
    )
    contact_in_hours: str = strawberry.field(description="How to reach them in office hours.")
    contact_out_of_hours: str = strawberry.field(description="Who to contact out of hours or when they are away.")
    valid_from: datetime
    valid_to: datetime | None = strawberry.field(description="When they left the team; null while on it.")
    # Attached when the members are built, one batched load per list (see ContributionType.many).
    agency: AgencyType
    worker: StaffMemberType = strawberry.field(description="The named worker.")

    @classmethod
    async def many(cls, info: Info, rows: Sequence[TeamMembership]) -> list[TeamMemberType]:
        loaders = info.context.loaders
        agencies, workers = await asyncio.gather(
            loaders.agency_by_id.load_many([row.agency_id for row in rows]),
            loaders.user_by_id.load_many([row.user_id for row in rows]),
        )
        return [cls._build(row, agency, worker) for row, agency, worker in zip(rows, agencies, workers, strict=True)]

    @classmethod
    async def one(cls, info: Info, row: TeamMembership) -> TeamMemberType:
        return (await cls.many(info, [row]))[0]

    @classmethod
    def _build(cls, row: TeamMembership, agency: Agency, worker: User) -> TeamMemberType:
        return cls(
            id=strawberry.ID(str(row.id)),
            role=row.role,
            agency_role=row.agency_role,
            family_description=row.family_description,
            contact_in_hours=row.contact_in_hours,
            contact_out_of_hours=row.contact_out_of_hours,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            agency=AgencyType.from_row(agency),
            worker=StaffMemberType.from_row(worker),
        )


@strawberry.input(description="How an agency describes its part, and how to reach its worker.")
class ContactInput:
    agency_role: str = strawberry.field(description="e.g. 'attendance support and mentoring' (required, 300 max).")
    contact_in_hours: str = ""
    contact_out_of_hours: str = ""
    family_description: str = strawberry.field(
        default="",
        description="Their part in plain words for the family, shown on the family portal instead of agencyRole"
        " (optional, one line, 300 max, no < or >). Empty: the portal explains their role on the plan.",
    )

    def to_contact(self) -> Contact:
        return Contact(self.agency_role, self.contact_in_hours, self.contact_out_of_hours, self.family_description)


@strawberry.input
class TeamMemberAddInput:
    family_id: strawberry.ID
    user_id: strawberry.ID = strawberry.field(description="An active practitioner or manager (see staffDirectory).")
    contact: ContactInput
    valid_from: datetime | None = strawberry.field(default=None, description="Defaults to now; never in the future.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class TeamMemberEndInput:
    membership_id: strawberry.ID
    reason: str = strawberry.field(description="Why they are leaving the team (required).")


@strawberry.input
class TeamMemberDescribeInput:
    membership_id: strawberry.ID
    family_description: str = strawberry.field(
        description="Their part in plain words for the family (one line, 300 max, no < or >); empty to clear."
    )


@strawberry.input
class LeadProfessionalSetInput:
    family_id: strawberry.ID
    user_id: strawberry.ID
    contact: ContactInput | None = strawberry.field(
        default=None, description="Defaults to their current role on the team, if any."
    )


@strawberry.type
class TeamMutation:
    @strawberry.mutation(description="Add a worker to a family's team as a contributor. Lead professional only.")
    async def team_member_add(self, info: Info, input: TeamMemberAddInput) -> TeamMemberType:
        family_id = parse_id(input.family_id, "familyId")
        await info.context.spend("invite")
        row, worker, agency = await mutate(
            info,
            partial(
                team_service.add_member,
                family_id=family_id,
                user_id=parse_id(input.user_id, "userId"),
                contact=input.contact.to_contact(),
                valid_from=input.valid_from,
            ),
            family_id=family_id,
            audit=lambda added: {"membershipId": str(added[0].id), "userId": str(added[0].user_id)},
            idempotency_key=input.idempotency_key,
            replay=_membership_added,
        )
        loaders = info.context.loaders
        if worker is not None:  # the worker and their agency as the change read them: not read again
            loaders.user_by_id.prime(worker.id, worker)
        if agency is not None:
            loaders.agency_by_id.prime(agency.id, agency)
        return await TeamMemberType.one(info, row)

    @strawberry.mutation(description="End a worker's membership (kept in the history). Not the lead professional.")
    async def team_member_end(self, info: Info, input: TeamMemberEndInput) -> TeamMemberType:
        row = await mutate(
            info,
            partial(
                team_service.end_membership,
                membership_id=parse_id(input.membership_id, "membershipId"),
                reason=input.reason,
            ),
            audit=lambda row: {"membershipId": str(row.id)},
        )
        return await TeamMemberType.one(info, row)

    @strawberry.mutation(
        description="Describe a team member's part in words for the family, shown on the family portal. Lead"
        " professional only."
    )
    async def team_member_describe(self, info: Info, input: TeamMemberDescribeInput) -> TeamMemberType:
        row = await mutate(
            info,
            partial(
                team_service.describe_for_family,
                membership_id=parse_id(input.membership_id, "membershipId"),
                family_description=input.family_description,
            ),
            audit=lambda row: {"membershipId": str(row.id)},
        )
        return await TeamMemberType.one(info, row)

    @strawberry.mutation(
        description="Hand the lead to another worker; the previous lead stays on the team as a contributor."
    )
    async def lead_professional_set(self, info: Info, input: LeadProfessionalSetInput) -> TeamMemberType:
        family_id = parse_id(input.family_id, "familyId")
        row = await mutate(
            info,
            partial(
                team_service.set_lead,
                family_id=family_id,
                user_id=parse_id(input.user_id, "userId"),
                contact=input.contact.to_contact() if input.contact else None,
            ),
            family_id=family_id,
            audit=lambda row: {"userId": str(row.user_id)},
        )
        return await TeamMemberType.one(info, row)


async def _membership_added(
    session: AsyncSession, access: AccessControl, membership_id: uuid.UUID
) -> tuple[TeamMembership, None, None]:
    """What a retried addition returns: the membership the first attempt made, as `mutate` replays a created row
    (shown only while the caller may see its family); its worker and agency are loaded for the answer."""
    membership = await session.get(TeamMembership, membership_id)
    if membership is None:
        raise NotFound("That item no longer exists.")
    await access.require_visible_family(session, membership.family_id)
    return membership, None, None
