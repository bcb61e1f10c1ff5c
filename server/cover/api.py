"""Cover while the lead professional is away, through GraphQL: the family's cover (its deputy lead and the
lead's time away), naming a deputy, and a worker's own time away."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial

import strawberry

from server.api.mutation import mutate
from server.api.scalars import Info, parse_id
from server.clock import today
from server.cover import service as cover_service
from server.cover.models import LeadAbsence
from server.team.api import TeamMemberType


@strawberry.type(name="TimeAway", description="A period a worker is away, whole days, both ends included.")
class TimeAwayType:
    id: strawberry.ID
    starts_on: date = strawberry.field(description="The first day away.")
    ends_on: date = strawberry.field(description="The last day away.")
    current: bool = strawberry.field(description="True while today falls in the period.")
    version: int = strawberry.field(description="Send it back as expectedVersion when cancelling.")

    @classmethod
    def from_row(cls, row: LeadAbsence) -> TimeAwayType:
        return cls(
            id=strawberry.ID(str(row.id)),
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            current=row.starts_on <= today() <= row.ends_on,
            version=row.version,
        )


@strawberry.type(
    name="FamilyCover",
    description="Who covers for the family's lead professional when they are away. For whoever may see the family.",
)
class FamilyCoverType:
    deputy_lead: TeamMemberType | None = strawberry.field(description="The deputy lead, if one is named.")
    lead_away: TimeAwayType | None = strawberry.field(
        description="The lead professional's current or next time away, if any (never why)."
    )
    deputy_covering: bool = strawberry.field(description="The lead is away today and a deputy lead covers.")
    viewer_may_act_on_escalations: bool = strawberry.field(
        description="Whether the caller may acknowledge and resolve escalations: the lead professional, and the"
        " deputy lead while the lead is away."
    )
    deputy_user_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    async def build(cls, info: Info, cover: cover_service.Cover) -> FamilyCoverType:
        deputy = cover.deputy
        return cls(
            deputy_lead=await TeamMemberType.one(info, deputy) if deputy else None,
            lead_away=TimeAwayType.from_row(cover.lead_away) if cover.lead_away else None,
            deputy_covering=cover.covering_now,
            viewer_may_act_on_escalations=cover.viewer_may_act_on_escalations,
            deputy_user_id=deputy.user_id if deputy else None,
        )


async def cover_of_family(info: Info, family_id: uuid.UUID) -> FamilyCoverType:
    async with info.context.read() as session:
        cover = await cover_service.cover_of_family(session, info.context.access, family_id)
    return await FamilyCoverType.build(info, cover)


@strawberry.input(
    description="Name the deputy lead (or none). The lead professional or their manager. Send the deputy you saw:"
    " if someone changed it since, CONFLICT."
)
class DeputyLeadSetInput:
    family_id: strawberry.ID
    user_id: strawberry.ID | None = strawberry.field(
        description="A worker on the team other than the lead; null: none."
    )
    expected_deputy_user_id: strawberry.ID | None = strawberry.field(
        description="The deputy lead's worker id as you saw it (null if there was none)."
    )


@strawberry.input(
    description="Mark yourself away, from one day to another (both included); a manager may mark one of their own"
    " agency's practitioners away (userId)."
)
class TimeAwayRecordInput:
    starts_on: date = strawberry.field(description="The first day away; within a year from today.")
    ends_on: date = strawberry.field(description="The last day away: not before the first, not in the past.")
    user_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Whose time away: null for your own; a manager names one of their agency's practitioners"
        " (anyone else: NOT_FOUND).",
    )


@strawberry.input(
    description="Cancel one of your own periods away (a manager: or one of their agency's practitioners')."
)
class TimeAwayCancelInput:
    time_away_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")


@strawberry.type
class CoverQuery:
    @strawberry.field(description="Your own time away that has not ended or been cancelled, soonest first.")
    async def my_time_away(self, info: Info) -> list[TimeAwayType]:
        async with info.context.read() as session:
            rows = await cover_service.my_absences(session, info.context.access)
        return [TimeAwayType.from_row(row) for row in rows]

    @strawberry.field(
        description="A worker's time away that has not ended or been cancelled, soonest first: for a manager, one of"
        " their own agency's practitioners (anyone else: NOT_FOUND)."
    )
    async def time_away_of(self, info: Info, user_id: strawberry.ID) -> list[TimeAwayType]:
        worker = parse_id(user_id, "userId")
        async with info.context.read() as session:
            rows = await cover_service.absences_of(session, info.context.access, worker)
        return [TimeAwayType.from_row(row) for row in rows]


@strawberry.type
class CoverMutation:
    @strawberry.mutation(description="Name a family's deputy lead, or none. The lead professional or their manager.")
    async def deputy_lead_set(self, info: Info, input: DeputyLeadSetInput) -> FamilyCoverType:
        family_id = parse_id(input.family_id, "familyId")
        expected = input.expected_deputy_user_id
        await mutate(
            info,
            partial(
                cover_service.name_deputy,
                family_id=family_id,
                user_id=parse_id(input.user_id, "userId") if input.user_id else None,
                expected_deputy_user_id=parse_id(expected, "expectedDeputyUserId") if expected else None,
            ),
            family_id=family_id,
            audit=lambda row: {"deputyUserId": str(row.user_id) if row else None},
        )
        return await cover_of_family(info, family_id)

    @strawberry.mutation(
        description="Mark yourself (or, for a manager, one of their agency's practitioners) away. The families'"
        " deputy leads cover urgent matters meanwhile."
    )
    async def time_away_record(self, info: Info, input: TimeAwayRecordInput) -> TimeAwayType:
        worker = parse_id(input.user_id, "userId") if input.user_id else None
        row = await mutate(
            info,
            partial(cover_service.record_absence, starts_on=input.starts_on, ends_on=input.ends_on, user_id=worker),
            audit=lambda row: {"timeAwayId": str(row.id), "userId": str(row.user_id)},
        )
        return TimeAwayType.from_row(row)

    @strawberry.mutation(description="Cancel one of your periods away; CONFLICT when it changed since you read it.")
    async def time_away_cancel(self, info: Info, input: TimeAwayCancelInput) -> TimeAwayType:
        row = await mutate(
            info,
            partial(
                cover_service.cancel_absence,
                absence_id=parse_id(input.time_away_id, "timeAwayId"),
                expected_version=input.expected_version,
            ),
            audit=lambda row: {"timeAwayId": str(row.id), "version": row.version},
        )
        return TimeAwayType.from_row(row)
