from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial
from typing import Any

import strawberry
from strawberry.scalars import JSON

from server.access.categories import InformationCategory
from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType
from server.errors import BadUserInput
from server.plan import service as plan_service
from server.plan.contingency_api import PlanContingencyType
from server.plan.models import ActionStatus, GoalStatus, OutcomeDomain, PlanAction, PlanGoal
from server.plan.service import ActionIn, GoalIn, SeenAction, SeenGoal, SeenVersion
from server.user.api import StaffMemberType

OutcomeDomainType = strawberry.enum(
    OutcomeDomain,
    name="OutcomeDomain",
    description="The outcome domains families and professionals named: behaviour; school attendance and"
    " attainment; family and peer relationships; confidence and self-esteem; aspirations and employability;"
    " living conditions; mental and physical health; safety.",
)
GoalStatusType = strawberry.enum(GoalStatus, name="GoalStatus", description="Where a goal stands.")
ActionStatusType = strawberry.enum(ActionStatus, name="ActionStatus", description="Where an action stands.")


_CATEGORY_FIELD = "The information category of the words: it decides who may read them."
_VISIBLE_FIELD = "Whether the caller may read the words (null when not)."


@strawberry.type(
    name="PlanGoal",
    description="A goal of the family plan, in the family's own words. Whoever may read the plan sees the"
    " goal's status, dates and outcome area; its words are the writing agency's information in its category,"
    " shown only where the sharing rules allow (the whole team for a goal agreed with the family, unless a"
    " refusal withholds its category; always the lead professional).",
)
class PlanGoalType:
    id: strawberry.ID
    category: InformationCategoryType = strawberry.field(description=_CATEGORY_FIELD)  # type: ignore[valid-type]
    content_visible: bool = strawberry.field(description=_VISIBLE_FIELD)
    in_family_words: str | None = strawberry.field(description="The goal as the family put it; null when withheld.")
    agreed_with_family: bool
    agreed_on: date | None = strawberry.field(description="When the family agreed it; null if not agreed.")
    target_date: date | None
    outcome_domain: OutcomeDomainType  # type: ignore[valid-type]
    status: GoalStatusType  # type: ignore[valid-type]
    conference_id: strawberry.ID | None = strawberry.field(
        description="The family group conference at which the family made this goal, its own plan; null otherwise."
    )
    version: int = strawberry.field(description="Send it back as expectedVersion when editing.")
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[PlanGoal]

    @strawberry.field(description="The agency whose words the goal is (it wrote them).")
    async def owning_agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.row.owning_agency_id))

    @classmethod
    def from_seen(cls, seen: SeenGoal) -> PlanGoalType:
        row = seen.row
        return cls(
            id=strawberry.ID(str(row.id)),
            category=InformationCategory(row.category),
            content_visible=seen.content_visible,
            in_family_words=row.in_family_words if seen.content_visible else None,
            agreed_with_family=row.agreed_with_family,
            agreed_on=row.agreed_on,
            target_date=row.target_date,
            outcome_domain=row.outcome_domain,
            status=row.status,
            conference_id=strawberry.ID(str(row.conference_id)) if row.conference_id else None,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )


@strawberry.type(
    name="PlanAction",
    description="An action on the family plan, owned by one agency's worker. Whoever may read the plan sees its"
    " owner, due date, status and goal; its description is the owning agency's information in its category,"
    " shown only where the sharing rules allow (always to the owning agency and the lead professional).",
)
class PlanActionType:
    id: strawberry.ID
    category: InformationCategoryType = strawberry.field(description=_CATEGORY_FIELD)  # type: ignore[valid-type]
    content_visible: bool = strawberry.field(description=_VISIBLE_FIELD)
    description: str | None = strawberry.field(description="What is to be done; null when withheld.")
    goal_id: strawberry.ID | None = strawberry.field(description="The goal it serves, if any.")
    meeting_id: strawberry.ID | None = strawberry.field(description="The TAF meeting that agreed it, if any.")
    due_date: date
    status: ActionStatusType  # type: ignore[valid-type]
    overdue: bool = strawberry.field(description="Open or in progress, and due before today.")
    version: int = strawberry.field(description="Send it back as expectedVersion when editing.")
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[PlanAction]

    @strawberry.field(description="The agency that owns the action and updates it.")
    async def owning_agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.row.owning_agency_id))

    @strawberry.field(description="The named worker who owns the action.")
    async def owner(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.row.owner_user_id))

    @classmethod
    def from_seen(cls, seen: SeenAction) -> PlanActionType:
        row = seen.row
        return cls(
            id=strawberry.ID(str(row.id)),
            category=InformationCategory(row.category),
            content_visible=seen.content_visible,
            description=row.description if seen.content_visible else None,
            goal_id=strawberry.ID(str(row.goal_id)) if row.goal_id else None,
            meeting_id=strawberry.ID(str(row.meeting_id)) if row.meeting_id else None,
            due_date=row.due_date,
            status=row.status,
            overdue=plan_service.is_overdue(row),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )


