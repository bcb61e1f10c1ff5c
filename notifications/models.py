"""Tables of the notification mechanism.

They carry user, family and agency ids without foreign keys: this package never depends on the
server's tables (STYLE.md R2), the server validates ids before an event is written, and these rows are
a log that outlives the rows they point at (families are closed, not deleted).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _when(nullable: bool = True) -> Any:
    if nullable:
        return Field(default=None, sa_type=sa.DateTime(timezone=True))
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


class Delivery(StrEnum):
    live = "live"
    daily_digest = "daily_digest"


class OutboxEvent(SQLModel, table=True):
    """An event written in the transaction of the change that caused it; ids follow commit order."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        sa.Index("ix_notification_outbox_pending", "id", postgresql_where=sa.text("dispatched_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    kind: str = Field(max_length=64)
    family_id: uuid.UUID
    payload: dict = Field(sa_type=JSONB)  # the whole event, unfiltered: never sent to anyone as is
    created_at: datetime = _when(nullable=False)
    dispatched_at: datetime | None = _when()


class Notification(SQLModel, table=True):
    """One recipient's notice of one event, holding references, never content; its id is the cursor."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("outbox_id", "recipient_user_id", name="uq_notification_outbox_recipient"),
        sa.Index("ix_notification_recipient_id", "recipient_user_id", "id"),
        sa.Index(
            "ix_notification_recipient_unread",
            "recipient_user_id",
            postgresql_where=sa.text("read_at IS NULL"),
        ),
        sa.Index(
            "ix_notification_held",
            "recipient_user_id",
            "created_at",
            postgresql_where=sa.text("delivery = 'daily_digest' AND digested_in IS NULL"),
        ),
        sa.Index(
            "uq_notification_digest_day",
            "recipient_user_id",
            sa.text("(payload->>'digest_on')"),
            unique=True,
            postgresql_where=sa.text("kind = 'daily_digest'"),
        ),
        sa.CheckConstraint(
            "(subject_kind IS NULL) = (subject_id IS NULL)"
            " AND (subject_kind IS NULL) = (owning_agency_id IS NULL)"
            " AND (subject_kind IS NULL) = (category IS NULL)",
            name="ck_notification_subject_whole",
        ),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    outbox_id: int | None = Field(default=None, sa_type=sa.BigInteger)  # None: a digest (made of notifications)
    recipient_user_id: uuid.UUID
    kind: str = Field(max_length=64)
    family_id: uuid.UUID
    urgent: bool = False
    delivery: str = Field(max_length=16, default=Delivery.live.value)
    # The event's structure, the same for everyone told of it: ids, levels, dates, the outcome code. Never
    # case content: the words of the subject below are rendered when the notification is read or delivered.
    payload: dict = Field(sa_type=JSONB)
    # The case content the notification is about, by reference (all four, or none for events about none):
    # the policy's kind of content (an escalation's reason, an action's description), its id, and whose it
    # is and in which category when the event happened.
    subject_kind: str | None = Field(default=None, max_length=64)
    subject_id: uuid.UUID | None = None
    owning_agency_id: uuid.UUID | None = None
    category: str | None = Field(default=None, max_length=32)
    created_at: datetime = _when(nullable=False)
    read_at: datetime | None = _when()
    acknowledged_at: datetime | None = _when()
    # For a notification held for the digest: the id of the digest that carried it (None: not yet).
    digested_in: int | None = Field(default=None, sa_type=sa.BigInteger)


class NotificationPreference(SQLModel, table=True):
    """How a user receives one kind of non-urgent notification. No row: live."""

    __tablename__ = "notification_preference"

    user_id: uuid.UUID = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=64)
    delivery: str = Field(max_length=16)
    updated_at: datetime = _when(nullable=False)


class Timer(SQLModel, table=True):
    """A due time that, once reached, appends its stored event to the outbox, exactly once."""

    __tablename__ = "timer"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject_id", "due_at", name="uq_timer_kind_subject_due"),
        sa.Index("ix_timer_pending_due", "due_at", postgresql_where=sa.text("fired_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    kind: str = Field(max_length=64)
    subject_id: uuid.UUID  # the escalation, action or review the timer is about
    due_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    event: dict = Field(sa_type=JSONB)  # the event to append when it fires
    created_at: datetime = _when(nullable=False)
    fired_at: datetime | None = _when()
