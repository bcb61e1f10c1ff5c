from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial

import strawberry

from server.api.mutation import mutate
from server.api.scalars import Info, parse_id
from server.family.api import FamilyType, LevelOfNeedType
from server.family.models import Family
from server.transition import service as transition_service
from server.transition.models import CareOutcome, ClosureOutcome, FamilyTransition, TransitionKind
from server.transition.service import ClosureIn, OpenActions, StepIn

TransitionKindType = strawberry.enum(TransitionKind, name="TransitionKind")
ClosureOutcomeType = strawberry.enum(ClosureOutcome, name="ClosureOutcome", description="How the work ended.")
CareOutcomeType = strawberry.enum(
    CareOutcome,
    name="CareOutcome",
    description="The edge-of-care outcome at closure: remained_at_home, entered_care, returned_home, moved_away,"
    " other.",
)
OpenActionsType = strawberry.enum(
    OpenActions, name="OpenActions", description="On closing: cancel the open actions, or keep them with their owners."
)


@strawberry.type(name="FamilyTransition", description="A step up, step down, closure or re-opening, as recorded.")
class FamilyTransitionType:
    id: strawberry.ID
    kind: TransitionKindType  # type: ignore[valid-type]
    effective_on: date
    reason: str
    receiving_team: str
    outcome: ClosureOutcomeType | None  # type: ignore[valid-type]
    care_outcome: CareOutcomeType | None = strawberry.field(  # type: ignore[valid-type]
        description="At closure: where the young person lives. Null for other changes and for closures recorded"
        " before it was asked."
    )
    support_continuing: str = strawberry.field(description="Sustainability plan: what support continues.")
    contact_if_difficulties: str = strawberry.field(description="Who the family can contact if difficulties return.")
    family_feedback: str
    panel_decision_id: strawberry.ID | None = strawberry.field(
        description="A step up or down agreed at a multi-agency panel: that panel's decision (panelDecision)."
    )
    created_at: datetime

    @classmethod
    def from_row(cls, row: FamilyTransition) -> FamilyTransitionType:
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=row.kind,
            effective_on=row.effective_on,
            reason=row.reason,
            receiving_team=row.receiving_team,
            outcome=row.outcome,
            care_outcome=row.care_outcome,
            support_continuing=row.support_continuing,
            contact_if_difficulties=row.contact_if_difficulties,
            family_feedback=row.family_feedback,
            panel_decision_id=strawberry.ID(str(row.panel_decision_id)) if row.panel_decision_id else None,
            created_at=row.created_at,
        )


@strawberry.type(name="FamilyTransitionResult")
class FamilyTransitionResultType:
    family: FamilyType
    transition: FamilyTransitionType

    @classmethod
    def of(cls, pair: tuple[Family, FamilyTransition]) -> FamilyTransitionResultType:
        return cls(family=FamilyType.from_row(pair[0]), transition=FamilyTransitionType.from_row(pair[1]))


@strawberry.input(description="Step up to statutory services. Lead professional only.")
class FamilyStepUpInput:
    family_id: strawberry.ID
    expected_version: int = strawberry.field(description="The family's version; a stale one gives CONFLICT.")
    reason: str
    receiving_team: str = strawberry.field(description="e.g. 'Children's Social Care, Assessment Team 2'.")
    effective_on: date = strawberry.field(description="Not before the record was opened.")
    panel_decision_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Agreed at a panel: the panel's decision for this family, whose outcome is to step up."
        " BAD_USER_INPUT if it is not.",
    )


@strawberry.input(description="Step down to universal or targeted support. Lead professional only.")
class FamilyStepDownInput:
    family_id: strawberry.ID
    expected_version: int
    reason: str
    receiving_team: str
    effective_on: date = strawberry.field(description="Not in the future.")
    level_of_need: LevelOfNeedType  # type: ignore[valid-type]
    panel_decision_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Agreed at a panel: the panel's decision for this family, whose outcome is to step down."
        " BAD_USER_INPUT if it is not.",
    )


