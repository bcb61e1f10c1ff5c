"""Contingencies on the family plan, through GraphQL: the type the plan lists, and adding and editing one."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

import strawberry

from server.access.categories import InformationCategory
from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType
from server.errors import BadUserInput
from server.plan import contingency as contingency_service
from server.plan.contingency import ContingencyIn, SeenContingency
from server.plan.models import ContingencyStatus, PlanContingency

ContingencyStatusType = strawberry.enum(
    ContingencyStatus,
    name="ContingencyStatus",
    description="Where a contingency stands: in place (ready should it happen), used (it happened and the"
    " response was carried out), withdrawn (no longer needed).",
)

_CATEGORY = "The information category of the words: it decides who may read them."
_WITHHELD = "null when withheld."


@strawberry.type(
    name="PlanContingency",
    description="What will be done when and if something happens, on the family plan. Whoever may read the plan"
    " sees that it exists, where it stands and whether the family agreed it; its trigger, response and who acts"
    " are the writing agency's information in its category, shown only where the sharing rules allow (the whole"
    " team when agreed with the family, unless a refusal withholds its category; always the lead professional).",
)
class PlanContingencyType:
    id: strawberry.ID
    category: InformationCategoryType = strawberry.field(description=_CATEGORY)  # type: ignore[valid-type]
    content_visible: bool = strawberry.field(description="Whether the caller may read the words (null when not).")
    trigger: str | None = strawberry.field(description=f"What would set it off; {_WITHHELD}")
    response: str | None = strawberry.field(description=f"What will then be done; {_WITHHELD}")
    who_acts: str | None = strawberry.field(description=f"Who does it; {_WITHHELD}")
    agreed_with_family: bool
    names_third_party: bool = strawberry.field(
        description="It names someone outside the family: it never reaches the family portal."
    )
    status: ContingencyStatusType  # type: ignore[valid-type]
    version: int = strawberry.field(description="Send it back as expectedVersion when editing.")
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[PlanContingency]

    @strawberry.field(description="The agency whose words the contingency is (it wrote them).")
    async def owning_agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.row.owning_agency_id))

    @classmethod
    def from_seen(cls, seen: SeenContingency) -> PlanContingencyType:
        row, shown = seen.row, seen.content_visible
        return cls(
            id=strawberry.ID(str(row.id)),
            category=InformationCategory(row.category),
            content_visible=shown,
            trigger=row.trigger if shown else None,
            response=row.response if shown else None,
            who_acts=row.who_acts if shown else None,
            agreed_with_family=row.agreed_with_family,
            names_third_party=row.names_third_party,
            status=row.status,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )


@strawberry.input(description="A new contingency on the family plan. Lead professional only.")
class PlanContingencyAddInput:
    family_id: strawberry.ID
    trigger: str = strawberry.field(description="What would set it off. 1,000 characters at most.")
    response: str = strawberry.field(description="What will then be done. 2,000 characters at most.")
    who_acts: str = strawberry.field(description="Who does it: a worker, a family member, the duty team. 300 at most.")
    agreed_with_family: bool = False
    names_third_party: bool = strawberry.field(
        default=False, description="Tick when it names someone outside the family: it then never reaches the portal."
    )
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        default=InformationCategory.other, description=_CATEGORY
    )
    idempotency_key: str | None = idempotency_key_field()

    def to_contingency(self) -> ContingencyIn:
        return ContingencyIn(
            trigger=self.trigger,
            response=self.response,
            who_acts=self.who_acts,
            agreed_with_family=self.agreed_with_family,
            names_third_party=self.names_third_party,
            category=self.category,
        )


@strawberry.input(description="Edit a contingency: send only what changes. Lead professional only.")
class PlanContingencyEditInput:
    contingency_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    trigger: strawberry.Maybe[str]
    response: strawberry.Maybe[str]
    who_acts: strawberry.Maybe[str]
    agreed_with_family: strawberry.Maybe[bool]
    names_third_party: strawberry.Maybe[bool]
    status: strawberry.Maybe[ContingencyStatusType]  # type: ignore[valid-type]
    category: strawberry.Maybe[InformationCategoryType]  # type: ignore[valid-type]

    def changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for name in (
            "trigger",
            "response",
            "who_acts",
            "agreed_with_family",
            "names_third_party",
            "status",
            "category",
        ):
            sent = getattr(self, name)
            if sent is None:
                continue
            if sent.value is None:
                raise BadUserInput(f"{name} cannot be null; leave it out to keep it.", field=name)
            changes[name] = sent.value
        return changes


@strawberry.type
class PlanContingencyMutation:
    @strawberry.mutation(description="Add a contingency to the family plan. Lead professional only.")
    async def plan_contingency_add(self, info: Info, input: PlanContingencyAddInput) -> PlanContingencyType:
        family_id = parse_id(input.family_id, "familyId")
        seen = await mutate(
            info,
            partial(contingency_service.add_contingency, family_id=family_id, data=input.to_contingency()),
            family_id=family_id,
            audit=lambda row: {"contingencyId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=PlanContingency,
            then=contingency_service.seen_contingency,
        )
        return PlanContingencyType.from_seen(seen)

    @strawberry.mutation(
        description="Edit a contingency (or record that it was used or withdrawn). Lead professional only;"
        " CONFLICT when someone changed it first."
    )
    async def plan_contingency_edit(self, info: Info, input: PlanContingencyEditInput) -> PlanContingencyType:
        seen = await mutate(
            info,
            partial(
                contingency_service.edit_contingency,
                contingency_id=parse_id(input.contingency_id, "contingencyId"),
                expected_version=input.expected_version,
                changes=input.changes(),
            ),
            audit=lambda row: {"contingencyId": str(row.id), "version": row.version},
            then=contingency_service.seen_contingency,
        )
        return PlanContingencyType.from_seen(seen)
