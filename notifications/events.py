"""The typed events that cause notifications (DESIGN.md section 5), as one discriminated union: the one
way in for every domain event (`outbox.append(session, SomeEvent(..., actor_user_id=...))`).

Every event names its family (NO_FAMILY, the nil UUID, for one about none) and carries structure only
(ids, levels, dates, the outcome code), never case content. An event about a piece of case content (an
escalation's reason, an action's description) names it by reference (`Subject`: its kind, id, owning
agency and category); the server renders its words when a notification is read or delivered, through the
same decision as every other read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

NO_FAMILY = uuid.UUID(int=0)  # the family of an event about no single family (an agreement between agencies)


@dataclass(frozen=True, slots=True)
class Subject:
    """The piece of case content an event is about, by reference: the server's kind of content (the
    policy's name for it), its id, and the facts stored with the notification (whose it is, its category)."""

    kind: str
    id: uuid.UUID
    owning_agency_id: uuid.UUID
    category: str


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # The kind of record a recipient must be allowed to read for the event to reach them at all.
    notice_kind: ClassVar[str] = "family"

    family_id: uuid.UUID
    actor_user_id: uuid.UUID | None = None  # who caused it (never notified of their own act)

    def subject(self) -> Subject | None:
        """The case content the event is about, if any (its words are never in the event)."""
        return None


class SubjectEvent(Event):
    """An event about one piece of case content of an agency, in one information category."""

    subject_kind: ClassVar[str]  # the policy's kind of content (server/access/kinds.py)
    owning_agency_id: uuid.UUID
    category: str

    def subject_id(self) -> uuid.UUID:
        raise NotImplementedError

    def subject(self) -> Subject:
        return Subject(self.subject_kind, self.subject_id(), self.owning_agency_id, self.category)


class _Escalation(SubjectEvent):
    """About an escalation: the team sees its level and outcome code; its reason (and outcome note) is the
    raising agency's content, kind escalation_reason."""

    notice_kind: ClassVar[str] = "escalation"
    subject_kind: ClassVar[str] = "escalation_reason"
    escalation_id: uuid.UUID
    level: str
    urgent: bool = True  # urgent escalations are delivered live whatever the recipient's preferences

    def subject_id(self) -> uuid.UUID:
        return self.escalation_id


class EscalationRaised(_Escalation):
    type: Literal["escalation_raised"] = "escalation_raised"


class EscalationAcknowledged(_Escalation):
    type: Literal["escalation_acknowledged"] = "escalation_acknowledged"


class EscalationTimedOut(_Escalation):
    """The lead professional did not acknowledge in time: it goes to their manager too."""

    type: Literal["escalation_timed_out"] = "escalation_timed_out"


class EscalationResolved(_Escalation):
    type: Literal["escalation_resolved"] = "escalation_resolved"
    outcome: str  # the outcome code, seen by everyone who sees the escalation (its note is content)


class _Meeting(Event):
    notice_kind: ClassVar[str] = "meeting"
    meeting_id: uuid.UUID
    starts_at: datetime


class MeetingScheduled(_Meeting):
    type: Literal["meeting_scheduled"] = "meeting_scheduled"


class MeetingChanged(_Meeting):
    type: Literal["meeting_changed"] = "meeting_changed"


class MeetingCancelled(_Meeting):
    type: Literal["meeting_cancelled"] = "meeting_cancelled"


class MinutesPublished(_Meeting):
    type: Literal["meeting_minutes_published"] = "meeting_minutes_published"


class _Action(SubjectEvent):
    """About a plan action: its owner and due date are the team's; its description is the owning agency's
    content, kind plan_action."""

    notice_kind: ClassVar[str] = "plan"
    subject_kind: ClassVar[str] = "plan_action"
    action_id: uuid.UUID
    owner_user_id: uuid.UUID
    due_on: date | None = None

    def subject_id(self) -> uuid.UUID:
        return self.action_id


class ActionAssigned(_Action):
    type: Literal["action_assigned"] = "action_assigned"


class ActionDueSoon(_Action):
    type: Literal["action_due_soon"] = "action_due_soon"


class ActionOverdue(_Action):
    type: Literal["action_overdue"] = "action_overdue"


class ActionDone(_Action):
    type: Literal["action_done"] = "action_done"


class ReviewDue(Event):
    """A review meeting on the family's calendar is two days away: for the lead professional (and the deputy
    lead while covering), who chairs it."""

    notice_kind: ClassVar[str] = "meeting"

    type: Literal["review_due"] = "review_due"
    due_on: date
    meeting_id: uuid.UUID | None = None


