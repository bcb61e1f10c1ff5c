"""The audit log's kinds of event in plain English: one name for every action the server writes (the
mutations under their own names, a read or refused lookup of each kind of record as `<kind>_read`, and
sign-ins and the like). tests/audit/test_event_names.py finds every action in the code and checks it has
a name here. Old rows whose action has no name are shown by their code, made readable."""

from __future__ import annotations

from server.access.kinds import Kind
from server.audit.service import read_action

# What a read (or a refused lookup) of each kind of record is about.
_RECORDS: dict[Kind, str] = {
    Kind.family: "a family's record",
    Kind.team: "a family's team",
    Kind.plan: "a family's plan",
    Kind.contact: "a contact with the family",
    Kind.meeting: "a meeting",
    Kind.meeting_date: "a meeting's date",
    Kind.assessment: "an assessment",
    Kind.outcome_score: "outcome scores",
    Kind.escalation: "an escalation",
    Kind.consent: "a consent record",
    Kind.consent_picture: "the consent picture",
    Kind.safeguarding_override: "sharing without consent",
    Kind.safeguarding_override_notice: "a notice of sharing without consent",
    Kind.sharing_decision: "a decision not to share",
    Kind.audit: "the audit log",
    Kind.access_log: "who has looked at a family's information",
    Kind.staff_directory: "the staff directory",
    Kind.portal_invitation: "a family portal invitation",
    Kind.portal_summary: "the family portal summary",
    Kind.family_label: "a family's name and reference",
    Kind.staff_absence: "time away",
    Kind.referral: "a referral",
    Kind.legal_status: "a family's legal status",
    Kind.follow_up: "a follow-up",
    Kind.agency: "an agency",
    Kind.account: "a staff account",
    Kind.password_reset: "a password reset link",
    Kind.identity_link: "a sign-in service link",
    Kind.retention_date: "how long a family's records are kept",
    Kind.retention_review: "a retention review",
    Kind.family_erasure: "an erasure",
    Kind.data_sharing_agreement: "a data-sharing agreement",
    Kind.service_catalogue: "the service catalogue",
    Kind.case_import: "a case import",
    Kind.case_content: "case content",
    Kind.contribution: "another agency's contribution",
    Kind.assessment_narrative: "an assessment's narrative",
    Kind.assessment_rating: "an assessment's ratings",
    Kind.minutes_item: "meeting minutes",
    Kind.meeting_decision: "a meeting decision",
    Kind.meeting_addendum: "an addendum to minutes",
    Kind.review_note: "a review's notes",
    Kind.plan_goal: "a plan goal",
    Kind.plan_action: "a plan action",
    Kind.plan_contingency: "a plan contingency",
    Kind.escalation_reason: "an escalation's reason",
    Kind.contact_note: "a contact note",
    Kind.service_received: "a service received",
    Kind.referral_reason: "a referral's reason",
}

