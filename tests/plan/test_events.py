"""The notification seam: each place where another person must act appends one typed event to the outbox
(with its actor), in the transaction of the change. (The outbox itself belongs to the notifications work.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from notifications.models import OutboxEvent, Timer
from server.access.categories import InformationCategory
from server.access.enforcer import build_enforcer
from server.access.pep import AccessControl
from server.auth.service import actor_from
from server.config import REPO_ROOT, Settings
from server.escalation import service as escalation_service
from server.escalation.models import EscalationLevel, EscalationOutcome
from server.meeting import service as meeting_service
from server.meeting.models import MeetingKind
from server.plan import service as plan_service
from server.transition import service as transition_service
from tests.builders import create_area


async def test_services_emit_at_each_hand_over(sessions):
    area = await create_area(sessions)
    enforcer = build_enforcer(REPO_ROOT / "policies")
    lead = AccessControl(enforcer, actor_from(area.lead))
    school = AccessControl(enforcer, actor_from(area.colleague))
    async with sessions() as session:  # rolled back when it closes
        data = plan_service.ActionIn("Call", area.colleague.id, date.today() + timedelta(days=3))
        action = await plan_service.add_action(session, lead, family_id=area.family.id, data=data)
        await plan_service.edit_action(
            session, school, action_id=action.id, expected_version=1, changes={"status": "done"}
        )
        meeting = await meeting_service.schedule(
            session,
            lead,
            family_id=area.family.id,
            data=meeting_service.MeetingIn(MeetingKind.review, datetime.now(UTC) + timedelta(days=2), location="Hub"),
        )
        await meeting_service.reschedule(
            session,
            lead,
            meeting_id=meeting.id,
            expected_version=1,
            scheduled_at=datetime.now(UTC) + timedelta(days=3),
            reason="Room",
        )
        await meeting_service.cancel(session, lead, meeting_id=meeting.id, expected_version=2, reason="Ill")
        raised = await escalation_service.raise_escalation(
            session,
            school,
            family_id=area.family.id,
            level=EscalationLevel.urgent,
            category=InformationCategory.education,
            reason="Bruise",
            settings=Settings(database_url=None),
        )
        await escalation_service.acknowledge(session, lead, escalation_id=raised.id)
        await escalation_service.resolve(
            session, lead, escalation_id=raised.id, outcome=EscalationOutcome.referral_police, note=""
        )
        step = transition_service.StepIn("Harm", "CSC", date.today())
        await transition_service.step_up(session, lead, family_id=area.family.id, expected_version=1, data=step)
        # then each is in the outbox of the same (uncommitted) transaction, with its actor, and the escalation's
        # timer was scheduled and cancelled
        outbox = (
            await session.exec(
                sa.select(OutboxEvent.kind, OutboxEvent.payload)
                .where(OutboxEvent.family_id == area.family.id)
                .order_by(OutboxEvent.id)
            )
        ).all()
        assert [kind for kind, _ in outbox] == [
            "action_assigned",
            "action_done",
            "meeting_scheduled",
            "meeting_changed",
            "meeting_cancelled",
            "escalation_raised",
            "escalation_acknowledged",
            "escalation_resolved",
            "family_status_changed",
        ]
        school_did = {"action_done", "escalation_raised"}
        assert [payload["actor_user_id"] for _, payload in outbox] == [
            str(area.colleague.id if kind in school_did else area.lead.id) for kind, _ in outbox
        ]
        # and no event carries the words of what it is about
        assert all("Bruise" not in str(payload) and "Call" not in str(payload) for _, payload in outbox)
        timers = (
            await session.exec(sa.select(sa.func.count()).select_from(Timer).where(Timer.subject_id == raised.id))
        ).one()[0]
        assert timers == 0  # scheduled when raised, cancelled when acknowledged
