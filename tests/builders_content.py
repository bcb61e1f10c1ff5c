"""Builders for every kind of case content, written straight to the database with the facts the sharing
rules read (owning agency, category, agreed with the family), for the decision table.

Each returns, by kind, the id the API answers with for that content and the canary text only it holds
(None for a rating, which has no text of its own), so a test can look for it on every read path. The
records the content sits in (a meeting, an assessment, a review) are built around it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from notifications.events import ActionAssigned, EscalationRaised, Event, is_urgent, stored_payload, to_json
from notifications.models import Notification, OutboxEvent
from server.assessment.models import Assessment, AssessmentRating, AssessmentStage, Review, RiskRating
from server.clock import utcnow
from server.contact.models import Contact, ContactKind
from server.db.engine import SessionFactory, unit_of_work
from server.db.versioning import snapshot
from server.escalation.models import Escalation, EscalationLevel
from server.family.models import Family, LevelOfNeed
from server.meeting.models import (
    Meeting,
    MeetingAddendum,
    MeetingDecision,
    MeetingKind,
    MeetingStatus,
    MinutesItem,
)
from server.panel.models import PanelDecision, PanelKind, PanelOutcome, PanelSitting
from server.plan.contingency import CONTINGENCY_FIELDS
from server.plan.models import (
    ActionStatus,
    GoalStatus,
    OutcomeDomain,
    PlanAction,
    PlanContingency,
    PlanGoal,
    PlanHistory,
)
from server.plan.service import ACTION_FIELDS, GOAL_FIELDS
from server.referral.models import Referral, ReferralConsent, ReferralOutcome
from server.service_catalogue.models import Service, ServicePrice, ServiceUnit
from server.service_received.models import ServiceReceived
from server.user.models import User


def canary(kind: str, category: str) -> str:
    """Text that can only come from one piece of content: a test looks for it in every response."""
    return f"canary {kind} {category} {uuid.uuid4().hex[:12]}"


Built = dict[str, tuple[uuid.UUID, str | None]]


async def create_assessment_content(sessions: SessionFactory, *, family: Family, owner: User, category: str) -> Built:
    """An assessment whose narrative is `owner`'s agency's, in `category`, with one rating in `category`."""
    text = canary("assessment_narrative", category)
    async with unit_of_work(sessions) as session:
        assessment = Assessment(
            family_id=family.id,
            stage=AssessmentStage.entry,
            assessed_on=date.today(),
            level_of_need=LevelOfNeed.targeted,
            strengths=text,
            needs=text,
            author_user_id=owner.id,
            owning_agency_id=owner.agency_id,
            category=category,
        )
        session.add(assessment)
        await session.flush()
        rating = AssessmentRating(
            assessment_id=assessment.id,
            factor="family_relationships",
            rating=RiskRating.high,
            owning_agency_id=owner.agency_id,
            category=category,
        )
        session.add(rating)
    return {"assessment_narrative": (assessment.id, text), "assessment_rating": (rating.id, None)}


async def create_review_content(sessions: SessionFactory, *, family: Family, owner: User, category: str) -> Built:
    text = canary("review_note", category)
    async with unit_of_work(sessions) as session:
        review = Review(
            family_id=family.id,
            reviewed_on=date.today(),
            summary=text,
            author_user_id=owner.id,
            owning_agency_id=owner.agency_id,
            category=category,
        )
        session.add(review)
    return {"review_note": (review.id, text)}


async def create_meeting_content(
    sessions: SessionFactory, *, family: Family, chair: User, owner: User, category: str, agreed: bool
) -> Built:
    """A held meeting chaired by `chair`, with published minutes holding one item of `owner`'s agency, one
    decision and one addendum, all in `category`."""
    facts = {"owning_agency_id": owner.agency_id, "category": category}
    texts = {kind: canary(kind, category) for kind in ("minutes_item", "meeting_decision", "meeting_addendum")}
    async with unit_of_work(sessions) as session:
        meeting = Meeting(
            family_id=family.id,
            kind=MeetingKind.review,
            status=MeetingStatus.held,
            scheduled_at=utcnow() - timedelta(days=1),
            location="Family hub",
            chair_user_id=chair.id,
        )
        session.add(meeting)
        await session.flush()
        item = MinutesItem(
            meeting_id=meeting.id,
            family_id=family.id,
            position=0,
            heading="Update",
            text=texts["minutes_item"],
            author_user_id=chair.id,
            **facts,
        )
        decision = MeetingDecision(
            meeting_id=meeting.id,
            text=texts["meeting_decision"],
            recorded_by_user_id=chair.id,
            agreed_with_family=agreed,
            **facts,
        )
        session.add_all([item, decision])
        await session.flush()
        meeting.minutes_published_at = utcnow()
        session.add(meeting)
        await session.flush()
        addendum = MeetingAddendum(
            meeting_id=meeting.id, text=texts["meeting_addendum"], author_user_id=chair.id, **facts
        )
        session.add(addendum)
    ids = {"minutes_item": item.id, "meeting_decision": decision.id, "meeting_addendum": addendum.id}
    return {kind: (ids[kind], texts[kind]) for kind in ids}


async def create_plan_content(
    sessions: SessionFactory, *, family: Family, lead: User, owner: User, category: str, agreed: bool
) -> Built:
    """A goal in `owner`'s agency's words and an action `owner` is to do, serving it, both in `category`;
    agreed with the family or not."""
    texts = {kind: canary(kind, category) for kind in ("plan_goal", "plan_action")}
    async with unit_of_work(sessions) as session:
        goal = PlanGoal(
            family_id=family.id,
            in_family_words=texts["plan_goal"],
            agreed_with_family=agreed,
            agreed_on=date.today() if agreed else None,
            outcome_domain=OutcomeDomain.safety,
            status=GoalStatus.open,
            created_by_user_id=lead.id,
            owning_agency_id=owner.agency_id,
            category=category,
        )
        session.add(goal)
        await session.flush()
        action = PlanAction(
            family_id=family.id,
            goal_id=goal.id,
            description=texts["plan_action"],
            owning_agency_id=owner.agency_id,
            owner_user_id=owner.id,
            due_date=date.today() + timedelta(days=7),
            status=ActionStatus.open,
            created_by_user_id=lead.id,
            category=category,
        )
        session.add(action)
        await session.flush()
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
    return {"plan_goal": (goal.id, texts["plan_goal"]), "plan_action": (action.id, texts["plan_action"])}


async def create_contingency_content(
    sessions: SessionFactory, *, family: Family, lead: User, owner: User, category: str, agreed: bool, third_party: bool
) -> Built:
    """A contingency in `owner`'s agency's words, in `category`, with its first version in the plan history.
    Each of its three texts holds the canary, so any one of them shown is seen."""
    text = canary("plan_contingency", category)
    async with unit_of_work(sessions) as session:
        row = PlanContingency(
            family_id=family.id,
            trigger=text,
            response=f"{text} response",
            who_acts=f"{text} who acts",
            agreed_with_family=agreed,
            names_third_party=third_party,
            owning_agency_id=owner.agency_id,
            category=category,
            created_by_user_id=lead.id,
        )
        session.add(row)
        await session.flush()
        session.add(
            PlanHistory(
                family_id=family.id,
                entity="contingency",
                entity_id=row.id,
                version=row.version,
                editor_user_id=lead.id,
                snapshot=snapshot(row, CONTINGENCY_FIELDS),
            )
        )
    return {"plan_contingency": (row.id, text)}


async def create_contact_content(sessions: SessionFactory, *, family: Family, owner: User, category: str) -> Built:
    """A home visit by `owner`, whose note (in `category`) holds the canary."""
    text = canary("contact_note", category)
    async with unit_of_work(sessions) as session:
        row = Contact(
            family_id=family.id,
            worker_user_id=owner.id,
            owning_agency_id=owner.agency_id,
            contacted_at=utcnow() - timedelta(hours=2),
            kind=ContactKind.home_visit,
            duration_minutes=45,
            note=text,
            category=category,
        )
        session.add(row)
    return {"contact_note": (row.id, text)}


async def create_escalation_content(sessions: SessionFactory, *, family: Family, owner: User, category: str) -> Built:
    text = canary("escalation_reason", category)
    async with unit_of_work(sessions) as session:
        row = Escalation(
            family_id=family.id,
            level=EscalationLevel.concern,
            category=category,
            owning_agency_id=owner.agency_id,
            reason=text,
            raised_by_user_id=owner.id,
            ack_due_at=utcnow() + timedelta(days=1),
        )
        session.add(row)
    return {"escalation_reason": (row.id, text)}


async def create_service_received_content(
    sessions: SessionFactory, *, family: Family, owner: User, category: str
) -> Built:
    """A service received by the family, recorded by `owner`'s agency, of a service of `category` whose name is
    the canary (a service received has no text of its own; its service's name shows wherever it does)."""
    text = canary("service_received", category)
    async with unit_of_work(sessions) as session:
        service = Service(code=uuid.uuid4().hex, name=text, unit=ServiceUnit.session, category=category)
        session.add(service)
        await session.flush()
        session.add(ServicePrice(service_id=service.id, unit_price_pence=5_000, effective_from=date(2000, 1, 1)))
        row = ServiceReceived(
            family_id=family.id,
            service_id=service.id,
            provider_agency_id=owner.agency_id,
            started_on=date.today() - timedelta(days=7),
            quantity=3,
            unit_price_pence=5_000,
            owning_agency_id=owner.agency_id,
            category=category,
            recorded_by_user_id=owner.id,
        )
        session.add(row)
    return {"service_received": (row.id, text)}


async def create_referral_content(sessions: SessionFactory, *, family: Family, owner: User, category: str) -> Built:
    """A decided referral recorded by `owner`'s agency in `category`: its reason, needs and rationale hold
    the canary text."""
    text = canary("referral_reason", category)
    async with unit_of_work(sessions) as session:
        row = Referral(
            family_id=family.id,
            received_on=date.today() - timedelta(days=3),
            referrer_name="Referrer",
            referrer_organisation="Riverside Academy",
            consent=ReferralConsent.given,
            consent_given_by="Parent",
            reason=text,
            presenting_needs=text,
            owning_agency_id=owner.agency_id,
            category=category,
            recorded_by_user_id=owner.id,
            decided_level=LevelOfNeed.targeted,
            decided_on=date.today(),
            decided_by_user_id=owner.id,
            decision_reason=text,
            outcome=ReferralOutcome.accepted,
        )
        session.add(row)
    return {"referral_reason": (row.id, text)}


async def notify(sessions: SessionFactory, event: Event, recipients: list[User]) -> None:
    """Notifications of `event` already delivered to each recipient, as the dispatcher stores them: the
    event's structure and a reference to its subject, never its words."""
    subject = event.subject()
    async with unit_of_work(sessions) as session:
        outbox = OutboxEvent(kind=event.type, family_id=event.family_id, payload=to_json(event), dispatched_at=utcnow())
        session.add(outbox)
        await session.flush()
        session.add_all(
            Notification(
                outbox_id=outbox.id,
                recipient_user_id=user.id,
                kind=event.type,
                family_id=event.family_id,
                urgent=is_urgent(event),
                payload=stored_payload(event),
                subject_kind=subject.kind if subject else None,
                subject_id=subject.id if subject else None,
                owning_agency_id=subject.owning_agency_id if subject else None,
                category=subject.category if subject else None,
            )
            for user in recipients
        )


def escalation_raised(family: Family, escalation_id: uuid.UUID, owner: User, category: str) -> EscalationRaised:
    return EscalationRaised(
        family_id=family.id,
        actor_user_id=owner.id,
        owning_agency_id=owner.agency_id,
        category=category,
        escalation_id=escalation_id,
        level=EscalationLevel.concern.value,
        urgent=False,
    )


def action_assigned(family: Family, action_id: uuid.UUID, owner: User, category: str) -> ActionAssigned:
    return ActionAssigned(
        family_id=family.id,
        owning_agency_id=owner.agency_id,
        category=category,
        action_id=action_id,
        owner_user_id=owner.id,
        due_on=date.today() + timedelta(days=7),
    )


async def create_panel_content(sessions: SessionFactory, *, family: Family, owner: User, category: str) -> Built:
    """A panel decision about the family recorded by `owner`'s agency in `category` at a sitting that `owner`
    chaired: its rationale holds the canary text."""
    text = canary("panel_rationale", category)
    async with unit_of_work(sessions) as session:
        sitting = PanelSitting(
            name="Gateway panel",
            kind=PanelKind.gateway,
            sits_on=date.today() - timedelta(days=2),
            chair_user_id=owner.id,
            created_by_user_id=owner.id,
        )
        session.add(sitting)
        await session.flush()
        row = PanelDecision(
            sitting_id=sitting.id,
            family_id=family.id,
            added_by_user_id=owner.id,
            outcome=PanelOutcome.accept_for_service,
            review_on=date.today() + timedelta(days=40),
            decided_by_user_id=owner.id,
            decided_at=utcnow(),
            rationale=text,
            owning_agency_id=owner.agency_id,
            category=category,
        )
        session.add(row)
    return {"panel_rationale": (row.id, text)}
