from __future__ import annotations

from datetime import date, datetime
from functools import partial

import strawberry

from server.api.mutation import mutate
from server.api.scalars import Info, parse_id
from server.legal_status import service as legal_status_service
from server.legal_status.models import LegalStatus, LegalStatusChange
from server.legal_status.service import StatusIn
from server.user.api import StaffMemberType

LegalStatusType = strawberry.enum(
    LegalStatus,
    name="LegalStatus",
    description="none (early help, no statutory status), child_in_need, child_protection_plan, looked_after.",
)


@strawberry.type(
    name="LegalStatusChange",
    description="The family's legal status and cohort from a date, until the next change. For the team and its"
    " agencies' managers.",
)
class LegalStatusChangeType:
    id: strawberry.ID
    legal_status: LegalStatusType  # type: ignore[valid-type]
    edge_of_care: bool = strawberry.field(description="In the edge-of-care cohort: at risk of entering care.")
    effective_from: date
    created_at: datetime = strawberry.field(description="When the change was recorded.")
    recorded_by_user_id: strawberry.Private[object]

    @strawberry.field
    async def recorded_by(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.recorded_by_user_id))

    @classmethod
    def from_row(cls, row: LegalStatusChange) -> LegalStatusChangeType:
        return cls(
            id=strawberry.ID(str(row.id)),
            legal_status=row.legal_status,
            edge_of_care=row.edge_of_care,
            effective_from=row.effective_from,
            created_at=row.created_at,
            recorded_by_user_id=row.recorded_by_user_id,
        )


@strawberry.input(description="Record a change of the family's legal status or cohort. Lead professional only.")
class FamilyLegalStatusSetInput:
    family_id: strawberry.ID
    expected_version: int = strawberry.field(description="The family's version; a stale one gives CONFLICT.")
    legal_status: LegalStatusType  # type: ignore[valid-type]
    edge_of_care: bool
    effective_from: date = strawberry.field(
        description="Not in the future, not before the record was opened, nor before the current status's date."
    )


@strawberry.type
class LegalStatusQuery:
    @strawberry.field(
        description="The family's legal status and cohort, newest first: the first is the status now; empty"
        " when none has been recorded. For the team and its agencies' managers."
    )
    async def family_legal_status(self, info: Info, family_id: strawberry.ID) -> list[LegalStatusChangeType]:
        async with info.context.read() as session:
            rows = await legal_status_service.history(session, info.context.access, parse_id(family_id, "familyId"))
        return [LegalStatusChangeType.from_row(row) for row in rows]


@strawberry.type
class LegalStatusMutation:
    @strawberry.mutation(description="Record a change of legal status or cohort. CONFLICT if the family is stale.")
    async def family_legal_status_set(self, info: Info, input: FamilyLegalStatusSetInput) -> LegalStatusChangeType:
        family_id = parse_id(input.family_id, "familyId")
        data = StatusIn(input.legal_status, input.edge_of_care, input.effective_from)
        row = await mutate(
            info,
            partial(
                legal_status_service.set_status,
                family_id=family_id,
                expected_version=input.expected_version,
                data=data,
            ),
            family_id=family_id,
            audit=lambda row: {"legalStatus": row.legal_status.value, "edgeOfCare": row.edge_of_care},
        )
        return LegalStatusChangeType.from_row(row)
