from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial

import strawberry

from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType
from server.escalation import service as escalation_service
from server.escalation.models import Escalation, EscalationLevel, EscalationOutcome
from server.escalation.service import Seen
from server.user.api import StaffMemberType

EscalationLevelType = strawberry.enum(
    EscalationLevel, name="EscalationLevel", description="concern, urgent or immediate_danger."
)
EscalationOutcomeType = strawberry.enum(
    EscalationOutcome,
    name="EscalationOutcome",
    description="How the lead professional resolved it, including referral to children's social care or police.",
)


@strawberry.type(name="RaiserContact", description="How to reach a team member about an escalation they raised.")
class RaiserContactType:
    in_hours: str = strawberry.field(description="Working hours contact (may be empty).")
    out_of_hours: str = strawberry.field(description="Out-of-hours contact (may be empty).")


@strawberry.type(
    name="Escalation",
    description="A risk escalation. The team (and the managers of its agencies) see that it exists, its level,"
    " category, deadlines, status and outcome; the reason and the outcome note are the raising agency's"
    " information and are shown only to those the sharing rules allow for its category (null otherwise).",
)
class EscalationType:
    id: strawberry.ID
    family_id: strawberry.ID
    level: EscalationLevelType  # type: ignore[valid-type]
    category: InformationCategoryType  # type: ignore[valid-type]
    reason_visible: bool = strawberry.field(description="Whether the caller may read the reason and the outcome note.")
    reason: str | None = strawberry.field(description="Null when the caller may not read it.")
    status: str = strawberry.field(description="raised, acknowledged or resolved.")
    raised_at: datetime
    ack_due_at: datetime = strawberry.field(
        description="When the lead professional must have acknowledged it (set per level from settings)."
    )
    ack_overdue: bool = strawberry.field(description="Not acknowledged and past ackDueAt.")
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    outcome: EscalationOutcomeType | None  # type: ignore[valid-type]
    outcome_note: str | None = strawberry.field(
        description="The lead professional's note on the outcome: null when there is none or the caller may not"
        " read the reason (the note follows the reason)."
    )
    seen: strawberry.Private[Seen]

    @strawberry.field
    async def raised_by(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.seen.row.raised_by_user_id))

    @strawberry.field(
        description="How to reach whoever raised it, from their place on the family's team (its in-hours and"
        " out-of-hours contacts, as the team sees them): for a lead who may not read the reason. Null once they"
        " have left the team."
    )
    async def raiser_contact(self, info: Info) -> RaiserContactType | None:
        team = await info.context.loaders.active_team_by_family_id.load(self.seen.row.family_id)
        member = next((row for row in team if row.user_id == self.seen.row.raised_by_user_id), None)
        if member is None:
            return None
        return RaiserContactType(in_hours=member.contact_in_hours, out_of_hours=member.contact_out_of_hours)

    @strawberry.field(description="The agency that raised it and whose information the reason is.")
    async def raising_agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.seen.row.owning_agency_id))

    @classmethod
    def from_seen(cls, seen: Seen) -> EscalationType:
        row = seen.row
        status = "resolved" if row.resolved_at else "acknowledged" if row.acknowledged_at else "raised"
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            level=row.level,
            category=row.category,
            reason_visible=seen.reason_visible,
            reason=row.reason if seen.reason_visible else None,
            status=status,
            raised_at=row.raised_at,
            ack_due_at=row.ack_due_at,
            ack_overdue=row.acknowledged_at is None and row.ack_due_at < datetime.now(UTC),
            acknowledged_at=row.acknowledged_at,
            resolved_at=row.resolved_at,
            outcome=row.outcome,
            outcome_note=row.outcome_note if seen.reason_visible else None,
            seen=seen,
        )


