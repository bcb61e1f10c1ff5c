"""A family whose every kind of content holds canary text, written straight to the database: its name and
its members' names and dates of birth, its team's words, contributions and their versions, assessments
and ratings, reviews and progress notes, meetings with minutes, decisions, corrections and changes, the
plan and its history, escalations, consents and refusals, agreements to engage, overrides and decisions
not to share, closures, a portal account and its invitation, sign-ins, notifications (in the inbox, the
outbox, a timer and a daily digest), an idempotency key, an IG officer's disclosure block and retention
decisions. Every canary starts with the family's `mark`, so one search finds them all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from notifications.digest import DIGEST_KIND, digest_payload
from notifications.events import EscalationTimedOut, to_json
from notifications.models import Delivery, Notification, NotificationPreference, Timer
from server.assessment.models import (
    Assessment,
    AssessmentRating,
    AssessmentStage,
    GoalProgress,
    OutcomeScore,
    Review,
    RiskRating,
)
from server.audit import service as audit
from server.audit.disclosure import AuditDisclosureBlock
from server.auth.models import LoginAttempt
from server.consent.models import Consent, EngagementAgreement
from server.contribution.models import Contribution, ContributionVersion
from server.db.columns import utcnow
from server.db.engine import SessionFactory, unit_of_work
from server.db.versioning import snapshot
from server.escalation.models import Escalation, EscalationLevel, EscalationOutcome
from server.family.models import Family, FamilyMember, FamilyStatus, LevelOfNeed
from server.idempotency import IdempotencyKey
from server.meeting.models import (
    Attendance,
    Meeting,
    MeetingAddendum,
    MeetingChange,
    MeetingChangeKind,
    MeetingDecision,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
    MinutesItem,
)
from server.plan.models import ActionStatus, GoalStatus, OutcomeDomain, PlanAction, PlanGoal, PlanHistory
from server.plan.service import ACTION_FIELDS, GOAL_FIELDS
from server.portal.models import PortalInvitation
from server.retention.models import RetentionDecision, RetentionDecisionKind
from server.safeguarding.models import SafeguardingOverride, SharingDecision
from server.team.models import TeamMembership, TeamRole
from server.transition.models import ClosureOutcome, FamilyTransition, TransitionKind
from server.user.models import User, UserKind
from tests.builders import Area, _password_hash, issue_token, unique
from tests.builders_content import action_assigned, escalation_raised, notify


@dataclass
class Written:
    family: Family
    mark: str
    birth: date  # the subject child's date of birth, distinctive
    portal_user: User
    portal_token: str
    ids: dict[str, uuid.UUID] = field(default_factory=dict)  # kind of content -> its id


def text(mark: str, what: str) -> str:
    return f"{mark}-{what}"


async def write_family(sessions: SessionFactory, area: Area, *, mark: str, birth: date) -> Written:
    """An open family of the area's team (lead and colleague), its content owned by the lead's agency and
    marked for the family summary where it can be, so that the team, the family and IG officers each see
    some of it."""
    family, child = await _family(sessions, area, mark, birth)
    ids: dict[str, uuid.UUID] = {"family": family.id, "member": child.id}
    ids |= await _contributions(sessions, area, family, mark)
    ids |= await _records(sessions, area, family, child, mark)
    ids |= await _sharing(sessions, area, family, child, mark)
    portal_user, invitation = await _portal(sessions, family, child, mark)
    ids |= {"portal_user": portal_user.id, "portal_invitation": invitation}
    ids |= await _notifications(sessions, area, family, mark, ids)
    ids |= await _governance(sessions, area, family, mark, ids)
    return Written(family, mark, birth, portal_user, await issue_token(sessions, portal_user), ids)


async def _family(sessions: SessionFactory, area: Area, mark: str, birth: date) -> tuple[Family, FamilyMember]:
    async with unit_of_work(sessions) as session:
        family = Family(
            reference=unique("E")[:20],
            display_name=text(mark, "family name"),
            status=FamilyStatus.active,
            level_of_need=LevelOfNeed.targeted,
        )
        session.add(family)
        await session.flush()
        child = FamilyMember(
            family_id=family.id,
            full_name=text(mark, "child name"),
            relationship=text(mark, "relationship"),
            date_of_birth=birth,
            is_subject_child=True,
        )
        session.add(child)
        for user, role in ((area.lead, TeamRole.lead_professional), (area.colleague, TeamRole.contributor)):
            session.add(
                TeamMembership(
                    family_id=family.id,
                    agency_id=user.agency_id,
                    user_id=user.id,
                    role=role,
                    agency_role=text(mark, "agency role"),
                    contact_in_hours=text(mark, "contact in hours"),
                    contact_out_of_hours=text(mark, "contact out of hours"),
                )
            )
        # someone who left the team, with the reason
        session.add(
            TeamMembership(
                family_id=family.id,
                agency_id=area.outsider.agency_id,
                user_id=area.outsider.id,
                role=TeamRole.contributor,
                agency_role=text(mark, "former role"),
                valid_to=utcnow(),
                ended_reason=text(mark, "ended reason"),
            )
        )
    return family, child


async def _contributions(sessions: SessionFactory, area: Area, family: Family, mark: str) -> dict[str, uuid.UUID]:
    async with unit_of_work(sessions) as session:
        row = Contribution(
            family_id=family.id,
            owning_agency_id=area.lead.agency_id,
            author_user_id=area.lead.id,
            kind="update",
            category="education",
            title=text(mark, "contribution title v2"),
            body=text(mark, "contribution body v2"),
            may_appear_in_family_summary=True,
            version=2,
        )
        session.add(row)
        await session.flush()
        for version in (1, 2):
            session.add(
                ContributionVersion(
                    contribution_id=row.id,
                    version=version,
                    editor_user_id=area.lead.id,
                    kind="update",
                    category="education",
                    title=text(mark, f"contribution title v{version}"),
                    body=text(mark, f"contribution body v{version}"),
                    may_appear_in_family_summary=True,
                )
            )
    return {"contribution": row.id}


async def _records(
    sessions: SessionFactory, area: Area, family: Family, child: FamilyMember, mark: str
) -> dict[str, uuid.UUID]:
    """An assessment with a rating, a review with progress and a score, a held meeting with published
    minutes, a decision, a correction, a change and an invitee, a goal and an action with their history,
    and a resolved escalation: the lead's agency's education information, words in every field."""
    lead, facts = area.lead, {"owning_agency_id": area.lead.agency_id, "category": "education"}
    words = {
        name: text(mark, f"assessment {name}")
        for name in ("strengths", "needs", "child_views", "family_views", "protective_factors")
    }
    async with unit_of_work(sessions) as session:
        assessment = Assessment(
            family_id=family.id,
            stage=AssessmentStage.entry,
            assessed_on=date.today(),
            level_of_need=LevelOfNeed.targeted,
            author_user_id=lead.id,
            **words,
            **facts,
        )
        meeting = Meeting(
            family_id=family.id,
            kind=MeetingKind.review,
            status=MeetingStatus.held,
            scheduled_at=utcnow() - timedelta(days=1),
            location=text(mark, "meeting place"),
            agenda=text(mark, "agenda"),
            chair_user_id=lead.id,
        )
        goal = PlanGoal(
            family_id=family.id,
            in_family_words=text(mark, "goal words"),
            agreed_with_family=True,
            agreed_on=date.today(),
            outcome_domain=OutcomeDomain.safety,
            status=GoalStatus.open,
            created_by_user_id=lead.id,
            **facts,
        )
        escalation = Escalation(
            family_id=family.id,
            level=EscalationLevel.concern,
            reason=text(mark, "escalation reason"),
            raised_by_user_id=lead.id,
            ack_due_at=utcnow() + timedelta(days=1),
            outcome=EscalationOutcome.managed_within_plan,
            outcome_note=text(mark, "escalation outcome note"),
            **facts,
        )
        session.add_all([assessment, meeting, goal, escalation])
        await session.flush()
        review = Review(
            family_id=family.id,
            meeting_id=meeting.id,
            reviewed_on=date.today(),
            summary=text(mark, "review summary"),
            author_user_id=lead.id,
            **facts,
        )
        action = PlanAction(
            family_id=family.id,
            goal_id=goal.id,
            meeting_id=meeting.id,
            description=text(mark, "action words"),
            owner_user_id=area.colleague.id,
            due_date=date.today() + timedelta(days=7),
            status=ActionStatus.open,
            created_by_user_id=lead.id,
            owning_agency_id=area.lead.agency_id,
            category="education",
        )
        item = MinutesItem(
            meeting_id=meeting.id,
            family_id=family.id,
            position=0,
            heading=text(mark, "minutes heading"),
            text=text(mark, "minutes text"),
            author_user_id=lead.id,
            about_member_ids=[child.id],
            **facts,
        )
        decision = MeetingDecision(
            meeting_id=meeting.id, text=text(mark, "decision"), recorded_by_user_id=lead.id, **facts
        )
        rating = AssessmentRating(
            assessment_id=assessment.id,
            factor="family_relationships",
            member_id=child.id,
            rating=RiskRating.high,
            owning_agency_id=lead.agency_id,
            category="family_history",
        )
        session.add_all([review, action, item, decision, rating])
        await session.flush()
        meeting.minutes_published_at = utcnow()
        session.add(meeting)
        await session.flush()
        session.add_all(
            [
                MeetingAddendum(meeting_id=meeting.id, text=text(mark, "correction"), author_user_id=lead.id, **facts),
                MeetingChange(
                    meeting_id=meeting.id,
                    kind=MeetingChangeKind.rescheduled,
                    reason=text(mark, "rescheduled because"),
                    previous_at=utcnow() - timedelta(days=3),
                    new_at=utcnow() - timedelta(days=1),
                    changed_by_user_id=lead.id,
                ),
                MeetingInvitee(meeting_id=meeting.id, family_member_id=child.id, attendance=Attendance.present),
                GoalProgress(review_id=review.id, goal_id=goal.id, progress=text(mark, "progress")),
                OutcomeScore(review_id=review.id, domain=OutcomeDomain.safety, score=7),
            ]
        )
        for entity, row, fields in (("goal", goal, GOAL_FIELDS), ("action", action, ACTION_FIELDS)):
            session.add(
                PlanHistory(
                    family_id=family.id,
                    entity=entity,
                    entity_id=row.id,
                    version=row.version,
                    editor_user_id=lead.id,
                    snapshot=snapshot(row, fields),
                )
            )
    return {
        "assessment": assessment.id,
        "assessment_rating": rating.id,
        "review": review.id,
        "meeting": meeting.id,
        "minutes_item": item.id,
        "meeting_decision": decision.id,
        "plan_goal": goal.id,
        "plan_action": action.id,
        "escalation": escalation.id,
    }


async def _sharing(
    sessions: SessionFactory, area: Area, family: Family, child: FamilyMember, mark: str
) -> dict[str, uuid.UUID]:
    now = utcnow()
    async with unit_of_work(sessions) as session:
        consent = Consent(
            family_id=family.id,
            given_by_member_id=child.id,
            capacity="parental_responsibility",
            decision="given",
            categories=["education"],
            whole_team=True,
            purpose=text(mark, "consent purpose"),
            evidence_reference=text(mark, "consent evidence"),
            recorded_by_user_id=area.lead.id,
            valid_from=now - timedelta(days=1),
        )
        withdrawn = Consent(
            family_id=family.id,
            given_by_member_id=child.id,
            capacity="self",
            decision="refused",
            categories=["health"],
            whole_team=True,
            purpose=text(mark, "refusal purpose"),
            recorded_by_user_id=area.lead.id,
            valid_from=now - timedelta(days=1),
            withdrawn_at=now,
            withdrawn_by_user_id=area.lead.id,
            withdrawal_reason=text(mark, "withdrawal reason"),
        )
        agreement = EngagementAgreement(
            family_id=family.id,
            member_id=child.id,
            agreed=True,
            notes=text(mark, "engagement notes"),
            recorded_by_user_id=area.lead.id,
        )
        override = SafeguardingOverride(
            family_id=family.id,
            owning_agency_id=area.lead.agency_id,
            decided_by_user_id=area.lead.id,
            categories=["health"],
            recipient_agency_ids=[area.colleague.agency_id],
            justification=text(mark, "override justification"),
            lawful_basis="public_task_safeguarding",
            advice_sought=text(mark, "advice sought"),
            family_informed=False,
            not_informed_reason=text(mark, "not informed because"),
            starts_at=now - timedelta(days=1),
            expires_at=now + timedelta(days=7),
            reviewed_at=now,
            reviewed_by_user_id=area.ig.id,
            review_note=text(mark, "IG review note"),
            revocation_reason=text(mark, "revocation reason"),
        )
        decision = SharingDecision(
            family_id=family.id,
            owning_agency_id=area.lead.agency_id,
            decided_by_user_id=area.lead.id,
            categories=["finance"],
            recipient_agency_ids=[area.colleague.agency_id],
            reason=text(mark, "not shared because"),
        )
        step_down = FamilyTransition(
            family_id=family.id,
            kind=TransitionKind.step_down,
            effective_on=date.today(),
            reason=text(mark, "step down reason"),
            receiving_team=text(mark, "receiving team"),
            recorded_by_user_id=area.lead.id,
        )
        session.add_all([consent, withdrawn, agreement, override, decision, step_down])
    return {"consent": consent.id, "override": override.id, "sharing_decision": decision.id}


async def _portal(sessions: SessionFactory, family: Family, child: FamilyMember, mark: str) -> tuple[User, uuid.UUID]:
    email = f"{mark}-parent@family.example".lower()
    async with unit_of_work(sessions) as session:
        parent = FamilyMember(family_id=family.id, full_name=text(mark, "parent name"), relationship="mother")
        session.add(parent)
        await session.flush()
        user = User(
            email=email,
            display_name=text(mark, "portal display name"),
            kind=UserKind.family,
            family_member_id=parent.id,
            password_hash=_password_hash(),
        )
        session.add(user)
        invitation = PortalInvitation(
            family_id=family.id,
            family_member_id=parent.id,
            email=email,
            token_hash=uuid.uuid4().hex,
            issued_by_user_id=(await _lead_of(session, family)),
            expires_at=utcnow() + timedelta(days=7),
            accepted_at=utcnow(),
        )
        session.add(invitation)
        session.add(LoginAttempt(account=email, address="192.0.2.1", succeeded=False))
        session.add(LoginAttempt(account=f"{mark}-typo@family.example".lower(), address="192.0.2.1", succeeded=False))
        await session.flush()
        session.add(NotificationPreference(user_id=user.id, kind="meeting_scheduled", delivery="daily_digest"))
    async with unit_of_work(sessions) as session:
        # an invitation for a misspelt address, never used: its sign-in attempt goes too
        session.add(
            PortalInvitation(
                family_id=family.id,
                family_member_id=child.id,
                email=f"{mark}-typo@family.example".lower(),
                token_hash=uuid.uuid4().hex,
                issued_by_user_id=await _lead_of(session, family),
                expires_at=utcnow() + timedelta(days=7),
            )
        )
    return user, invitation.id


async def _lead_of(session, family: Family) -> uuid.UUID:
    return (
        await session.exec(
            _text("SELECT user_id FROM team_membership WHERE family_id = :f AND role = 'lead_professional'"),
            params={"f": family.id},
        )
    ).one()[0]


async def _notifications(
    sessions: SessionFactory, area: Area, family: Family, mark: str, ids: dict[str, uuid.UUID]
) -> dict[str, uuid.UUID]:
    """Delivered notifications of an escalation and an action (to the team, the lead's manager and the IG
    officer), a pending timer, and a daily digest that carried one of them."""
    staff = [area.lead, area.colleague, area.manager]
    await notify(sessions, escalation_raised(family, ids["escalation"], area.lead, "education"), staff)
    await notify(sessions, action_assigned(family, ids["plan_action"], area.lead, "education"), staff)
    timed_out = EscalationTimedOut(
        family_id=family.id,
        actor_user_id=None,
        owning_agency_id=area.lead.agency_id,
        category="education",
        escalation_id=ids["escalation"],
        level=EscalationLevel.concern.value,
        urgent=False,
    )
    async with unit_of_work(sessions) as session:
        session.add(
            Timer(
                kind=timed_out.type,
                subject_id=ids["escalation"],
                due_at=utcnow() + timedelta(days=3),
                event=to_json(timed_out),
            )
        )
    return {"digest": await digest_of(sessions, area.colleague, family)}


async def digest_of(sessions: SessionFactory, user: User, family: Family) -> int:
    """The user's notifications about the family, held and then carried by one daily digest (added to a
    digest of the same day, if the user has one)."""
    async with unit_of_work(sessions) as session:
        held = (
            await session.exec(
                _text("SELECT id FROM notification WHERE recipient_user_id = :u AND family_id = :f ORDER BY id"),
                params={"u": user.id, "f": family.id},
            )
        ).all()
        rows = [await session.get(Notification, row[0]) for row in held]
        day = date(2030, 1, 1)
        existing = (
            await session.exec(
                _text("SELECT id FROM notification WHERE recipient_user_id = :u AND kind = :k"),
                params={"u": user.id, "k": DIGEST_KIND},
            )
        ).first()
        if existing:
            digest = await session.get(Notification, existing[0])
            carried = [await session.get(Notification, int(item["id"])) for item in digest.payload["items"]]
            digest.payload = digest_payload(day, [*carried, *rows])
        else:
            digest = Notification(
                recipient_user_id=user.id,
                kind=DIGEST_KIND,
                family_id=uuid.UUID(int=0),
                payload=digest_payload(day, rows),
                delivery=Delivery.live.value,
            )
        session.add(digest)
        await session.flush()
        for row in rows:
            row.delivery, row.digested_in = Delivery.daily_digest.value, digest.id
            session.add(row)
    return digest.id


async def _governance(
    sessions: SessionFactory, area: Area, family: Family, mark: str, ids: dict[str, uuid.UUID]
) -> dict[str, uuid.UUID]:
    """An audit entry withheld from the family (with the IG officer's reason), an idempotency key, and
    retention decisions of an earlier review."""
    async with unit_of_work(sessions) as session:
        await audit.record(
            session, None, "contribution_read", family_id=family.id, detail={"items": []}, user_id=area.colleague.id
        )
    async with unit_of_work(sessions) as session:
        event_id = (
            await session.exec(_text("SELECT max(id) FROM audit_event WHERE family_id = :f"), params={"f": family.id})
        ).one()[0]
        session.add(
            AuditDisclosureBlock(audit_event_id=event_id, marked_by_user_id=area.ig.id, reason=text(mark, "withheld"))
        )
        session.add(
            IdempotencyKey(
                user_id=area.lead.id, key=unique("idem"), action="contributionAdd", result_id=ids["contribution"]
            )
        )
        for kind, until in (
            (RetentionDecisionKind.extended, date(2021, 1, 1)),
            (RetentionDecisionKind.legal_hold, None),
            (RetentionDecisionKind.hold_removed, None),
        ):
            session.add(
                RetentionDecision(
                    family_id=family.id,
                    kind=kind,
                    retain_until=until,
                    reason=text(mark, f"retention {kind.value}"),
                    decided_by_user_id=area.ig.id,
                    created_at=datetime.now(UTC) - timedelta(days=30),
                )
            )
    return {"audit_event_withheld": event_id}


async def close(sessions: SessionFactory, area: Area, family: Family, mark: str, *, closed_at: datetime) -> None:
    """Closed, with the closure's words, at `closed_at`."""
    async with unit_of_work(sessions) as session:
        await session.exec(
            _text("UPDATE family SET status = 'closed', closed_at = :at WHERE id = :f"),
            params={"at": closed_at, "f": family.id},
        )
        session.add(
            FamilyTransition(
                family_id=family.id,
                kind=TransitionKind.closure,
                effective_on=closed_at.date(),
                reason=text(mark, "closure reason"),
                outcome=ClosureOutcome.goals_achieved,
                support_continuing=text(mark, "support continuing"),
                contact_if_difficulties=text(mark, "contact if difficulties"),
                family_feedback=text(mark, "family feedback"),
                recorded_by_user_id=area.lead.id,
            )
        )


def _text(sql: str) -> sa.TextClause:
    return sa.text(sql)
