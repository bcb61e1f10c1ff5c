"""The demo journeys from referral to follow-up. The Ali family's goes the whole way: a referral from the
school, the threshold decision by the early help team manager, first contact, the gateway panel that accepted
the family for intensive family support and a family group conference (with its rationale and a review
date), the edge-of-care cohort (child in need), the family group conference attended by Omar's grandmother
(whom he named for the family network) where the family made its own plan, closure with Omar remaining at
home, and the 3-month follow-up check recorded (the 6- and 12-month checks are still to come). The Osei
family's referral and closure (plan.py) show the waits and checks not yet due; the Williams family's referral
still waits for its decision."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import timers
from server.access.categories import InformationCategory
from server.clock import utcnow
from server.contact.models import ContactKind
from server.demo import care
from server.family.models import Family, FamilyMember, LevelOfNeed
from server.family_network.models import NetworkMember
from server.follow_up import service as follow_up_service
from server.legal_status.models import LegalStatus, LegalStatusChange
from server.meeting.models import Attendance, Meeting, MeetingDecision, MeetingInvitee, MeetingKind, MeetingStatus
from server.panel.models import PanelAllocation, PanelDecision, PanelKind, PanelOutcome, PanelSitting
from server.plan.models import GoalStatus, OutcomeDomain, PlanGoal
from server.referral.models import Referral, ReferralConsent, ReferralOutcome
from server.service_catalogue.models import Service
from server.transition.models import CareOutcome, ClosureOutcome, FamilyTransition, TransitionKind


async def load(session: AsyncSession, families: list[Family], staff: dict) -> None:
    by_name = {family.display_name: family for family in families}
    await _ali_journey(session, by_name["The Ali family"], staff)
    await _ali_conference(session, by_name["The Ali family"], staff)
    await _ali_care(session, by_name["The Ali family"], staff)
    await _osei_and_williams(session, by_name["The Osei family"], by_name["The Williams family"], staff)


async def _ali_journey(session: AsyncSession, ali: Family, staff: dict) -> None:
    opened = ali.opened_at.date()
    session.add(
        Referral(
            family_id=ali.id,
            received_on=opened - timedelta(days=3),
            referrer_name="Ms Helen Park",
            referrer_organisation="Riverside Academy",
            referrer_role="Head of year 8",
            referrer_contact="01632 960411",
            consent=ReferralConsent.given,
            consent_given_by="Nadia Ali (mother)",
            reason="Omar is being bullied and has stopped coming to school; the family of five share a one-bed flat.",
            presenting_needs="Bullying; school attendance (64%); overcrowding; Omar says he wants to leave home.",
            owning_agency_id=staff["lead"].agency_id,
            category="education",
            recorded_by_user_id=staff["lead"].id,
            decided_level=LevelOfNeed.specialist,
            decided_on=opened - timedelta(days=1),
            decided_by_user_id=staff["manager"].id,
            decision_reason="At risk of family breakdown (edge of care): intensive early help with a Team Around"
            " the Family, housing and the school together.",
            outcome=ReferralOutcome.accepted,
            first_contact_on=opened,
        )
    )
    await _ali_panel(session, ali, staff)
    session.add(
        LegalStatusChange(
            family_id=ali.id,
            legal_status=LegalStatus.child_in_need,
            edge_of_care=True,
            effective_from=opened,
            recorded_by_user_id=staff["lead"].id,
        )
    )
    closed = (ali.closed_at or utcnow()).date()
    closure = FamilyTransition(
        family_id=ali.id,
        kind=TransitionKind.closure,
        effective_on=closed,
        reason="Omar is back at school full time and the bullying has stopped; the housing transfer is agreed.",
        outcome=ClosureOutcome.partly_achieved,
        care_outcome=CareOutcome.remained_at_home,
        support_continuing="School mentor weekly; Northbridge Homes tracks the transfer.",
        contact_if_difficulties="Northbridge Early Help Hub, 01632 960200",
        family_feedback="Nadia: 'We were listened to, all of us.'",
        recorded_by_user_id=staff["lead"].id,
    )
    session.add(closure)
    await session.flush()
    three_months, *_ = await follow_up_service.schedule_for(session, closure)
    three_months.checked_on = three_months.due_on + timedelta(days=2)
    three_months.still_at_home, three_months.re_referred = True, False
    three_months.note = "Omar is at home and at school every day; the family moved to a three-bed flat."
    three_months.recorded_by_user_id, three_months.recorded_at = staff["lead"].id, utcnow()
    three_months.version += 1
    await timers.cancel(session, kind=follow_up_service.TIMER_KIND, subject_id=three_months.id)


async def _ali_panel(session: AsyncSession, ali: Family, staff: dict) -> None:
    """The gateway panel on the day the case opened: accepted for intensive family support and a family group
    conference, to be reviewed six weeks on."""
    opened, manager = ali.opened_at.date(), staff["manager"]
    sitting = PanelSitting(
        name="Northbridge gateway panel",
        kind=PanelKind.gateway,
        sits_on=opened,
        chair_user_id=manager.id,
        members="Morgan Reid (early help, chair); Ruth Evans (children's social care); Dan Okafor (Riverside"
        " Academy); Jo Lee (Northbridge Homes)",
        agency_ids=[staff[key].agency_id for key in ("manager", "social_care", "school", "housing")],
        created_by_user_id=manager.id,
    )
    session.add(sitting)
    await session.flush()
    decision = PanelDecision(
        sitting_id=sitting.id,
        family_id=ali.id,
        added_by_user_id=staff["lead"].id,
        outcome=PanelOutcome.accept_for_service,
        review_on=opened + timedelta(days=42),
        decided_by_user_id=manager.id,
        decided_at=ali.opened_at,
        rationale="Omar is at risk of leaving home: the bullying, his absence from school and the overcrowding"
        " feed each other. No single agency can meet these needs; the family wants help and Nadia's sister can"
        " support them, so intensive family support with a family group conference, rather than a statutory"
        " assessment. Review in six weeks; step up if Omar goes missing.",
        owning_agency_id=manager.agency_id,
        category="social_care",
    )
    session.add(decision)
    await session.flush()
    codes = {"intensive_family_support": 12, "family_group_conference": 1}
    services = (await session.exec(select(Service).where(col(Service.code).in_(codes)))).all()
    session.add_all(PanelAllocation(decision_id=decision.id, service_id=s.id, quantity=codes[s.code]) for s in services)


async def _ali_conference(session: AsyncSession, ali: Family, staff: dict) -> None:
    """Omar names his grandmother for the family network; she comes to the family group conference, where the
    family makes its own plan (a goal agreed with the family, the whole team's)."""
    lead = staff["lead"]
    members = {
        m.full_name: m for m in (await session.exec(select(FamilyMember).where(FamilyMember.family_id == ali.id)))
    }
    omar, nadia = members["Omar Ali"], members["Nadia Ali"]
    grandmother = NetworkMember(
        family_id=ali.id,
        full_name="Samira Ali",
        relationship="grandmother (father's side)",
        named_by_member_id=omar.id,
        phone="07700 900481",
        address="12 Canal Street, Northbridge",
        recorded_by_user_id=lead.id,
    )
    session.add(grandmother)
    await session.flush()
    closed = ali.closed_at or utcnow()
    held_at = min(ali.opened_at + timedelta(days=21), ali.opened_at + (closed - ali.opened_at) / 2)
    conference = Meeting(
        family_id=ali.id,
        kind=MeetingKind.family_group_conference,
        status=MeetingStatus.held,
        scheduled_at=held_at,
        location="Northbridge Community Centre, room 1",
        chair_user_id=lead.id,
        agenda="Information from the professionals; the family's private time; the family's plan",
    )
    session.add(conference)
    await session.flush()
    session.add_all(
        [
            MeetingInvitee(meeting_id=conference.id, user_id=lead.id, attendance=Attendance.present),
            MeetingInvitee(meeting_id=conference.id, family_member_id=nadia.id, attendance=Attendance.present),
            MeetingInvitee(meeting_id=conference.id, family_member_id=omar.id, attendance=Attendance.present),
            MeetingInvitee(meeting_id=conference.id, network_member_id=grandmother.id, attendance=Attendance.present),
            MeetingDecision(
                meeting_id=conference.id,
                text="The family's plan: Omar stays with his grandmother on Friday and Saturday nights for now.",
                recorded_by_user_id=lead.id,
                owning_agency_id=lead.agency_id,
                agreed_with_family=True,
            ),
            PlanGoal(
                family_id=ali.id,
                in_family_words="Omar has somewhere calm to go at weekends: Nan's, on Fridays and Saturdays",
                agreed_with_family=True,
                agreed_on=held_at.date(),
                outcome_domain=OutcomeDomain.family_peer_relationships,
                status=GoalStatus.achieved,
                conference_id=conference.id,
                created_by_user_id=lead.id,
                owning_agency_id=lead.agency_id,
            ),
        ]
    )
    await session.flush()


# (days before closure, staff key, kind, minutes, note, category): the intensive weeks, then tapering off
EDU, HOUSING, OTHER = InformationCategory.education, InformationCategory.housing, InformationCategory.other
ALI_CONTACTS = (
    (70, "lead", ContactKind.home_visit, 90, "Omar and Nadia; agreed what school would change", EDU),
    (66, "school", ContactKind.school, 30, "Omar in for the morning; met his mentor", EDU),
    (63, "lead", ContactKind.home_visit, 60, "Omar calmer after a weekend at Nan's", OTHER),
    (56, "housing", ContactKind.phone, 20, "Transfer application: the medical form is in", HOUSING),
    (49, "lead", ContactKind.home_visit, 60, "The bullying has stopped", EDU),
    (35, "school", ContactKind.office, 30, "Attendance up to 92% this half term", EDU),
    (14, "lead", ContactKind.phone, 20, "Planning the closing meeting with Nadia", OTHER),
)  # fmt: skip


async def _ali_care(session: AsyncSession, ali: Family, staff: dict) -> None:
    """The Ali family's plan has a contingency, and its contact log shows intensive support tapering off."""
    await care.add_contingencies(
        session,
        ali,
        staff["lead"],
        (
            (
                "If Omar goes missing or says he will leave home",
                "Nadia calls the lead professional (or the police out of hours); Omar can stay at his Nan's",
                "Nadia, then the lead professional; Samira Ali (Nan) as the safe place",
            ),
        ),
    )
    closed = ali.closed_at or utcnow()
    open_days = (closed - ali.opened_at).days
    care.add_contacts(session, ali, staff, tuple(row for row in ALI_CONTACTS if row[0] < open_days), closed)


async def _osei_and_williams(session: AsyncSession, osei: Family, williams: Family, staff: dict) -> None:
    closure = (
        await session.exec(
            select(FamilyTransition).where(
                FamilyTransition.family_id == osei.id, FamilyTransition.kind == TransitionKind.closure
            )
        )
    ).one()
    closure.care_outcome = CareOutcome.remained_at_home
    await follow_up_service.schedule_for(session, closure)
    received = osei.opened_at.date() - timedelta(days=5)
    session.add(
        Referral(
            family_id=osei.id,
            received_on=received,
            referrer_name="Mr Daniel Okafor",
            referrer_organisation="Riverside Academy",
            referrer_role="Designated safeguarding lead",
            referrer_contact="01632 960410",
            consent=ReferralConsent.given,
            consent_given_by="Abena Osei (mother)",
            reason="Kwame's attendance has fallen to 71% and he is often late and hungry.",
            presenting_needs="School attendance; rent arrears and a notice seeking possession; low mood (mother).",
            owning_agency_id=staff["lead"].agency_id,
            category="education",
            recorded_by_user_id=staff["lead"].id,
            decided_level=LevelOfNeed.targeted,
            decided_on=received + timedelta(days=2),
            decided_by_user_id=staff["manager"].id,
            decision_reason="Needs across school, housing and the home that no single agency can meet: early help"
            " with a Team Around the Family.",
            outcome=ReferralOutcome.accepted,
            first_contact_on=received + timedelta(days=3),
        )
    )
    session.add(
        Referral(
            family_id=williams.id,
            received_on=williams.opened_at.date(),
            referrer_name="Grace Williams",
            referrer_organisation="Self-referral",
            referrer_role="Grandmother and carer",
            consent=ReferralConsent.given,
            consent_given_by="Grace Williams (grandmother)",
            reason="Kai has been excluded twice this term and Grace is struggling to cope.",
            presenting_needs="Behaviour at school; a kinship carer's own health.",
            owning_agency_id=staff["lead"].agency_id,
            category="education",
            recorded_by_user_id=staff["lead"].id,
        )
    )
