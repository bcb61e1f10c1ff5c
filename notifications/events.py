"""The typed events that cause notifications (DESIGN.md section 5), as one discriminated union.

Every event names its family. An event whose payload carries case content also names the agency that
owns that content and its information category, and lists the fields that carry it (`content_fields`):
the server's policy decides, per recipient, whether those fields go into that recipient's copy.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Fields withheld from a recipient who may not read the category of the owning agency's content.
    content_fields: ClassVar[tuple[str, ...]] = ()
    # The kind of record a recipient must be allowed to read for the event to reach them at all.
    notice_kind: ClassVar[str] = "family"

    family_id: uuid.UUID
    actor_user_id: uuid.UUID | None = None  # who caused it (never notified of their own act)


class CaseContentEvent(Event):
    """An event whose content_fields derive from an agency's case content in one information category."""

    owning_agency_id: uuid.UUID
    category: str


class _Escalation(CaseContentEvent):
    escalation_id: uuid.UUID
    level: str
    urgent: bool = True  # urgent escalations are delivered live whatever the recipient's preferences


class EscalationRaised(_Escalation):
    type: Literal["escalation_raised"] = "escalation_raised"
    content_fields: ClassVar[tuple[str, ...]] = ("reason",)
    reason: str


class EscalationAcknowledged(_Escalation):
    type: Literal["escalation_acknowledged"] = "escalation_acknowledged"


class EscalationTimedOut(_Escalation):
    """The lead professional did not acknowledge in time: it goes to their manager too."""

    type: Literal["escalation_timed_out"] = "escalation_timed_out"


class EscalationResolved(_Escalation):
    type: Literal["escalation_resolved"] = "escalation_resolved"
    content_fields: ClassVar[tuple[str, ...]] = ("outcome",)
    outcome: str


class _Meeting(Event):
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


class _Action(CaseContentEvent):
    action_id: uuid.UUID
    owner_user_id: uuid.UUID
    due_on: date | None = None
    content_fields: ClassVar[tuple[str, ...]] = ("title",)
    title: str


class ActionAssigned(_Action):
    type: Literal["action_assigned"] = "action_assigned"


class ActionDueSoon(_Action):
    type: Literal["action_due_soon"] = "action_due_soon"


class ActionOverdue(_Action):
    type: Literal["action_overdue"] = "action_overdue"


class ActionDone(_Action):
    type: Literal["action_done"] = "action_done"


class ReviewDue(Event):
    type: Literal["review_due"] = "review_due"
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
    | ConsentWithdrawn
    | OverrideUsed
    | TeamMemberAdded
    | TeamMemberRemoved
    | LeadProfessionalChanged
    | FamilyStatusChanged,
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
        ConsentWithdrawn,
        OverrideUsed,
        TeamMemberAdded,
        TeamMemberRemoved,
        LeadProfessionalChanged,
        FamilyStatusChanged,
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


def public_payload(event: Event, *, with_content: bool) -> dict:
    """The event as JSON for one recipient: without the case content (and whose it is) unless allowed."""
    payload = to_json(event)
    if not with_content and isinstance(event, CaseContentEvent):
        for name in (*event.content_fields, "owning_agency_id", "category"):
            payload.pop(name, None)
    return payload
