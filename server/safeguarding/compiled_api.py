"""FamilySafeguarding (graphql/operations/safeguarding.graphql) compiled to one SQL statement.

The family's sharing and consent sub-page lists its safeguarding overrides and decisions not to share with
it. The family is answered under the family decision (FamilyQuery.family); the overrides and decisions
listed are those the SQL form of their rules lets the caller see (StatementPolicy.item_condition on
service.override_columns and decision_columns, as service.for_family and decisions_for_family ask it);
an override's family label is shown only under the decision on reading family labels
(server/api/labels.py). An id that is not one, a family that does not exist or that the caller may not
see, and any variable besides the id go to the generic executor.
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
from server.family.models import Family
from server.safeguarding.models import SafeguardingOverride, SharingDecision
from server.safeguarding.service import decision_columns, override_columns

_family = Family.__table__.c
_override = SafeguardingOverride.__table__.c
_decision = SharingDecision.__table__.c


def _overrides(family_id: Any, visible: ColumnElement, *, labelled: bool, now: Any) -> ColumnElement:
    label = sa.func.concat(_family.display_name, " (", _family.reference, ")") if labelled else sa.null()
    active = sa.and_(_override.revoked_at.is_(None), _override.starts_at <= now, _override.expires_at > now)
    override = sa.func.json_build_object(
        "id", sa.cast(_override.id, sa.Text),
        "familyId", sa.cast(_override.family_id, sa.Text),
        "familyLabel", label,
        "categories", _override.categories,
        "justification", _override.justification,
        "lawfulBasis", _override.lawful_basis,
        "adviceSought", _override.advice_sought,
        "familyInformed", _override.family_informed,
        "notInformedReason", _override.not_informed_reason,
        "startsAt", iso(_override.starts_at),
        "expiresAt", iso(_override.expires_at),
        "revokedAt", parts.iso_or_null(_override.revoked_at),
        "revocationReason", _override.revocation_reason,
        "reviewedAt", parts.iso_or_null(_override.reviewed_at),
        "reviewNote", _override.review_note,
        "active", active,
        "owningAgency", parts.agency(_override.owning_agency_id),
        "recipientAgencies", parts.agencies(_override.recipient_agency_ids),
        "decidedBy", parts.staff_member(_override.decided_by_user_id),
    )  # fmt: skip
    found = sa.select(parts.listed(override, _override.created_at.desc())).where(
        _override.family_id == family_id, visible
    )
    return sa.func.coalesce(found.scalar_subquery(), EMPTY_LIST)


def _decisions(family_id: Any, visible: ColumnElement) -> ColumnElement:
    decision = sa.func.json_build_object(
        "id", sa.cast(_decision.id, sa.Text),
        "categories", _decision.categories,
        "reason", _decision.reason,
        "createdAt", iso(_decision.created_at),
        "recipientAgencies", parts.agencies(_decision.recipient_agency_ids),
        "decidedBy", parts.staff_member(_decision.decided_by_user_id),
    )  # fmt: skip
    found = sa.select(parts.listed(decision, _decision.created_at.desc())).where(
        _decision.family_id == family_id, visible
    )
    return sa.func.coalesce(found.scalar_subquery(), EMPTY_LIST)


def statement(
    family_id: Any, overrides_visible: ColumnElement, decisions_visible: ColumnElement, *, labelled: bool
) -> sa.Select:
    """The answer's `data` as JSON text, one row when the family exists. `active` is as of :now, the time of the
    request, as SafeguardingOverrideType.active tells it."""
    now = parts.now_parameter()
    record = sa.func.json_build_object(
        "id", sa.cast(_family.id, sa.Text),
        "safeguardingOverrides", _overrides(_family.id, overrides_visible, labelled=labelled, now=now),
        "decisionsNotToShare", _decisions(_family.id, decisions_visible),
    )  # fmt: skip
    return sa.select(sa.cast(sa.func.json_build_object("family", record), sa.Text)).where(_family.id == family_id)


async def family_safeguarding(context: Context, variables: dict[str, Any]) -> str | None:
    """The answer's `data`, or None for the generic executor (see server/api/compiled.py)."""
    return await parts.family_record(context, variables, "familyId", _statement)


def _statement(policy: StatementPolicy, facts: FactsColumns, family_id: ColumnElement) -> sa.Select:
    overrides = policy.item_condition(facts, override_columns(), kind=Kind.safeguarding_override)
    decisions = policy.item_condition(facts, decision_columns(), kind=Kind.sharing_decision)
    labelled = policy.access().can_outside_family(Act.read, Kind.family_label)  # the role's, in policy.key
    return statement(family_id, overrides, decisions, labelled=labelled)
