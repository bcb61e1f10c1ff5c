"""Batch loads of plan entries for GraphQL, decided for the caller (server/plan/service.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from server.access.pep import AccessControl
from server.db.engine import SessionFactory
from server.plan import service as plan_service
from server.plan.service import SeenAction


async def actions_by_meeting_id(
    sessions: SessionFactory, access: Callable[[], AccessControl], meeting_ids: list[uuid.UUID]
) -> list[list[SeenAction]]:
    """The actions agreed at each meeting; they run only for meetings the caller has been allowed to see."""
    async with sessions() as session:
        found = await plan_service.actions_of_meetings(session, access(), meeting_ids)
    return [found.get(meeting_id, []) for meeting_id in meeting_ids]