@strawberry.input(description="Close the family's record with an outcome and a sustainability plan.")
class FamilyCloseInput:
    family_id: strawberry.ID
    expected_version: int
    outcome: ClosureOutcomeType  # type: ignore[valid-type]
    care_outcome: CareOutcomeType = strawberry.field(  # type: ignore[valid-type]
        description="Where the young person lives at closure: did they remain at home or enter care?"
    )
    reason: str
    support_continuing: str = strawberry.field(description="What support continues (required).")
    contact_if_difficulties: str = strawberry.field(description="Who to contact if difficulties return (required).")
    family_feedback: str = ""
    effective_on: date = strawberry.field(description="Not in the future.")
    open_actions: OpenActionsType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Required when actions are still open: cancel or keep them."
    )


@strawberry.input(description="Re-open a closed family's record, with a reason. Lead professional only.")
class FamilyReopenInput:
    family_id: strawberry.ID
    expected_version: int
    reason: str


@strawberry.type
class TransitionQuery:
    @strawberry.field(description="A family's step ups, step downs, closures and re-openings, oldest first.")
    async def family_transitions(self, info: Info, family_id: strawberry.ID) -> list[FamilyTransitionType]:
        async with info.context.read() as session:
            rows = await transition_service.list_for_family(
                session, info.context.access, parse_id(family_id, "familyId")
            )
        return [FamilyTransitionType.from_row(row) for row in rows]


@strawberry.type
class TransitionMutation:
    @strawberry.mutation(description="Step up to statutory services; the level of need becomes statutory.")
    async def family_step_up(self, info: Info, input: FamilyStepUpInput) -> FamilyTransitionResultType:
        family_id = parse_id(input.family_id, "familyId")
        data = StepIn(input.reason, input.receiving_team, input.effective_on, _panel_decision(input.panel_decision_id))
        pair = await mutate(
            info,
            partial(
                transition_service.step_up, family_id=family_id, expected_version=input.expected_version, data=data
            ),
            family_id=family_id,
            audit=_transition_detail,
        )
        return FamilyTransitionResultType.of(pair)

    @strawberry.mutation(description="Step down to universal or targeted support.")
    async def family_step_down(self, info: Info, input: FamilyStepDownInput) -> FamilyTransitionResultType:
        family_id = parse_id(input.family_id, "familyId")
        pair = await mutate(
            info,
            partial(
                transition_service.step_down,
                family_id=family_id,
                expected_version=input.expected_version,
                data=StepIn(
                    input.reason, input.receiving_team, input.effective_on, _panel_decision(input.panel_decision_id)
                ),
                level_of_need=input.level_of_need,
            ),
            family_id=family_id,
            audit=_transition_detail,
        )
        return FamilyTransitionResultType.of(pair)

    @strawberry.mutation(
        description="Close the record. With actions still open, BAD_USER_INPUT (field openActions) unless"
        " openActions says cancel or keep."
    )
    async def family_close(self, info: Info, input: FamilyCloseInput) -> FamilyTransitionResultType:
        family_id = parse_id(input.family_id, "familyId")
        data = ClosureIn(
            outcome=input.outcome,
            care_outcome=input.care_outcome,
            reason=input.reason,
            support_continuing=input.support_continuing,
            contact_if_difficulties=input.contact_if_difficulties,
            family_feedback=input.family_feedback,
            effective_on=input.effective_on,
            open_actions=OpenActions(input.open_actions) if input.open_actions else None,
        )
        pair = await mutate(
            info,
            partial(transition_service.close, family_id=family_id, expected_version=input.expected_version, data=data),
            family_id=family_id,
            audit=lambda pair: _transition_detail(pair) | {"openActions": data.open_actions},
        )
        return FamilyTransitionResultType.of(pair)

    @strawberry.mutation(description="Re-open a closed record, with a reason.")
    async def family_reopen(self, info: Info, input: FamilyReopenInput) -> FamilyTransitionResultType:
        family_id = parse_id(input.family_id, "familyId")
        pair = await mutate(
            info,
            partial(
                transition_service.reopen,
                family_id=family_id,
                expected_version=input.expected_version,
                reason=input.reason,
            ),
            family_id=family_id,
            audit=_transition_detail,
        )
        return FamilyTransitionResultType.of(pair)


def _panel_decision(value: strawberry.ID | None) -> uuid.UUID | None:
    return parse_id(value, "panelDecisionId") if value is not None else None


def _transition_detail(pair: tuple[Family, FamilyTransition]) -> dict:
    detail = {"transitionId": str(pair[1].id)}
    if pair[1].panel_decision_id is not None:
        detail["panelDecisionId"] = str(pair[1].panel_decision_id)
    return detail
