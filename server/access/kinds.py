"""The kinds of record the policy decides about, named once (policies/policy.csv uses these names).

Case content is every kind that holds what an agency knows about a family. Each carries the facts the
item rules read (family, owning agency, category, third parties, whether the family agreed to it) and
is decided by the same lines of the policy: policy.csv groups each content kind under `case_content`
(`g` lines), so one refusal holds for a category wherever its content sits.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    # The family's record and what the team coordinates around it.
    family = "family"
    team = "team"
    plan = "plan"
    contact = "contact"
    meeting = "meeting"
    meeting_date = "meeting_date"
    assessment = "assessment"
    outcome_score = "outcome_score"
    escalation = "escalation"
    consent = "consent"
    consent_picture = "consent_picture"
    safeguarding_override = "safeguarding_override"
    safeguarding_override_notice = "safeguarding_override_notice"
    sharing_decision = "sharing_decision"
    audit = "audit"
    access_log = "access_log"
    staff_directory = "staff_directory"
    portal_invitation = "portal_invitation"
    portal_summary = "portal_summary"
    family_label = "family_label"
    # A worker's own time away (server/cover): they cover nothing themselves, their deputies do.
    staff_absence = "staff_absence"
    # A referral: who referred, when, with what consent, and the threshold decision (its reason, presenting
    # needs and rationale are case content: referral_reason).
    referral = "referral"
    # The edge-of-care outcome: the family's legal status and cohort (with its history), and the follow-up
    # checks after closure (still at home? referred again?).
    legal_status = "legal_status"
    follow_up = "follow_up"
    # Multi-agency panels (server/panel): a sitting (about no family) and each family considered at it, with
    # the decision's outcome, services allocated and review date (its rationale is case content: panel_rationale).
    panel = "panel"
    panel_decision = "panel_decision"
    # The family network (people outside the household the family names, for its family group conference):
    # who they are and who named them (the team's), and their contact details (third parties' personal data).
    family_network = "family_network"
    family_network_contact = "family_network_contact"
    # Accounts: agencies, staff accounts and how staff sign in (administrators); password reset links
    # (administrators, and managers for their own agency's practitioners).
    agency = "agency"
    account = "account"
    password_reset = "password_reset"  # noqa: S105 (a kind of record, not a password)
    identity_link = "identity_link"
    # Retention at closure: a closed family's retention date (the team), the IG officers' review of the
    # families whose date has passed (extend, legal hold), and erasure.
    retention_date = "retention_date"
    retention_review = "retention_review"
    family_erasure = "family_erasure"
    # Not about one family: the agreements between agencies that sharing by consent needs.
    data_sharing_agreement = "data_sharing_agreement"
    # Not about one family: the area's services list and its unit prices.
    service_catalogue = "service_catalogue"
    # Not about one family: loading historic cases from another system (server/caseimport/).
    case_import = "case_import"
    # Case content: every kind below is grouped under case_content in policy.csv.
    case_content = "case_content"
    contribution = "contribution"
    assessment_narrative = "assessment_narrative"
    assessment_rating = "assessment_rating"
    minutes_item = "minutes_item"
    meeting_decision = "meeting_decision"
    meeting_addendum = "meeting_addendum"
    review_note = "review_note"
    plan_goal = "plan_goal"
    plan_action = "plan_action"
    plan_contingency = "plan_contingency"
    escalation_reason = "escalation_reason"
    contact_note = "contact_note"
    service_received = "service_received"
    referral_reason = "referral_reason"
    panel_rationale = "panel_rationale"


CONTENT_KINDS: tuple[Kind, ...] = (
    Kind.contribution,
    Kind.assessment_narrative,
    Kind.assessment_rating,
    Kind.minutes_item,
    Kind.meeting_decision,
    Kind.meeting_addendum,
    Kind.review_note,
    Kind.plan_goal,
    Kind.plan_action,
    Kind.plan_contingency,
    Kind.escalation_reason,
    Kind.contact_note,
    Kind.service_received,
    Kind.referral_reason,
    Kind.panel_rationale,
)
