"""The named rules that policy lines refer to, each in two forms that must agree:

- `check`: a Python predicate over the facts fetched for one (actor, family), used by the enforcer
  for single decisions;
- `sql`: the same predicate as a SQL condition on a family id column, used to filter lists in the
  database so that a list can never contain a row a single lookup would refuse.

tests/access/test_rules_agree.py holds the two forms in agreement.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from server.access.actor import Actor
from server.team.models import TeamMembership, TeamRole


@dataclass(frozen=True, slots=True)
class FamilyFacts:
    """What the domain records say about one actor's relationship to one family, right now."""

    family_id: uuid.UUID
    named_worker: bool = False
    lead_professional: bool = False
    agency_on_team: bool = False
    agency_manages_lead: bool = False


@dataclass(frozen=True, slots=True)
class Resource:
    kind: str
    facts: FamilyFacts


def active_membership() -> ColumnElement[bool]:
    """Memberships never start in the future (the service refuses it), so active means not ended."""
    return TeamMembership.__table__.c.valid_to.is_(None)


def _membership_exists(family_id: ColumnElement, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    membership = TeamMembership.__table__.c
    return sa.exists().where(membership.family_id == family_id, active_membership(), *conditions)


@dataclass(frozen=True)
class Rule:
    check: Callable[[Actor, FamilyFacts], bool]
    sql: Callable[[Actor, ColumnElement], ColumnElement[bool]]


_membership = TeamMembership.__table__.c
_lead = TeamRole.lead_professional.value

RULES: dict[str, Rule] = {
    "always": Rule(check=lambda actor, facts: True, sql=lambda actor, family_id: sa.true()),
    "named_worker": Rule(
        check=lambda actor, facts: facts.named_worker,
        sql=lambda actor, family_id: _membership_exists(family_id, _membership.user_id == actor.user_id),
    ),
    "lead_professional": Rule(
        check=lambda actor, facts: facts.lead_professional,
        sql=lambda actor, family_id: _membership_exists(
            family_id, _membership.user_id == actor.user_id, _membership.role == _lead
        ),
    ),
    "agency_on_team": Rule(
        check=lambda actor, facts: facts.agency_on_team,
        sql=lambda actor, family_id: _membership_exists(family_id, _membership.agency_id == actor.agency_id),
    ),
    "agency_manages_lead": Rule(
        check=lambda actor, facts: facts.agency_manages_lead,
        sql=lambda actor, family_id: _membership_exists(
            family_id, _membership.agency_id == actor.agency_id, _membership.role == _lead
        ),
    ),
}


def facts_statement(actor: Actor, family_ids: list[uuid.UUID]) -> sa.Select:
    """One statement answering every rule for many families at once."""
    is_lead = _membership.role == _lead
    own_agency = _membership.agency_id == actor.agency_id
    return (
        sa.select(
            _membership.family_id,
            sa.func.bool_or(_membership.user_id == actor.user_id),
            sa.func.bool_or(sa.and_(_membership.user_id == actor.user_id, is_lead)),
            sa.func.bool_or(own_agency),
            sa.func.bool_or(sa.and_(own_agency, is_lead)),
        )
        .where(_membership.family_id.in_(family_ids), active_membership())
        .group_by(_membership.family_id)
    )


def facts_from_team(actor: Actor, family_id: uuid.UUID, team: list[TeamMembership]) -> FamilyFacts:
    """The same facts as facts_statement, from a family's active team already loaded: one query serves
    every recipient of a notification. tests/access/test_rules_agree.py holds the two in agreement."""
    mine = [m for m in team if m.user_id == actor.user_id]
    agency = [m for m in team if m.agency_id == actor.agency_id]
    return FamilyFacts(
        family_id,
        named_worker=bool(mine),
        lead_professional=any(m.role is TeamRole.lead_professional for m in mine),
        agency_on_team=bool(agency),
        agency_manages_lead=any(m.role is TeamRole.lead_professional for m in agency),
    )


def facts_from_rows(family_ids: list[uuid.UUID], rows: list[tuple]) -> dict[uuid.UUID, FamilyFacts]:
    found = {row[0]: FamilyFacts(row[0], *(bool(value) for value in row[1:])) for row in rows}
    return {family_id: found.get(family_id, FamilyFacts(family_id)) for family_id in family_ids}
