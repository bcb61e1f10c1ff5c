"""The outcomes report's journey figures (remained at home, re-referral within 12 months, contacts, cost per
family that remained at home) and its legal status cohort, against figures worked out by hand on the eight
families of test_area_report (entry 2025-09-01 for all; exits F1 2026-03-01, F2 2026-01-01, F3 2026-03-01,
F4 2026-04-15, F5 2026-05-20, F6 2026-06-30, F7 2026-02-02, F8 2026-02-03).

Closures on or after entry: F1 2026-03-10 remained at home, F2 2026-01-05 remained at home, F3 2026-03-02
entered care, F4 2026-04-20 remained at home; F5's closure (2025-06-01) ended an earlier case, before its
entry: not counted. 4 closed, 3 remained at home (75%).
Re-referrals: F2 referred again 2026-12-01 (within 12 months of 2026-01-05); F3's closure followed by a
referral of F6 (a family sharing a member) on 2026-06-01; F1's closure followed by a referral of H (another
lead's family, which the lead may not see): not counted; F5's earlier closure followed by a referral
2025-08-01: not its counted closure. 2 of 4 (50%).
Contacts from entry to exit (the families were opened after their entry assessment): F1 3 (one by the
health nurse: the fact of a contact is the team's) plus one after its exit (not counted), F2 2, F3 1, F4 1,
F5 1, F7 1: 9 over 8 families = 1.125, which rounds half away from zero to 1.13 (Python's round gives 1.12).
Days of involvement, both ends counted: 182 + 123 + 182 + 227 + 262 + 303 + 155 + 156 = 1,590, so 9 x 7 /
1,590 = 0.0396 -> 0.04 contacts a week.
Cost: £4,220 over the 3 that remained at home = £1,406.666... -> £1,406.67.
Legal status: F1 child protection plan from 2025-08-01 (in force on entry) and edge of care; F2 none from
2025-08-01, child in need from 2025-12-01 (taken on before exit); F3 child in need from 2025-01-01, none from
2025-08-15 (ended before entry); F4 looked after from 2026-05-01 (after its exit); F5 child in need and edge
of care from 2025-10-01."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from server.access.categories import InformationCategory
from server.contact.models import Contact, ContactKind
from server.db.engine import unit_of_work
from server.legal_status.models import LegalStatus, LegalStatusChange
from server.referral.models import Referral, ReferralConsent
from server.team.models import TeamMembership
from server.transition.models import CareOutcome, ClosureOutcome, FamilyTransition, TransitionKind
from server.user.models import SystemRole
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_user
from tests.my_work.test_my_work import is_request_read
from tests.outcomes_report.test_area_report import build, report


def day(text: str) -> date:
    return date.fromisoformat(text)


async def team_member(sessions, family_id: uuid.UUID, role: str = "lead_professional") -> tuple[uuid.UUID, uuid.UUID]:
    async with sessions() as session:
        row = (
            await session.exec(
                TeamMembership.__table__.select().where(
                    TeamMembership.__table__.c.family_id == family_id, TeamMembership.__table__.c.role == role
                )
            )
        ).first()
        return row.user_id, row.agency_id


async def add_journey(sessions, world: dict) -> None:
    f = {name: family.id for name, family in world["families"].items()}
    lead, early_help = await team_member(sessions, f["F1"])
    nurse, health = await team_member(sessions, f["F1"], "contributor")
    other_lead, other_agency = await team_member(sessions, f["H"])
    closures = {}
    async with unit_of_work(sessions) as session:
        for name, on, care in [
            ("F1", "2026-03-10", CareOutcome.remained_at_home),
            ("F2", "2026-01-05", CareOutcome.remained_at_home),
            ("F3", "2026-03-02", CareOutcome.entered_care),
            ("F4", "2026-04-20", CareOutcome.remained_at_home),
            ("F5", "2025-06-01", CareOutcome.remained_at_home),
        ]:
            row = FamilyTransition(
                family_id=f[name],
                kind=TransitionKind.closure,
                effective_on=day(on),
                reason="Goals met",
                outcome=ClosureOutcome.goals_achieved,
                care_outcome=care,
                recorded_by_user_id=lead,
            )
            session.add(row)
            await session.flush()
            closures[name] = row.id
        for referred, follows, received, by, agency in [
            ("F2", "F2", "2026-12-01", lead, early_help),
            ("F6", "F3", "2026-06-01", lead, early_help),
            ("H", "F1", "2026-05-01", other_lead, other_agency),
            ("F5", "F5", "2025-08-01", lead, early_help),
        ]:
            session.add(
                Referral(
                    family_id=f[referred],
                    received_on=day(received),
                    referrer_name="A school nurse",
                    referrer_organisation="School",
                    consent=ReferralConsent.given,
                    consent_given_by="Mother",
                    reason="Worries at home",
                    presenting_needs="Attendance",
                    owning_agency_id=agency,
                    category=InformationCategory.other,
                    recorded_by_user_id=by,
                    earlier_family_id=f[follows],
                    earlier_closure_id=closures[follows],
                )
            )
        contacts = [("F1", "2025-10-01", lead, early_help), ("F1", "2026-01-10", lead, early_help)]
        # the nurse's counts too (a contact is the team's); the last is after F1's exit
        contacts += [("F1", "2025-11-20", nurse, health), ("F1", "2026-03-05", lead, early_help)]
        contacts += [("F2", "2025-09-01", lead, early_help), ("F2", "2026-01-01", lead, early_help)]
        contacts += [(name, "2025-12-01", lead, early_help) for name in ("F3", "F4", "F5", "F7")]
        for name, on, worker, agency in contacts:
            session.add(
                Contact(
                    family_id=f[name],
                    worker_user_id=worker,
                    owning_agency_id=agency,
                    contacted_at=datetime.combine(day(on), datetime.min.time(), UTC).replace(hour=10),
                    kind=ContactKind.home_visit,
                    duration_minutes=60,
                )
            )
        for name, status, edge, since in [
            ("F1", LegalStatus.child_protection_plan, True, "2025-08-01"),
            ("F2", LegalStatus.none, False, "2025-08-01"),
            ("F2", LegalStatus.child_in_need, False, "2025-12-01"),
            ("F3", LegalStatus.child_in_need, False, "2025-01-01"),
            ("F3", LegalStatus.none, False, "2025-08-15"),
            ("F4", LegalStatus.looked_after, False, "2026-05-01"),
            ("F5", LegalStatus.child_in_need, True, "2025-10-01"),
        ]:
            session.add(
                LegalStatusChange(
                    family_id=f[name],
                    legal_status=status,
                    edge_of_care=edge,
                    effective_from=day(since),
                    recorded_by_user_id=lead,
                )
            )


def journey(found: dict) -> tuple:
    return (
        found["familiesClosed"],
        found["remainedAtHome"],
        found["remainedAtHomePercent"],
        found["reReferredWithin12Months"],
        found["reReferredPercent"],
        found["costPerFamilyRemainingAtHome"],
        found["familiesWithContactLog"],
        found["contacts"],
        found["meanContactsPerFamily"],
        found["contactsPerWeek"],
    )


async def test_the_journey_figures_match_the_hand_computed_ones(gql, sessions):
    world = await build(gql, sessions)
    await add_journey(sessions, world)
    found = await report(gql, world["lead"])
    assert journey(found) == (4, 3, 75, 2, 50, "1406.67", 8, 9, 1.13, 0.04)
    # the early help manager sees what the lead sees
    manager = await create_user(sessions, agency=world["early_help"], role=SystemRole.manager)
    assert journey(await report(gql, await sign_in(gql, manager))) == journey(found)
    # health's manager sees F1 only: its closure, its three contacts over 182 days (21 / 182 = 0.115 -> 0.12 a
    # week), health's own £720 service; not H's referral, which follows F1's closure from a family they may not see
    health_manager = await create_user(sessions, agency=world["health"], role=SystemRole.manager)
    health = await report(gql, await sign_in(gql, health_manager))
    assert journey(health) == (1, 1, 100, 0, 0, "720.00", 1, 3, 3.0, 0.12)
    # someone who sees none of the families: nothing to divide by
    stranger = await create_user(sessions, agency=await create_agency(sessions), role=SystemRole.manager)
    empty = await report(gql, await sign_in(gql, stranger))
    assert journey(empty) == (0, 0, None, 0, None, None, 0, 0, None, None)


async def test_the_legal_status_cohort_counts_a_status_held_from_entry_to_exit(gql, sessions):
    world = await build(gql, sessions)
    await add_journey(sessions, world)
    in_need = await report(gql, world["lead"], cohort={"legalStatuses": ["child_in_need"]})
    # F2 (from 2025-12-01) and F5; not F3, whose status ended before its entry
    assert (in_need["families"], in_need["cohortLegalStatuses"], in_need["needDown"]) == (2, ["child_in_need"], 2)
    protection = await report(gql, world["lead"], cohort={"legalStatuses": ["child_protection_plan"]})
    assert (protection["families"], protection["totalCost"]) == (1, "3500.00")
    # F4 became looked after only after its exit
    looked_after = await report(gql, world["lead"], cohort={"legalStatuses": ["looked_after"]})
    assert looked_after["families"] == 0
    edge = await report(gql, world["lead"], cohort={"edgeOfCare": True})
    assert (edge["families"], edge["cohortEdgeOfCare"]) == (2, True)
    assert (edge["familiesClosed"], edge["remainedAtHome"]) == (1, 1)
    both = await report(
        gql, world["lead"], cohort={"legalStatuses": ["child_in_need", "child_protection_plan"], "edgeOfCare": True}
    )
    assert both["families"] == 2  # F1 and F5; F2 is in need but not at the edge of care
    # the cohort narrows with the other filters: specialist on entry (F1, F4, F7) and on a protection plan
    specialist = await report(
        gql, world["lead"], cohort={"entryLevels": ["specialist"], "legalStatuses": ["child_protection_plan"]}
    )
    assert specialist["families"] == 1
    # a legal status counts only where the caller may see it: health's manager sees F1's, an outsider nothing
    health_manager = await create_user(sessions, agency=world["health"], role=SystemRole.manager)
    health_token = await sign_in(gql, health_manager)
    assert (await report(gql, health_token, cohort={"legalStatuses": ["child_protection_plan"]}))["families"] == 1
    assert (await report(gql, health_token, cohort={"legalStatuses": ["child_in_need"]}))["families"] == 0


async def test_the_report_takes_the_same_number_of_statements_for_few_or_many_families(gql, app, sessions):
    async def statements(token: str) -> tuple[int, int]:
        with counting(app.state.taf.engine) as executed:
            found = await report(gql, token)
        return found["families"], len([statement for statement in executed if is_request_read(statement)])

    world = await build(gql, sessions)
    await add_journey(sessions, world)
    nurse_families, few = await statements(world["nurse"])
    lead_families, many = await statements(world["lead"])
    assert (nurse_families, lead_families) == (1, 8)
    assert few == many, (few, many)
