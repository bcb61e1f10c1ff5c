"""A family's cover (FamilyCoverFields) as JSON, for compiled reads (server/family/compiled_record_api.py): what
service.cover_of_family finds, written as FamilyCoverType writes it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from server.api import compiled_parts as parts
from server.cover.models import DeputyLead, LeadAbsence
from server.team.compiled_api import team_member
from server.team.models import TeamMembership, TeamRole

_deputy = DeputyLead.__table__.c
_absence = LeadAbsence.__table__.c


def cover(family_id: Any, on: Any, *, viewer_may_act_on_escalations: ColumnElement) -> ColumnElement:
    """The family's cover on the day `on` (today: a date or a parameter). Whether the caller may act on
    escalations is the policy's decision in SQL (StatementPolicy.family_condition over the family's facts row)."""
    # _current_deputy, then the deputy's active membership (_membership): none when they left the team
    membership = TeamMembership.__table__.alias("deputy_membership")
    deputy = (
        sa.select(team_member(membership.c, whole=False))
        .select_from(membership)
        .join(DeputyLead.__table__, _deputy.user_id == membership.c.user_id)
        .where(
            _deputy.family_id == family_id,
            _deputy.valid_to.is_(None),
            membership.c.family_id == family_id,
            membership.c.valid_to.is_(None),
        )
        .scalar_subquery()
    )
    # _lead, then the lead's current or next time away (_next_absence)
    lead = TeamMembership.__table__.alias("lead_membership")
    of_lead = sa.and_(
        _absence.user_id == lead.c.user_id,
        lead.c.family_id == family_id,
        lead.c.role == TeamRole.lead_professional.value,
        lead.c.valid_to.is_(None),
        _absence.cancelled_at.is_(None),
        _absence.ends_on >= on,
    )
    away = sa.func.json_build_object(
        "id", sa.cast(_absence.id, sa.Text),
        "startsOn", parts.day(_absence.starts_on),
        "endsOn", parts.day(_absence.ends_on),
        "current", sa.and_(_absence.starts_on <= on, _absence.ends_on >= on),
    )  # fmt: skip
    lead_away = (
        sa.select(away)
        .select_from(LeadAbsence.__table__)
        .join(lead, of_lead)
        .order_by(_absence.starts_on)
        .limit(1)
        .scalar_subquery()
    )
    # the next time away has begun exactly when some time away not yet over has
    away_now = sa.select(_absence.id).select_from(LeadAbsence.__table__).join(lead, of_lead)
    covering = sa.and_(deputy.is_not(None), sa.exists(away_now.where(_absence.starts_on <= on)))
    return sa.func.json_build_object(
        "deputyCovering", covering,
        "viewerMayActOnEscalations", viewer_may_act_on_escalations,
        "deputyLead", deputy,
        "leadAway", lead_away,
    )  # fmt: skip
