"""Batch loads of a meeting's parts; they run only for meetings the caller has been allowed to see. The
parts that are case content (minutes items, decisions, addenda) are read together, with its invitees and changes,
keyed by (meeting id, family id), and hold only what the caller may read (server/meeting/reads.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from server.access.pep import AccessControl
from server.config import Settings
from server.db.engine import SessionFactory
from server.meeting import reads, schedule
from server.meeting.schedule import ReviewSchedule

MeetingKey = tuple[uuid.UUID, uuid.UUID]  # (meeting id, family id)


async def content_by_meeting(
    sessions: SessionFactory, access: Callable[[], AccessControl], keys: list[MeetingKey]
) -> list[reads.MeetingContent]:
    return await reads.contents_of_meetings(sessions.kw["bind"], access(), keys)


async def review_by_family_id(
    sessions: SessionFactory, access: Callable[[], AccessControl], settings: Settings, family_ids: list[uuid.UUID]
) -> list[ReviewSchedule | None]:
    """Each family's review schedule, None where the caller may not read its meetings (one statement)."""
    async with sessions() as session:
        found = await schedule.schedules_of_families(session, access(), family_ids, settings)
    return [found[family_id] for family_id in family_ids]
