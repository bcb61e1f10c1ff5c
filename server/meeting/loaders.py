"""Batch loads of a meeting's parts; they run only for meetings the caller has been allowed to see. The
parts that are case content (minutes items, decisions, addenda) are read together, keyed by (meeting id,
family id), and hold only what the caller may read (server/meeting/reads.py)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from server.access.pep import AccessControl
from server.config import Settings
from server.db.engine import SessionFactory
from server.meeting import reads, schedule
from server.meeting.models import MeetingChange, MeetingInvitee
from server.meeting.schedule import ReviewSchedule


async def _grouped(sessions: SessionFactory, model: Any, order: Any, ids: list[uuid.UUID]) -> list[list[Any]]:
    async with sessions() as session:
        rows = (await session.exec(select(model).where(col(model.meeting_id).in_(ids)).order_by(order))).all()
    grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.meeting_id].append(row)
    return [grouped[meeting_id] for meeting_id in ids]


async def invitees_by_meeting_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[list[MeetingInvitee]]:
    return await _grouped(sessions, MeetingInvitee, col(MeetingInvitee.id), ids)


MeetingKey = tuple[uuid.UUID, uuid.UUID]  # (meeting id, family id)


async def content_by_meeting(
    sessions: SessionFactory, access: Callable[[], AccessControl], keys: list[MeetingKey]
) -> list[reads.MeetingContent]:
    async with sessions() as session:
        return await reads.contents_of_meetings(session, access(), keys)


async def changes_by_meeting_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[list[MeetingChange]]:
    return await _grouped(sessions, MeetingChange, col(MeetingChange.created_at), ids)


async def review_by_family_id(
    sessions: SessionFactory, access: Callable[[], AccessControl], settings: Settings, family_ids: list[uuid.UUID]
) -> list[ReviewSchedule | None]:
    """Each family's review schedule, None where the caller may not read its meetings (one statement)."""
    async with sessions() as session:
        found = await schedule.schedules_of_families(session, access(), family_ids, settings)
    return [found[family_id] for family_id in family_ids]
