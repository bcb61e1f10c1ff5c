"""Builders for TAF meetings and what they record (minutes items, decisions, addenda), committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from server.agency.models import Agency, AgencyKind
from server.clock import utcnow
from server.db.engine import SessionFactory, unit_of_work
from server.family.models import Family
from server.meeting.models import Meeting, MeetingKind, MeetingStatus, MinutesItem
from server.team.models import TeamMembership, TeamRole
from server.user.models import SystemRole, User
from tests.builders import Area, create_agency, create_area, create_user, join_agreement


async def join_team(sessions: SessionFactory, *, family: Family, user: User) -> None:
    async with unit_of_work(sessions) as session:
        session.add(
            TeamMembership(
                family_id=family.id,
                agency_id=user.agency_id,
                user_id=user.id,
                role=TeamRole.contributor,
                agency_role="test role",
                contact_in_hours="01632 960000",
            )
        )


async def create_held_meeting(sessions: SessionFactory, *, family: Family, chair: User) -> Meeting:
    """A meeting whose time has come (an hour ago), minutes still a draft, at version 1."""
    async with unit_of_work(sessions) as session:
        meeting = Meeting(
            family_id=family.id,
            kind=MeetingKind.review,
            status=MeetingStatus.scheduled,
            scheduled_at=utcnow() - timedelta(hours=1),
            location="Hub",
            chair_user_id=chair.id,
        )
        session.add(meeting)
    return meeting


async def create_minutes_item(
    sessions: SessionFactory,
    *,
    meeting: Meeting,
    agency: Agency,
    category: str = "other",
    position: int = 1,
    third_party: bool = False,
) -> MinutesItem:
    async with unit_of_work(sessions) as session:
        row = MinutesItem(
            meeting_id=meeting.id,
            family_id=meeting.family_id,
            position=position,
            heading=f"Update {position}",
            text=f"What was said, {category} {position}",
            owning_agency_id=agency.id,
            category=category,
            contains_third_party_identities=third_party,
            author_user_id=meeting.chair_user_id,
        )
        session.add(row)
    return row


@dataclass
class MeetingArea:
    """An area (tests/builders.py) with a health visitor and a school manager as well, and a held meeting
    chaired by the lead professional (early help). The colleague works for the school."""

    area: Area
    health: Agency
    health_visitor: User
    school_manager: User
    meeting: Meeting


async def create_meeting_area(sessions: SessionFactory) -> MeetingArea:
    area = await create_area(sessions)
    health = await create_agency(sessions, kind=AgencyKind.health)
    await join_agreement(sessions, agreement=area.area_agreement, agency=health)
    health_visitor = await create_user(sessions, agency=health)
    await join_team(sessions, family=area.family, user=health_visitor)
    school_manager = await create_user(sessions, agency=area.school, role=SystemRole.manager)
    meeting = await create_held_meeting(sessions, family=area.family, chair=area.lead)
    return MeetingArea(area, health, health_visitor, school_manager, meeting)