@strawberry.input(description="Raise a risk escalation. Any worker on the family's team.")
class EscalationRaiseInput:
    family_id: strawberry.ID
    level: EscalationLevelType  # type: ignore[valid-type]
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        description="The category of information the reason relies on: it decides who may read the reason."
    )
    reason: str = strawberry.field(description="5,000 characters at most.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input
class EscalationAcknowledgeInput:
    escalation_id: strawberry.ID


@strawberry.input(description="Resolve an escalation with an outcome. Lead professional only.")
class EscalationResolveInput:
    escalation_id: strawberry.ID
    outcome: EscalationOutcomeType  # type: ignore[valid-type]
    note: str = ""


async def _view(info: Info, escalation_id: uuid.UUID) -> EscalationType:
    async with info.context.read() as session:
        return EscalationType.from_seen(await escalation_service.get(session, info.context.access, escalation_id))


@strawberry.type
class EscalationQuery:
    @strawberry.field(description="A family's escalations, newest first. For the team and its agencies' managers.")
    async def family_escalations(self, info: Info, family_id: strawberry.ID) -> list[EscalationType]:
        async with info.context.read() as session:
            seen = await escalation_service.list_for_family(
                session, info.context.access, parse_id(family_id, "familyId")
            )
        return [EscalationType.from_seen(item) for item in seen]

    @strawberry.field(
        description="Before raising an escalation: the information categories in which the caller's reason would be"
        " withheld from the family's lead professional under the sharing rules as they stand (the lead would see"
        " that it was raised, its level and the caller's contact details, not the reason). Empty when the caller"
        " may not raise one, is the lead, or the family has no lead."
    )
    async def escalation_reason_hidden_from_lead(
        self, info: Info, family_id: strawberry.ID
    ) -> list[InformationCategoryType]:  # type: ignore[valid-type]
        async with info.context.read() as session:
            return await escalation_service.categories_hidden_from_lead(
                session, info.context.access, parse_id(family_id, "familyId")
            )

    @strawberry.field(description="One escalation. NOT_FOUND when it does not exist or the caller may not see it.")
    async def escalation(self, info: Info, id: strawberry.ID) -> EscalationType:
        async with info.context.read() as session:
            seen = await escalation_service.get(session, info.context.access, parse_id(id, "id"))
        return EscalationType.from_seen(seen)


@strawberry.type
class EscalationMutation:
    @strawberry.mutation(description="Raise a risk escalation; the lead professional must acknowledge it by ackDueAt.")
    async def escalation_raise(self, info: Info, input: EscalationRaiseInput) -> EscalationType:
        family_id = parse_id(input.family_id, "familyId")
        row = await mutate(
            info,
            partial(
                escalation_service.raise_escalation,
                family_id=family_id,
                level=input.level,
                category=input.category,
                reason=input.reason,
                settings=info.context.settings,
            ),
            family_id=family_id,
            audit=lambda row: {"escalationId": str(row.id), "level": row.level.value, "category": row.category.value},
            idempotency_key=input.idempotency_key,
            replay=Escalation,
        )
        return EscalationType.from_seen(Seen(row, reason_visible=True))

    @strawberry.mutation(description="Acknowledge an escalation. Lead professional only; CONFLICT if already done.")
    async def escalation_acknowledge(self, info: Info, input: EscalationAcknowledgeInput) -> EscalationType:
        escalation_id = parse_id(input.escalation_id, "escalationId")
        await mutate(
            info,
            partial(escalation_service.acknowledge, escalation_id=escalation_id),
            audit=lambda row: {"escalationId": str(row.id)},
        )
        return await _view(info, escalation_id)

    @strawberry.mutation(description="Resolve an escalation with an outcome. Lead professional only.")
    async def escalation_resolve(self, info: Info, input: EscalationResolveInput) -> EscalationType:
        escalation_id = parse_id(input.escalation_id, "escalationId")
        await mutate(
            info,
            partial(escalation_service.resolve, escalation_id=escalation_id, outcome=input.outcome, note=input.note),
            audit=lambda row: {"escalationId": str(row.id), "outcome": input.outcome.value},
        )
        return await _view(info, escalation_id)
