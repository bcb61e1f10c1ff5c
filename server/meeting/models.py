"""TAF meetings: chaired by the lead professional, with invitees, attendance, minutes, decisions and
the actions they put on the plan (plan_action.meeting_id)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from server.access.categories import InformationCategory
from server.db.columns import created_at_field, enum_field, id_field


class MeetingKind(StrEnum):
    initial = "initial"
    review = "review"
    closure = "closure"
    # The family's own meeting with its wider network (server/family_network), where it makes its own plan.
    family_group_conference = "family_group_conference"
    other = "other"


class MeetingStatus(StrEnum):
    scheduled = "scheduled"
    held = "held"
    cancelled = "cancelled"


class Attendance(StrEnum):
    invited = "invited"
    present = "present"
    apologies = "apologies"
    absent = "absent"


class MeetingChangeKind(StrEnum):
    rescheduled = "rescheduled"
    cancelled = "cancelled"


class Meeting(SQLModel, table=True):
    __tablename__ = "taf_meeting"
    __table_args__ = (
        sa.Index("ix_taf_meeting_family_at", "family_id", "scheduled_at"),
        sa.CheckConstraint("location <> '' OR call_link <> ''", name="taf_meeting_place"),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    kind: MeetingKind = enum_field(MeetingKind, name="taf_meeting_kind")
    status: MeetingStatus = enum_field(MeetingStatus, name="taf_meeting_status")
    scheduled_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    location: str = Field(default="", max_length=300)
    call_link: str = Field(default="", max_length=500)
    chair_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    agenda: str = Field(default="", max_length=5000)
    minutes_published_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    cancel_reason: str | None = Field(default=None, max_length=1000)
    version: int = 1
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class MeetingInvitee(SQLModel, table=True):
    """A professional (user_id), a family member (family_member_id) or, to a family group conference, a member
    of the family's network (network_member_id) invited to a meeting."""

    __tablename__ = "taf_meeting_invitee"
    __table_args__ = (
        sa.CheckConstraint(
            "num_nonnulls(user_id, family_member_id, network_member_id) = 1", name="taf_meeting_invitee_who"
        ),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_taf_meeting_invitee_user"),
        sa.UniqueConstraint("meeting_id", "family_member_id", name="uq_taf_meeting_invitee_member"),
        sa.UniqueConstraint("meeting_id", "network_member_id", name="uq_taf_meeting_invitee_network_member"),
    )

    id: uuid.UUID = id_field()
    meeting_id: uuid.UUID = Field(foreign_key="taf_meeting.id", index=True)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    family_member_id: uuid.UUID | None = Field(default=None, foreign_key="family_member.id")
    network_member_id: uuid.UUID | None = Field(default=None, foreign_key="family_network_member.id")
    attendance: Attendance = enum_field(Attendance, name="taf_meeting_attendance")


class MeetingDecision(SQLModel, table=True):
    __tablename__ = "taf_meeting_decision"

    id: uuid.UUID = id_field()
    meeting_id: uuid.UUID = Field(foreign_key="taf_meeting.id", index=True)
    text: str = Field(max_length=2000)
    recorded_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    # Case content of the recording agency (kind meeting_decision); agreed with the family at the meeting
    # unless recorded otherwise, and then the whole team's (policies/README.md).
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(
        InformationCategory, name="taf_meeting_decision_category", default=InformationCategory.other
    )
    contains_third_party_identities: bool = False
    agreed_with_family: bool = True
    created_at: datetime = created_at_field()


class MeetingAddendum(SQLModel, table=True):
    """A correction to published minutes: published minutes are never changed."""

    __tablename__ = "taf_meeting_addendum"

    id: uuid.UUID = id_field()
    meeting_id: uuid.UUID = Field(foreign_key="taf_meeting.id", index=True)
    text: str = Field(max_length=5000)
    author_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")  # case content (kind meeting_addendum)
    category: InformationCategory = enum_field(
        InformationCategory, name="taf_meeting_addendum_category", default=InformationCategory.other
    )
    contains_third_party_identities: bool = False
    created_at: datetime = created_at_field()


class MeetingChange(SQLModel, table=True):
    """Why and when a meeting moved or was cancelled."""

    __tablename__ = "taf_meeting_change"

    id: uuid.UUID = id_field()
    meeting_id: uuid.UUID = Field(foreign_key="taf_meeting.id", index=True)
    kind: MeetingChangeKind = enum_field(MeetingChangeKind, name="taf_meeting_change_kind")
    reason: str = Field(max_length=1000)
    previous_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    new_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    changed_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class MinutesItem(SQLModel, table=True):
    """One part of a meeting's minutes (an agenda point or one agency's update), each the case content
    of the agency that gave it, in one category (kind minutes_item): a reader gets the parts they may
    see. Editable while the minutes are a draft; fixed once they are published."""

    __tablename__ = "taf_meeting_minutes_item"
    __table_args__ = (sa.Index("ix_taf_meeting_minutes_item_meeting", "meeting_id", "position"),)

    id: uuid.UUID = id_field()
    meeting_id: uuid.UUID = Field(foreign_key="taf_meeting.id")
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    position: int
    heading: str = Field(default="", max_length=200)
    text: str = Field(max_length=20_000)
    owning_agency_id: uuid.UUID = Field(foreign_key="agency.id")
    category: InformationCategory = enum_field(InformationCategory, name="taf_meeting_minutes_item_category")
    contains_third_party_identities: bool = False
    about_member_ids: list[uuid.UUID] = Field(default_factory=list, sa_type=ARRAY(sa.Uuid()))
    author_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
