"""FamilyConsents (graphql/operations/consent.graphql) compiled to one SQL statement.

The family's sharing and consent sub-page lists its consents and engagement agreements with it. The
family is answered under the family decision (FamilyQuery.family); both lists under the decision on
reading its consent records (service.list_for_family and engagement_for_family: all of them, or none),
both decided in the statement over the family's facts (StatementPolicy). An id that is not one, a family
that does not exist or that the caller may not see, and any variable besides the id go to the generic
executor.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import StatementPolicy
from server.access.rules import FactsColumns
from server.api import compiled_parts as parts
from server.api.context import Context
from server.api.json_sql import EMPTY_LIST, iso
from server.consent.models import Consent, EngagementAgreement
from server.family.models import Family, FamilyMember

_family = Family.__table__.c
_consent = Consent.__table__.c
_engagement = EngagementAgreement.__table__.c
_member = FamilyMember.__table__.c


def _given_by() -> ColumnElement:
    """ConsentType.given_by: the family's member who decided, or null when it is not one of its members."""
    member = sa.func.json_build_object("id", sa.cast(_member.id, sa.Text), "fullName", _member.full_name)
    return (
        sa.select(member)
        .where(_member.id == _consent.given_by_member_id, _member.family_id == _consent.family_id)
        .scalar_subquery()
    )


def _consents(family_id: Any) -> ColumnElement:
    consent = sa.func.json_build_object(
        "id", sa.cast(_consent.id, sa.Text),
        "decision", _consent.decision,
        "capacity", _consent.capacity,
        "categories", _consent.categories,
        "wholeTeam", _consent.whole_team,
        "purpose", _consent.purpose,
        "evidenceReference", _consent.evidence_reference,
        "validFrom", iso(_consent.valid_from),
        "validTo", parts.iso_or_null(_consent.valid_to),
        "withdrawnAt", parts.iso_or_null(_consent.withdrawn_at),
        "withdrawalReason", _consent.withdrawal_reason,
        "givenBy", _given_by(),
        "recipientAgencies", parts.agencies(_consent.recipient_agency_ids),
        "recordedBy", parts.staff_member(_consent.recorded_by_user_id),
    )  # fmt: skip
    found = sa.select(parts.listed(consent, _consent.created_at.desc())).where(_consent.family_id == family_id)
    return sa.func.coalesce(found.scalar_subquery(), EMPTY_LIST)


def _engagement_agreements(family_id: Any) -> ColumnElement:
    agreement = sa.func.json_build_object(
        "id", sa.cast(_engagement.id, sa.Text),
        "memberId", sa.cast(_engagement.member_id, sa.Text),
        "agreed", _engagement.agreed,
        "notes", _engagement.notes,
        "recordedAt", iso(_engagement.recorded_at),
    )  # fmt: skip
    found = sa.select(parts.listed(agreement, _engagement.recorded_at.desc())).where(_engagement.family_id == family_id)
    return sa.func.coalesce(found.scalar_subquery(), EMPTY_LIST)


def statement(family_id: Any, *, may_read_consents: ColumnElement) -> sa.Select:
    """The answer's `data` as JSON text, one row when the family exists; both lists empty unless
    `may_read_consents` holds."""
    consents = sa.case((may_read_consents, _consents(_family.id)), else_=EMPTY_LIST)
    agreements = sa.case((may_read_consents, _engagement_agreements(_family.id)), else_=EMPTY_LIST)
    record = sa.func.json_build_object(
        "id", sa.cast(_family.id, sa.Text), "consents", consents, "engagementAgreements", agreements
    )  # fmt: skip
    return sa.select(sa.cast(sa.func.json_build_object("family", record), sa.Text)).where(_family.id == family_id)


async def family_consents(context: Context, variables: dict[str, Any]) -> str | None:
    """The answer's `data`, or None for the generic executor (see server/api/compiled.py)."""
    return await parts.family_record(context, variables, "familyId", _statement)


def _statement(policy: StatementPolicy, facts: FactsColumns, family_id: ColumnElement) -> sa.Select:
    return statement(family_id, may_read_consents=policy.family_condition(facts, Act.read, Kind.consent))