@strawberry.type(
    name="PlanHistoryEntry",
    description="One version of a goal, an action or a contingency; never changed. Each version is decided on its"
    " own: its words are null in the snapshot where the caller may not read them in that version's category.",
)
class PlanHistoryEntryType:
    entity: str = strawberry.field(description="goal, action or contingency.")
    entity_id: strawberry.ID
    version: int
    category: InformationCategoryType = strawberry.field(description=_CATEGORY_FIELD)  # type: ignore[valid-type]
    content_visible: bool = strawberry.field(description=_VISIBLE_FIELD)
    snapshot: JSON = strawberry.field(
        description="The goal, action or contingency as it read at this version (its words null when withheld)."
    )
    created_at: datetime
    editor_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Who made this version.")
    async def editor(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.editor_id))

    @classmethod
    def from_seen(cls, seen: SeenVersion) -> PlanHistoryEntryType:
        row = seen.row
        texts = plan_service.TEXT_FIELDS[row.entity]
        withheld = {} if seen.content_visible else dict.fromkeys(texts)
        snapshot = {**row.snapshot, **withheld}
        return cls(
            entity=row.entity,
            entity_id=strawberry.ID(str(row.entity_id)),
            version=row.version,
            category=InformationCategory(seen.category),
            content_visible=seen.content_visible,
            snapshot=snapshot,
            created_at=row.created_at,
            editor_id=row.editor_user_id,
        )


@strawberry.type(
    name="FamilyPlan", description="A family's plan: its goals, actions and contingencies. For the family's team."
)
class FamilyPlanType:
    family_id: strawberry.ID
    goals: list[PlanGoalType]
    actions: list[PlanActionType] = strawberry.field(description="Soonest due first.")
    contingencies: list[PlanContingencyType] = strawberry.field(
        description="What the team and the family will do when and if something happens; oldest first."
    )


@strawberry.input(description="A new goal, in the family's own words. Lead professional only.")
class PlanGoalAddInput:
    family_id: strawberry.ID
    in_family_words: str = strawberry.field(description="1,000 characters at most.")
    outcome_domain: OutcomeDomainType  # type: ignore[valid-type]
    agreed_with_family: bool = False
    agreed_on: date | None = strawberry.field(default=None, description="Defaults to today when agreed.")
    target_date: date | None = strawberry.field(default=None, description="Not before today.")
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        default=InformationCategory.other, description=_CATEGORY_FIELD
    )
    conference_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A goal of the plan the family made at this family group conference (held): the family's own,"
        " so agreed with the family (on the conference's day unless agreedOn says otherwise) and the whole team's.",
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Edit a goal: send only what changes. Lead professional only.")
class PlanGoalEditInput:
    goal_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    in_family_words: strawberry.Maybe[str]
    outcome_domain: strawberry.Maybe[OutcomeDomainType]  # type: ignore[valid-type]
    agreed_with_family: strawberry.Maybe[bool]
    agreed_on: strawberry.Maybe[date | None]
    target_date: strawberry.Maybe[date | None]
    status: strawberry.Maybe[GoalStatusType]  # type: ignore[valid-type]
    category: strawberry.Maybe[InformationCategoryType]  # type: ignore[valid-type]

    def changes(self) -> dict[str, Any]:
        return sent(
            self,
            ("in_family_words", "outcome_domain", "agreed_with_family", "status", "category"),
            ("agreed_on", "target_date"),
        )


@strawberry.input(description="A new action for a worker on the team. Lead professional only.")
class PlanActionAddInput:
    family_id: strawberry.ID
    description: str = strawberry.field(description="2,000 characters at most.")
    owner_user_id: strawberry.ID = strawberry.field(description="A worker on the family's team.")
    due_date: date = strawberry.field(description="Not before today.")
    goal_id: strawberry.ID | None = None
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        default=InformationCategory.other, description=_CATEGORY_FIELD
    )

    def to_action(self) -> ActionIn:
        return ActionIn(
            description=self.description,
            owner_user_id=parse_id(self.owner_user_id, "ownerUserId"),
            due_date=self.due_date,
            goal_id=parse_id(self.goal_id, "goalId") if self.goal_id else None,
            category=self.category,
        )

    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(
    description="Update an action: send only what changes. The owning agency or the lead professional; only the"
    " lead hands it to another agency."
)
class PlanActionEditInput:
    action_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    description: strawberry.Maybe[str]
    status: strawberry.Maybe[ActionStatusType]  # type: ignore[valid-type]
    due_date: strawberry.Maybe[date]
    owner_user_id: strawberry.Maybe[strawberry.ID]
    goal_id: strawberry.Maybe[strawberry.ID | None]
    category: strawberry.Maybe[InformationCategoryType]  # type: ignore[valid-type]

    def changes(self) -> dict[str, Any]:
        changes = sent(self, ("description", "status", "due_date", "owner_user_id", "category"), ("goal_id",))
        for name in ("owner_user_id", "goal_id"):
            if changes.get(name) is not None:
                changes[name] = parse_id(changes[name], name)
        return changes