_CHANGES: dict[str, str] = {
    "accountCreate": "Created a staff account",
    "accountDeactivate": "Deactivated a staff account",
    "accountReactivate": "Reactivated a staff account",
    "accountUpdate": "Changed a staff account",
    "agencyCreate": "Added an agency",
    "agencySignInSet": "Changed how an agency signs in",
    "agencyUpdate": "Changed an agency",
    "assessmentCorrect": "Corrected an assessment",
    "assessmentRecord": "Recorded an assessment",
    "auditDisclosureBlock": "Withheld an audit entry from the family",
    "auditLogExport": "Exported the audit log",
    "caseImport": "Imported historic cases",
    "consentRecord": "Recorded consent",
    "consentWithdraw": "Withdrew consent",
    "contactRecord": "Recorded a contact with the family",
    "contributionAdd": "Added a contribution",
    "contributionEdit": "Edited a contribution",
    "dataSharingAgreementCreate": "Recorded a data-sharing agreement",
    "dataSharingAgreementEnd": "Ended a data-sharing agreement",
    "dataSharingAgreementUpdate": "Changed a data-sharing agreement",
    "deputyLeadSet": "Set a deputy lead professional",
    "engagementRecord": "Recorded agreement to engage",
    "escalationAcknowledge": "Acknowledged an escalation",
    "escalationRaise": "Raised an escalation",
    "escalationResolve": "Resolved an escalation",
    "familyClose": "Closed a family's case",
    "familyErase": "Erased a family's records",
    "familyLegalStatusSet": "Set a family's legal status",
    "familyMemberAdd": "Added a family member",
    "familyMemberDetailsSet": "Changed a family member's details",
    "familyOpen": "Opened a family's case",
    "familyReopen": "Reopened a family's case",
    "familyStepDown": "Stepped a family down",
    "familyStepUp": "Stepped a family up",
    "familyUpdate": "Changed a family's record",
    "followUpRecord": "Recorded a follow-up",
    "identityLinkAdd": "Linked an account to a sign-in service",
    "identityLinkRemove": "Removed an account's sign-in service link",
    "leadProfessionalSet": "Set the lead professional",
    "meetingActionAdd": "Added an action at a meeting",
    "meetingAttendanceRecord": "Recorded who attended a meeting",
    "meetingCancel": "Cancelled a meeting",
    "meetingDecisionAdd": "Recorded a meeting decision",
    "meetingReschedule": "Rescheduled a meeting",
    "meetingSchedule": "Scheduled a meeting",
    "minutesAddendumAdd": "Added an addendum to minutes",
    "minutesItemAdd": "Added to meeting minutes",
    "minutesItemEdit": "Edited meeting minutes",
    "minutesItemRemove": "Removed from meeting minutes",
    "minutesPublish": "Published meeting minutes",
    "notificationAcknowledge": "Acknowledged a notification",
    "notificationMarkRead": "Marked a notification read",
    "notificationPreferenceSet": "Changed notification settings",
    "passwordChange": "Changed their password",
    "passwordResetIssue": "Issued a password reset link",
    "passwordResetRedeem": "Reset their password with a link",
    "planActionAdd": "Added a plan action",
    "planActionEdit": "Changed a plan action",
    "planContingencyAdd": "Added a plan contingency",
    "planContingencyEdit": "Changed a plan contingency",
    "planGoalAdd": "Added a plan goal",
    "planGoalEdit": "Changed a plan goal",
    "portalInvitationAccept": "Accepted a family portal invitation",
    "portalInvitationIssue": "Invited a family member to the portal",
    "portalInvitationRevoke": "Revoked a family portal invitation",
    "referralDecide": "Decided on a referral",
    "referralFirstContact": "Recorded first contact on a referral",
    "referralRecord": "Recorded a referral",
    "retentionExtend": "Kept a family's records longer",
    "retentionLegalHoldPlace": "Placed a legal hold",
    "retentionLegalHoldRemove": "Removed a legal hold",
    "reviewRecord": "Recorded a review",
    "safeguardingOverrideRecord": "Shared without consent",
    "safeguardingOverrideReview": "Reviewed sharing without consent",
    "safeguardingOverrideRevoke": "Revoked sharing without consent",
    "serviceAdd": "Added a service to the catalogue",
    "servicePriceSet": "Set a service's price",
    "serviceReceivedRecord": "Recorded a service received",
    "sharingDecisionRecord": "Recorded a decision not to share",
    "teamMemberAdd": "Added someone to a team",
    "teamMemberEnd": "Took someone off a team",
    "timeAwayCancel": "Cancelled time away",
    "timeAwayRecord": "Recorded time away",
    # Written by sign-in, outside the GraphQL mutations.
    "login": "Signed in",
    "login_failed": "Sign-in refused",
    "logout": "Signed out",
    "identity_linked": "Linked to a sign-in service by email",
    # An older name for a refused lookup of a review (server/assessment/review.py).
    "review_read": "Looked at a review",
}

# Mutations that are not recorded under their own name: sign-in writes `login`, `login_failed` and `logout`.
RECORDED_OTHERWISE = frozenset({"authLogin", "authLogout"})

NAMES: dict[str, str] = _CHANGES | {read_action(kind): f"Looked at {record}" for kind, record in _RECORDS.items()}


def event_name(action: str) -> str:
    """The plain-English name of an audit action; an unknown one (an old row) as its code, readable."""
    if action in NAMES:
        return NAMES[action]
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in action).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def kinds() -> list[tuple[str, str]]:
    """Every named action with its name, by name (the log's filter offers these)."""
    return sorted(NAMES.items(), key=lambda item: (item[1], item[0]))
