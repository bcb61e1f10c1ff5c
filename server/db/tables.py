"""Imports every table module so that SQLModel.metadata is complete (Alembic, tests)."""

from notifications.models import Notification, NotificationPreference, OutboxEvent, Timer
from server.agency.models import Agency
from server.audit.models import AuditEvent
from server.auth.models import LoginAttempt, SessionToken
from server.family.models import Family, FamilyMember
from server.team.models import TeamMembership
from server.user.models import User

__all__ = [
    "Agency",
    "AuditEvent",
    "Family",
    "FamilyMember",
    "LoginAttempt",
    "Notification",
    "NotificationPreference",
    "OutboxEvent",
    "SessionToken",
    "TeamMembership",
    "Timer",
    "User",
]