def sent(data: object, required: tuple[str, ...], nullable: tuple[str, ...]) -> dict[str, Any]:
    """The fields of a Maybe input that the caller sent; `required` ones may not be null."""
    changes: dict[str, Any] = {}
    for name in (*required, *nullable):
        value = getattr(data, name)
        if value is None:
            continue
        if value.value is None and name in required:
            raise BadUserInput(f"{name} cannot be null; leave it out to keep it.", field=name)
        changes[name] = value.value
    return changes


@strawberry.type
class PlanQuery:
    @strawberry.field(description="A family's plan. NOT_FOUND for anyone not on the family's team.")
    async def family_plan(self, info: Info, family_id: strawberry.ID) -> FamilyPlanType:
        family = parse_id(family_id, "familyId")
        async with info.context.read() as session:
            plan = await plan_service.plan_of_family(session, info.context.access, family)
        return FamilyPlanType(
            family_id=strawberry.ID(str(family)),
            goals=[PlanGoalType.from_seen(goal) for goal in plan.goals],
            actions=[PlanActionType.from_seen(action) for action in plan.actions],
            contingencies=[PlanContingencyType.from_seen(item) for item in plan.contingencies],
        )

    @strawberry.field(description="Every version of the plan's goals, actions and contingencies, oldest first.")
    async def plan_history(
        self, info: Info, family_id: strawberry.ID, entity_id: strawberry.ID | None = None
    ) -> list[PlanHistoryEntryType]:
        family = parse_id(family_id, "familyId")
        entity = parse_id(entity_id, "entityId") if entity_id else None
        async with info.context.read() as session:
            seen = await plan_service.history_of_family(session, info.context.access, family, entity_id=entity)
        return [PlanHistoryEntryType.from_seen(version) for version in seen]


@strawberry.type
class PlanMutation:
    @strawberry.mutation(description="Add a goal to the family plan. Lead professional only.")
    async def plan_goal_add(self, info: Info, input: PlanGoalAddInput) -> PlanGoalType:
        family_id = parse_id(input.family_id, "familyId")
        data = GoalIn(
            in_family_words=input.in_family_words,
            outcome_domain=input.outcome_domain,
            agreed_with_family=input.agreed_with_family,
            agreed_on=input.agreed_on,
            target_date=input.target_date,
            category=input.category,
            conference_id=parse_id(input.conference_id, "conferenceId") if input.conference_id else None,
        )
        seen = await mutate(
            info,
            partial(plan_service.add_goal, family_id=family_id, data=data),
            family_id=family_id,
            audit=lambda row: {"goalId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=PlanGoal,
            then=plan_service.seen_goal,
        )
        return PlanGoalType.from_seen(seen)

    @strawberry.mutation(description="Edit a goal. Lead professional only; CONFLICT when someone changed it first.")
    async def plan_goal_edit(self, info: Info, input: PlanGoalEditInput) -> PlanGoalType:
        seen = await mutate(
            info,
            partial(
                plan_service.edit_goal,
                goal_id=parse_id(input.goal_id, "goalId"),
                expected_version=input.expected_version,
                changes=input.changes(),
            ),
            audit=lambda row: {"goalId": str(row.id), "version": row.version},
            then=plan_service.seen_goal,
        )
        return PlanGoalType.from_seen(seen)

    @strawberry.mutation(description="Add an action for a worker on the team. Lead professional only.")
    async def plan_action_add(self, info: Info, input: PlanActionAddInput) -> PlanActionType:
        family_id = parse_id(input.family_id, "familyId")
        seen = await mutate(
            info,
            partial(plan_service.add_action, family_id=family_id, data=input.to_action()),
            family_id=family_id,
            audit=lambda row: {"actionId": str(row.id), "ownerUserId": str(row.owner_user_id)},
            idempotency_key=input.idempotency_key,
            replay=PlanAction,
            then=plan_service.seen_action,
        )
        return PlanActionType.from_seen(seen)

    @strawberry.mutation(description="Update an action; CONFLICT when someone changed it since you read it.")
    async def plan_action_edit(self, info: Info, input: PlanActionEditInput) -> PlanActionType:
        seen = await mutate(
            info,
            partial(
                plan_service.edit_action,
                action_id=parse_id(input.action_id, "actionId"),
                expected_version=input.expected_version,
                changes=input.changes(),
            ),
            audit=lambda row: {"actionId": str(row.id), "version": row.version},
            then=plan_service.seen_action,
        )
        return PlanActionType.from_seen(seen)
