"""Panels in the API: the sittings, the families considered at one with their decisions, a family's panel
decisions, and arranging sittings, bringing families and recording decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial

import strawberry

from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id, parse_ids
from server.api.types import InformationCategoryType
from server.errors import BadUserInput
from server.panel import service as panel_service
from server.panel.models import PanelAllocation, PanelDecision, PanelKind, PanelOutcome, PanelSitting
from server.panel.service import Allocation, DecisionIn, SeenDecision, SittingIn
from server.service_catalogue.api import ServiceUnitType
from server.user.api import StaffMemberType

PanelKindType = strawberry.enum(
    PanelKind,
    name="PanelKind",
    description="gateway: decides access to services and step-up or step-down; resource: allocates services.",
)
PanelOutcomeType = strawberry.enum(
    PanelOutcome,
    name="PanelOutcome",
    description="The panel's decision for a family: accept_for_service, step_up, step_down, no_change, defer.",
)


@strawberry.type(name="PanelSitting", description="A sitting of a multi-agency panel. It names no family.")
class PanelSittingType:
    id: strawberry.ID
    version: int = strawberry.field(description="Send it back as expectedVersion; a stale one gives CONFLICT.")
    name: str
    kind: PanelKindType  # type: ignore[valid-type]
    sits_on: date
    members: str = strawberry.field(description="Who attended, by name and role.")
    row: strawberry.Private[PanelSitting]

    @strawberry.field(description="Who chaired it.")
    async def chair(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.row.chair_user_id))

    @strawberry.field(description="The agencies attending.")
    async def agencies(self, info: Info) -> list[AgencyType]:
        rows = await info.context.loaders.agency_by_id.load_many(self.row.agency_ids)
        return [AgencyType.from_row(row) for row in rows if row is not None]

    @strawberry.field(description="The families on its list that the caller may see, with their decisions.")
    async def decisions(self, info: Info) -> list[PanelDecisionType]:
        async with info.context.read() as session:
            _sitting, seen = await panel_service.decisions_of_sitting(session, info.context.access, self.row.id)
        return [PanelDecisionType.from_seen(item) for item in seen]

    @classmethod
    def from_row(cls, row: PanelSitting) -> PanelSittingType:
        return cls(
            id=strawberry.ID(str(row.id)),
            version=row.version,
            name=row.name,
            kind=row.kind,
            sits_on=row.sits_on,
            members=row.members,
            row=row,
        )


@strawberry.type(name="PanelAllocation", description="A service from the services list allocated by a panel.")
class PanelAllocationType:
    service_id: strawberry.ID
    quantity: int = strawberry.field(description="Units of the service (sessions, weeks, nights, ...).")
    row: strawberry.Private[PanelAllocation]

    @strawberry.field
    async def service_name(self, info: Info) -> str:
        return (await info.context.loaders.service_by_id.load(self.row.service_id)).name

    @strawberry.field
    async def unit(self, info: Info) -> ServiceUnitType:  # type: ignore[valid-type]
        return (await info.context.loaders.service_by_id.load(self.row.service_id)).unit


@strawberry.type(
    name="PanelDecision",
    description="A family considered at a panel sitting and the panel's decision (decided false until recorded)."
    " The family's team and the managers of its agencies see the outcome, the services allocated and the review"
    " date; the rationale is the recording agency's information, shown only to those the sharing rules allow for"
    " its category (null otherwise).",
)
class PanelDecisionType:
    id: strawberry.ID
    version: int = strawberry.field(description="Send it back as expectedVersion; a stale one gives CONFLICT.")
    family_id: strawberry.ID
    sitting_id: strawberry.ID
    sitting_name: str
    sitting_kind: PanelKindType  # type: ignore[valid-type]
    sits_on: date
    decided: bool
    outcome: PanelOutcomeType | None  # type: ignore[valid-type]
    review_on: date | None = strawberry.field(description="When the decision is to be reviewed (after sitsOn).")
    decided_at: datetime | None
    allocations: list[PanelAllocationType]
    category: InformationCategoryType | None  # type: ignore[valid-type]
    rationale_visible: bool = strawberry.field(description="Whether the caller may read the rationale.")
    rationale: str | None = strawberry.field(description="Why the panel decided so. Null when not readable.")
    names_third_party: bool | None = strawberry.field(description="Null when the rationale is not readable.")
    about_member_ids: list[strawberry.ID] | None = strawberry.field(
        description="Who in the family the rationale is about. Null when the rationale is not readable."
    )
    seen: strawberry.Private[SeenDecision]

    @strawberry.field(description="The family's reference and name.")
    async def family_reference(self, info: Info) -> str:
        return (await info.context.loaders.family_by_id.load(self.seen.row.family_id)).reference

    @strawberry.field
    async def family_name(self, info: Info) -> str:
        return (await info.context.loaders.family_by_id.load(self.seen.row.family_id)).display_name

    @strawberry.field(description="Who brought the family to the panel.")
    async def added_by(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.seen.row.added_by_user_id))

    @strawberry.field(description="Who recorded the decision; null before.")
    async def decided_by(self, info: Info) -> StaffMemberType | None:
        user_id = self.seen.row.decided_by_user_id
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(user_id)) if user_id else None

    @strawberry.field(description="The agency whose information the rationale is; null before the decision.")
    async def recording_agency(self, info: Info) -> AgencyType | None:
        agency_id = self.seen.row.owning_agency_id
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(agency_id)) if agency_id else None

    @classmethod
    def from_seen(cls, seen: SeenDecision) -> PanelDecisionType:
        row, visible = seen.row, seen.rationale_visible
        return cls(
            id=strawberry.ID(str(row.id)),
            version=row.version,
            family_id=strawberry.ID(str(row.family_id)),
            sitting_id=strawberry.ID(str(row.sitting_id)),
            sitting_name=seen.sitting.name,
            sitting_kind=seen.sitting.kind,
            sits_on=seen.sitting.sits_on,
            decided=row.outcome is not None,
            outcome=row.outcome,
            review_on=row.review_on,
            decided_at=row.decided_at,
            allocations=[
                PanelAllocationType(service_id=strawberry.ID(str(a.service_id)), quantity=a.quantity, row=a)
                for a in seen.allocations
            ],
            category=row.category,
            rationale_visible=visible,
            rationale=row.rationale if visible else None,
            names_third_party=row.names_third_party if visible else None,
            about_member_ids=[strawberry.ID(str(m)) for m in row.about_member_ids] if visible else None,
            seen=seen,
        )


@strawberry.input(description="A panel sitting: managers arrange them.")
class PanelSittingInput:
    name: str = strawberry.field(description="e.g. 'North gateway panel'; 200 characters at most.")
    kind: PanelKindType  # type: ignore[valid-type]
    sits_on: date
    chair_user_id: strawberry.ID = strawberry.field(description="A manager or practitioner.")
    members: str = strawberry.field(default="", description="Who attended; 2,000 characters at most.")
    agency_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="The agencies attending.")

    def to_sitting(self) -> SittingIn:
        return SittingIn(
            name=self.name,
            kind=self.kind,
            sits_on=self.sits_on,
            chair_user_id=parse_id(self.chair_user_id, "chairUserId"),
            members=self.members,
            agency_ids=parse_ids(self.agency_ids, "agencyIds"),
        )


@strawberry.input(description="Arrange a panel sitting. Managers only.")
class PanelSittingCreateInput:
    sitting: PanelSittingInput
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Change a sitting. Managers only; CONFLICT if stale.")
class PanelSittingEditInput:
    sitting_id: strawberry.ID
    expected_version: int
    sitting: PanelSittingInput


@strawberry.input(
    description="Bring a family to a sitting: its lead professional, or a manager of an agency on its team."
)
class PanelFamilyAddInput:
    sitting_id: strawberry.ID
    family_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="A service from the services list and how many units.")
class PanelAllocationInput:
    service_id: strawberry.ID
    quantity: int = strawberry.field(description="1 to 10,000.")


@strawberry.input(
    description="Record (or correct) the panel's decision for a family: its lead professional, or a manager of"
    " an agency on its team. The caller's agency owns the rationale."
)
class PanelDecideInput:
    decision_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    outcome: PanelOutcomeType  # type: ignore[valid-type]
    rationale: str = strawberry.field(description="Why: required, 5,000 characters at most.")
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        description="The category of information the rationale holds: it decides who may read it."
    )
    review_on: date = strawberry.field(description="After the date the panel sat.")
    allocations: list[PanelAllocationInput] = strawberry.field(default_factory=list)
    names_third_party: bool = strawberry.field(default=False, description="The rationale names someone outside.")
    about_member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)

    def to_decision(self) -> DecisionIn:
        if len(self.allocations) > panel_service.MAX_ALLOCATIONS:
            raise BadUserInput(f"At most {panel_service.MAX_ALLOCATIONS} services.", field="allocations")
        return DecisionIn(
            outcome=self.outcome,
            rationale=self.rationale,
            category=self.category,
            review_on=self.review_on,
            allocations=[Allocation(parse_id(a.service_id, "allocations"), a.quantity) for a in self.allocations],
            names_third_party=self.names_third_party,
            about_member_ids=parse_ids(self.about_member_ids, "aboutMemberIds"),
        )


async def _sitting_view(info: Info, sitting_id: uuid.UUID) -> PanelSittingType:
    async with info.context.read() as session:
        return PanelSittingType.from_row(await panel_service.get_sitting(session, info.context.access, sitting_id))


async def _decision_view(info: Info, decision_id: uuid.UUID) -> PanelDecisionType:
    async with info.context.read() as session:
        seen = await panel_service.get_decision(session, info.context.access, decision_id)
    return PanelDecisionType.from_seen(seen)


async def _replay_decision(session, access, decision_id: uuid.UUID) -> PanelDecision:
    return (await panel_service.get_decision(session, access, decision_id)).row


async def _replay_sitting(session, access, sitting_id: uuid.UUID) -> PanelSitting:
    return await panel_service.get_sitting(session, access, sitting_id)


@strawberry.type
class PanelQuery:
    @strawberry.field(description="Panel sittings, newest first. For practitioners and managers.")
    async def panel_sittings(self, info: Info) -> list[PanelSittingType]:
        async with info.context.read() as session:
            rows = await panel_service.list_sittings(session, info.context.access)
        return [PanelSittingType.from_row(row) for row in rows]

    @strawberry.field(description="One sitting. NOT_FOUND when it does not exist or the caller may not see it.")
    async def panel_sitting(self, info: Info, id: strawberry.ID) -> PanelSittingType:
        return await _sitting_view(info, parse_id(id, "id"))

    @strawberry.field(description="One family's panel decision. NOT_FOUND when missing or not the caller's to see.")
    async def panel_decision(self, info: Info, id: strawberry.ID) -> PanelDecisionType:
        return await _decision_view(info, parse_id(id, "id"))

    @strawberry.field(description="A family's panel decisions, newest sitting first. For the team and its managers.")
    async def family_panel_decisions(self, info: Info, family_id: strawberry.ID) -> list[PanelDecisionType]:
        async with info.context.read() as session:
            seen = await panel_service.decisions_of_family(
                session, info.context.access, parse_id(family_id, "familyId")
            )
        return [PanelDecisionType.from_seen(item) for item in seen]


@strawberry.type
class PanelMutation:
    @strawberry.mutation(description="Arrange a panel sitting. Managers only.")
    async def panel_sitting_create(self, info: Info, input: PanelSittingCreateInput) -> PanelSittingType:
        data = input.sitting.to_sitting()
        row = await mutate(
            info,
            partial(panel_service.create_sitting, data=data),
            audit=lambda row: {"sittingId": str(row.id), "kind": PanelKind(row.kind).value},
            idempotency_key=input.idempotency_key,
            replay=_replay_sitting,
        )
        return await _sitting_view(info, row.id)

    @strawberry.mutation(description="Change a sitting. Managers only; CONFLICT if stale.")
    async def panel_sitting_edit(self, info: Info, input: PanelSittingEditInput) -> PanelSittingType:
        sitting_id = parse_id(input.sitting_id, "sittingId")
        await mutate(
            info,
            partial(
                panel_service.edit_sitting,
                sitting_id=sitting_id,
                expected_version=input.expected_version,
                data=input.sitting.to_sitting(),
            ),
            audit=lambda row: {"sittingId": str(row.id)},
        )
        return await _sitting_view(info, sitting_id)

    @strawberry.mutation(description="Bring a family to a sitting. CONFLICT if it is already on the list.")
    async def panel_family_add(self, info: Info, input: PanelFamilyAddInput) -> PanelDecisionType:
        family_id = parse_id(input.family_id, "familyId")
        row = await mutate(
            info,
            partial(panel_service.add_family, sitting_id=parse_id(input.sitting_id, "sittingId"), family_id=family_id),
            family_id=family_id,
            audit=lambda row: {"decisionId": str(row.id), "sittingId": str(row.sitting_id)},
            idempotency_key=input.idempotency_key,
            replay=_replay_decision,
        )
        return await _decision_view(info, row.id)

    @strawberry.mutation(description="Record the panel's decision for a family. CONFLICT if stale.")
    async def panel_decide(self, info: Info, input: PanelDecideInput) -> PanelDecisionType:
        decision_id = parse_id(input.decision_id, "decisionId")
        await mutate(
            info,
            partial(
                panel_service.decide,
                decision_id=decision_id,
                expected_version=input.expected_version,
                data=input.to_decision(),
            ),
            audit=lambda row: {
                "decisionId": str(row.id),
                "outcome": input.outcome.value,
                "category": input.category.value,
            },
        )
        return await _decision_view(info, decision_id)
