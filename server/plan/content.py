"""The plan's words as case content: what the sharing rules read of a goal and of an action.

A goal's words belong to the agency that wrote them, in the goal's category. An action's description
belongs to the agency that owns the action, in the action's category. A goal agreed with the family,
and an action serving one, are the family's own plan: shared with the whole team (unless a refusal
withholds the category) and shown to the family in the portal (policies/README.md).
"""

from __future__ import annotations

import sqlalchemy as sa

from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.rules import ContentColumns
from server.plan.models import PlanAction, PlanContingency, PlanGoal


def goal_facts(goal: PlanGoal) -> ItemFacts:
    agreed = bool(goal.agreed_with_family)
    return ItemFacts(
        owning_agency_id=goal.owning_agency_id,
        category=InformationCategory(goal.category).value,
        family_summary=agreed,
        team_shared=agreed,
    )


def action_facts(action: PlanAction, *, serves_agreed_goal: bool) -> ItemFacts:
    return ItemFacts(
        owning_agency_id=action.owning_agency_id,
        category=InformationCategory(action.category).value,
        family_summary=serves_agreed_goal,
        team_shared=serves_agreed_goal,
    )


def goal_columns() -> ContentColumns:
    goal = PlanGoal.__table__.c
    return ContentColumns(
        owning_agency_id=goal.owning_agency_id,
        category=goal.category,
        family_summary=goal.agreed_with_family,
        team_shared=goal.agreed_with_family,
    )


def serves_agreed_goal() -> sa.ColumnElement[bool]:
    """SQL: the plan_action row in the statement serves a goal agreed with the family."""
    action, goal = PlanAction.__table__.c, PlanGoal.__table__.c
    return sa.exists().where(goal.id == action.goal_id, goal.agreed_with_family.is_(True))


def action_columns() -> ContentColumns:
    action = PlanAction.__table__.c
    agreed = serves_agreed_goal()
    return ContentColumns(
        owning_agency_id=action.owning_agency_id,
        category=action.category,
        family_summary=agreed,
        team_shared=agreed,
    )


def contingency_facts(contingency: PlanContingency) -> ItemFacts:
    """A contingency agreed with the family is the family's own plan (the team's, and the portal's unless it
    names someone outside the family); otherwise the writing agency's, like a goal."""
    agreed = bool(contingency.agreed_with_family)
    return ItemFacts(
        owning_agency_id=contingency.owning_agency_id,
        category=InformationCategory(contingency.category).value,
        family_summary=agreed,
        third_party=bool(contingency.names_third_party),
        team_shared=agreed,
    )


def contingency_columns() -> ContentColumns:
    contingency = PlanContingency.__table__.c
    return ContentColumns(
        owning_agency_id=contingency.owning_agency_id,
        category=contingency.category,
        family_summary=contingency.agreed_with_family,
        third_party=contingency.names_third_party,
        team_shared=contingency.agreed_with_family,
    )
