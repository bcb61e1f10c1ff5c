"""A team membership as JSON, for compiled reads (server/api/compiled.py): as TeamMemberType writes it,
with the agency and worker its batch loads (agency_by_id, user_by_id) resolve."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from server.api import compiled_parts as parts
from server.api.json_sql import iso


def team_member(membership: Any, *, whole: bool = True) -> ColumnElement:
    """TeamMemberFields (whole) or the deputy lead's selection of a membership's columns."""
    worker = parts.staff_member(membership.user_id)
    if not whole:
        return sa.func.json_build_object(
            "id", sa.cast(membership.id, sa.Text),
            "agencyRole", membership.agency_role,
            "worker", worker,
            "agency", parts.agency(membership.agency_id),
        )  # fmt: skip
    return sa.func.json_build_object(
        "id", sa.cast(membership.id, sa.Text),
        "role", membership.role,
        "agencyRole", membership.agency_role,
        "familyDescription", membership.family_description,
        "contactInHours", membership.contact_in_hours,
        "contactOutOfHours", membership.contact_out_of_hours,
        "validFrom", iso(membership.valid_from),
        "validTo", parts.iso_or_null(membership.valid_to),
        "agency", parts.agency(membership.agency_id, kind=True),
        "worker", worker,
    )  # fmt: skip
