"""Batch loads of a meeting's parts; they run only for meetings the caller has been allowed to see."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlmodel import col, select

from server.db.engine import SessionFactory
from server.meeting.models import MeetingAddendum, MeetingChange, MeetingDecision, MeetingInvitee


async def _grouped(sessions: SessionFactory, model: Any, order: Any, ids: list[uuid.UUID]) -> list[list[Any]]:
    async with sessions() as session:
        rows = (await session.exec(select(model).where(col(model.meeting_id).in_(ids)).order_by(order))).all()
    grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.meeting_id].append(row)
    return [grouped[meeting_id] for meeting_id in ids]


async def invitees_by_meeting_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[list[MeetingInvitee]]:
    return await _grouped(sessions, MeetingInvitee, col(MeetingInvitee.id), ids)


async def decisions_by_meeting_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[list[MeetingDecision]]:
    return await _grouped(sessions, MeetingDecision, col(MeetingDecision.created_at), ids)


async def addenda_by_meeting_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[list[MeetingAddendum]]:
    return await _grouped(sessions, MeetingAddendum, col(MeetingAddendum.created_at), ids)


async def changes_by_meeting_id(sessions: SessionFactory, ids: list[uuid.UUID]) -> list[list[MeetingChange]]:
    return await _grouped(sessions, MeetingChange, col(MeetingChange.created_at), ids)
