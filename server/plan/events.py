"""THE SEAM FOR NOTIFICATIONS: every place in the plan, meeting, escalation and closure services where
another person must act calls `emit`, in the transaction of the change.

For now it writes nothing to the database. When notifications/outbox.py is merged, `emit` becomes
`outbox.append(session, <typed event>)` (same transaction) and nothing else in the services changes.
The kinds emitted are listed in EVENT_KINDS; a test holds the services to them.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

EVENT_KINDS = frozenset(
    {
        "action_assigned",
        "action_done",
        "meeting_scheduled",
        "meeting_changed",
        "meeting_cancelled",
        "minutes_published",
        "escalation_raised",
        "escalation_acknowledged",
        "escalation_resolved",
        "family_stepped_up",
        "family_stepped_down",
        "family_closed",
        "family_reopened",
    }
)

PENDING_KEY = "taf_pending_events"


def emit(session: AsyncSession, kind: str, **ids: uuid.UUID | str | None) -> None:
    """Record that `kind` happened to the records named by `ids` (family_id always among them).

    Until the outbox exists the event is only kept on the session (session.info), so tests can see
    that the seam was reached; it is discarded with the session."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    session.info.setdefault(PENDING_KEY, []).append({"kind": kind, **{k: str(v) for k, v in ids.items() if v}})
