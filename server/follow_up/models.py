"""Follow-up checks after a family's case closed (3, 6 and 12 months on): did the young person stay at
home, was the family referred again. Each is scheduled when the case closes; a timer tells the lead
professional when one falls due (exactly once across instances), and the lead records what they found."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field

FOLLOW_UP_MONTHS = (3, 6, 12)


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_up"
    __table_args__ = (
        sa.UniqueConstraint("closure_id", "months", name="uq_follow_up_closure_months"),
        sa.Index("ix_follow_up_family_due", "family_id", "due_on"),
    )

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id")
    closure_id: uuid.UUID = Field(foreign_key="family_transition.id")
    months: int  # after the closure: 3, 6 or 12
    due_on: date
    version: int = 1
    checked_on: date | None = None
    still_at_home: bool | None = None
    re_referred: bool | None = None
    note: str = Field(default="", max_length=2000)
    recorded_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    cancelled_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))  # the case re-opened
    created_at: datetime = created_at_field()
