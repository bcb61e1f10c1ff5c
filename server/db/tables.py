"""Imports every table module so that SQLModel.metadata is complete (Alembic, tests)."""

from notifications.models import Notification, NotificationPreference, OutboxEvent, Timer
from server.agency.models import Agency
from server.assessment.models import Assessment, AssessmentRating, GoalProgress, OutcomeScore, Review
from server.audit.disclosure import AuditDisclosureBlock
from server.audit.models import AuditEvent
from server.auth.models import LoginAttempt, SessionToken
from server.caseimport.models import CaseImport
from server.consent.models import Consent, EngagementAgreement
from server.contact.models import Contact
from server.contribution.models import Contribution, ContributionVersion
from server.cover.models import DeputyLead, LeadAbsence
from server.escalation.models import Escalation
from server.family.models import Family, FamilyMember
from server.family_network.models import NetworkMember
from server.follow_up.models import FollowUp
from server.idempotency import IdempotencyKey
from server.legal_status.models import LegalStatusChange
from server.meeting.models import (
    Meeting,
    MeetingAddendum,
    MeetingChange,
    MeetingDecision,
    MeetingInvitee,
    MinutesItem,
)
from server.panel.models import PanelAllocation, PanelDecision, PanelSitting
from server.password_reset.models import PasswordReset
from server.plan.models import PlanAction, PlanContingency, PlanGoal, PlanHistory
from server.portal.models import PortalInvitation
from server.ratelimit import RateLimitWindow
from server.referral.models import Referral
from server.retention.models import FamilyTombstone, RetentionDecision
from server.safeguarding.models import SafeguardingOverride, SharingDecision
from server.service_catalogue.models import Service, ServicePrice
from server.service_received.models import ServiceReceived
from server.sharing_agreement.models import AgreementPairs, DataSharingAgreement, DataSharingAgreementParty
from server.sso.models import IdentityLink, SsoSignIn
from server.team.models import TeamMembership
from server.transition.models import FamilyTransition
from server.user.models import User

__all__ = [
    "Agency",
    "AgreementPairs",
    "Assessment",
    "AssessmentRating",
    "AuditDisclosureBlock",
    "AuditEvent",
    "CaseImport",
    "Consent",
    "Contact",
    "Contribution",
    "ContributionVersion",
    "DataSharingAgreement",
    "DataSharingAgreementParty",
    "DeputyLead",
    "EngagementAgreement",
    "Escalation",
    "Family",
    "FamilyMember",
    "FamilyTombstone",
    "FamilyTransition",
    "FollowUp",
    "GoalProgress",
    "IdempotencyKey",
    "IdentityLink",
    "LeadAbsence",
    "LegalStatusChange",
    "LoginAttempt",
    "Meeting",
    "MeetingAddendum",
    "MeetingChange",
    "MeetingDecision",
    "MeetingInvitee",
    "MinutesItem",
    "NetworkMember",
    "Notification",
    "NotificationPreference",
    "OutboxEvent",
    "OutcomeScore",
    "PanelAllocation",
    "PanelDecision",
    "PanelSitting",
    "PasswordReset",
    "PlanAction",
    "PlanContingency",
    "PlanGoal",
    "PlanHistory",
    "PortalInvitation",
    "RateLimitWindow",
    "Referral",
    "RetentionDecision",
    "Review",
    "SafeguardingOverride",
    "Service",
    "ServicePrice",
    "ServiceReceived",
    "SessionToken",
    "SharingDecision",
    "SsoSignIn",
    "TeamMembership",
    "Timer",
    "User",
]
