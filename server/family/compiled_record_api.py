"""Family and FamilyPage (graphql/operations/family.graphql) compiled to one SQL statement each.

Every sub-page of the family's record starts with FamilyPage (web/js/pages/family.js), the bench's family
page with Family: the family, its members and its current team, and for FamilyPage the lead's cover. The
record is answered under the family decision alone, as FamilyQuery.family asks it (get_family); the
members and the team are what the batch loads give (members_by_family_id, active_team_by_family_id), in
their order; the cover is server/cover/compiled_api.py. An id that is not one, a family that does not
exist or that the caller may not see, and any variable besides the id go to the generic executor.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import StatementPolicy
from server.access.rules import FactsColumns, active_membership
from server.api import compiled_parts as parts
from server.api.context import Context
from server.api.json_sql import EMPTY_LIST, iso
from server.cover.compiled_api import cover
from server.family.models import Family, FamilyMember
from server.team.compiled_api import team_member
from server.team.models import TeamMembership, TeamRole

_family = Family.__table__.c
_member = FamilyMember.__table__.c
_team = TeamMembership.__table__.c  # active_membership() is written on this table


def _members(family_id: Any) -> ColumnElement:
    member = sa.func.json_build_object(
        "id", sa.cast(_member.id, sa.Text),
        "fullName", _member.full_name,
        "relationship", _member.relationship,
        "dateOfBirth", parts.day(_member.date_of_birth),
        "isSubjectChild", _member.is_subject_child,
        "livesInHousehold", _member.lives_in_household,
        "isYoungCarer", _member.is_young_carer,
        "firstLanguage", _member.first_language,
        "interpreterNeeded", _member.interpreter_needed,
        "hasDisability", _member.has_disability,
    )  # fmt: skip
    found = sa.select(parts.listed(member, _member.created_at, _member.full_name)).where(_member.family_id == family_id)
    return sa.func.coalesce(found.scalar_subquery(), EMPTY_LIST)


def _team_of(family_id: Any) -> ColumnElement:
    lead_first = _team.role != TeamRole.lead_professional.value
    found = sa.select(parts.listed(team_member(_team), lead_first, _team.valid_from)).where(
        _team.family_id == family_id, active_membership()
    )
    return sa.func.coalesce(found.scalar_subquery(), EMPTY_LIST)


def statement(family_id: Any, *more: Any) -> sa.Select:
    """The answer's `data` as JSON text, one row when the family exists: FamilyFields, then `more` (name,
    value pairs)."""
    record = sa.func.json_build_object(
        "id", sa.cast(_family.id, sa.Text),
        "reference", _family.reference,
        "displayName", _family.display_name,
        "status", _family.status,
        "levelOfNeed", _family.level_of_need,
        "openedAt", iso(_family.opened_at),
        "closedAt", parts.iso_or_null(_family.closed_at),
        "version", _family.version,
        "members", _members(_family.id),
        "team", _team_of(_family.id),
        *more,
    )  # fmt: skip
    return sa.select(sa.cast(sa.func.json_build_object("family", record), sa.Text)).where(_family.id == family_id)


async def family(context: Context, variables: dict[str, Any]) -> str | None:
    """The answer's `data`, or None for the generic executor (see server/api/compiled.py)."""
    return await parts.family_record(context, variables, "id", _family_statement)


async def family_page(context: Context, variables: dict[str, Any]) -> str | None:
    """The answer's `data`, or None for the generic executor (see server/api/compiled.py)."""
    return await parts.family_record(context, variables, "id", _family_page_statement)


def _family_statement(_policy: StatementPolicy, _facts: FactsColumns, family_id: ColumnElement) -> sa.Select:
    return statement(family_id)


def _family_page_statement(policy: StatementPolicy, facts: FactsColumns, family_id: ColumnElement) -> sa.Select:
    may_act = policy.family_condition(facts, Act.update, Kind.escalation)  # as cover_of_family asks it
    on = parts.today_parameter()
    return statement(family_id, "cover", cover(_family.id, on, viewer_may_act_on_escalations=may_act))