class AssessmentOverdue(Event):
    """An open family has no assessment in time (server/assessment/reminders.py): for the lead professional (and
    the deputy lead while covering)."""

    notice_kind: ClassVar[str] = "assessment"

    type: Literal["assessment_overdue"] = "assessment_overdue"
    due_on: date


class ConsentWithdrawn(Event):
    type: Literal["consent_withdrawn"] = "consent_withdrawn"
    consent_id: uuid.UUID
    agency_ids: tuple[uuid.UUID, ...]
    categories: tuple[str, ...]


class OverrideUsed(Event):
    """A safeguarding override: information-governance officers review it without seeing case content."""

    type: Literal["override_used"] = "override_used"
    notice_kind: ClassVar[str] = "safeguarding_override_notice"
    override_id: uuid.UUID
    agency_id: uuid.UUID
    categories: tuple[str, ...]


class AgreementExpiring(Event):
    """A data-sharing agreement between agencies ends soon: the information-governance officers of its
    parties review or renew it. About no single family."""

    type: Literal["agreement_expiring"] = "agreement_expiring"
    notice_kind: ClassVar[str] = "data_sharing_agreement"
    family_id: uuid.UUID = NO_FAMILY
    agreement_id: uuid.UUID
    ends_on: date


class TeamMemberAdded(Event):
    type: Literal["team_member_added"] = "team_member_added"
    membership_id: uuid.UUID
    user_id: uuid.UUID
    agency_id: uuid.UUID


class TeamMemberRemoved(Event):
    type: Literal["team_member_removed"] = "team_member_removed"
    membership_id: uuid.UUID
    user_id: uuid.UUID
    agency_id: uuid.UUID


class LeadProfessionalChanged(Event):
    type: Literal["lead_professional_changed"] = "lead_professional_changed"
    user_id: uuid.UUID
    previous_user_id: uuid.UUID | None


class FollowUpDue(Event):
    """A check on a closed family falls due (3, 6 or 12 months after closure): for the lead professional."""

    type: Literal["follow_up_due"] = "follow_up_due"
    follow_up_id: uuid.UUID
    months: int
    due_on: date


class FamilyStatusChanged(Event):
    """Stepped up, stepped down, closed or re-opened: the whole team needs to know."""

    type: Literal["family_status_changed"] = "family_status_changed"
    transition: str  # stepped_up, stepped_down, closed, reopened
    transition_id: uuid.UUID


AnyEvent = Annotated[
    EscalationRaised
    | EscalationAcknowledged
    | EscalationTimedOut
    | EscalationResolved
    | MeetingScheduled
    | MeetingChanged
    | MeetingCancelled
    | MinutesPublished
    | ActionAssigned
    | ActionDueSoon
    | ActionOverdue
    | ActionDone
    | ReviewDue
    | AssessmentOverdue
    | ConsentWithdrawn
    | OverrideUsed
    | AgreementExpiring
    | TeamMemberAdded
    | TeamMemberRemoved
    | LeadProfessionalChanged
    | FamilyStatusChanged
    | FollowUpDue,
    Field(discriminator="type"),
]

_adapter: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        EscalationRaised,
        EscalationAcknowledged,
        EscalationTimedOut,
        EscalationResolved,
        MeetingScheduled,
        MeetingChanged,
        MeetingCancelled,
        MinutesPublished,
        ActionAssigned,
        ActionDueSoon,
        ActionOverdue,
        ActionDone,
        ReviewDue,
        AssessmentOverdue,
        ConsentWithdrawn,
        OverrideUsed,
        AgreementExpiring,
        TeamMemberAdded,
        TeamMemberRemoved,
        LeadProfessionalChanged,
        FamilyStatusChanged,
        FollowUpDue,
    )
}
KINDS: tuple[str, ...] = tuple(EVENT_TYPES)
ESCALATION_KINDS = frozenset(kind for kind, cls in EVENT_TYPES.items() if issubclass(cls, _Escalation))


def notice_kind(kind: str) -> str:
    """The kind of record a recipient must be allowed to read to receive a notification of this kind."""
    return EVENT_TYPES[kind].notice_kind


def is_urgent(event: Event) -> bool:
    return bool(getattr(event, "urgent", False))


def to_json(event: Event) -> dict:
    return event.model_dump(mode="json")


def from_json(data: dict) -> Event:
    return _adapter.validate_python(data)


def stored_payload(event: Event) -> dict:
    """What a notification keeps of its event: the structure anyone told of it may see. The subject's
    owner and category are kept as columns of their own, beside it."""
    payload = to_json(event)
    if isinstance(event, SubjectEvent):
        payload.pop("owning_agency_id", None)
        payload.pop("category", None)
    return payload
