"""Imports every table module so that SQLModel.metadata is complete (Alembic, tests)."""

from notifications.models import Notification, NotificationPreference, OutboxEvent, Timer
from server.agency.models import Agency
from server.audit.disclosure import AuditDisclosureBlock
from server.audit.models import AuditEvent
from server.auth.models import LoginAttempt, SessionToken
from server.consent.models import Consent, EngagementAgreement
from server.contribution.models import Contribution, ContributionVersion
from server.family.models import Family, FamilyMember
from server.idempotency import IdempotencyKey
from server.safeguarding.models import SafeguardingOverride, SharingDecision
from server.team.models import TeamMembership
from server.user.models import User

__all__ = [
    "Agency",
    "AuditDisclosureBlock",
    "AuditEvent",
    "Consent",
    "Contribution",
    "ContributionVersion",
    "EngagementAgreement",
    "Family",
    "FamilyMember",
    "IdempotencyKey",
    "LoginAttempt",
    "Notification",
    "NotificationPreference",
    "OutboxEvent",
    "SafeguardingOverride",
    "SessionToken",
    "SharingDecision",
    "TeamMembership",
    "Timer",
    "User",
]
