"""The outcomes report against figures worked out by hand, including halves that the published tables round up.

The lead professional's eight families, entry (2025-09-01) -> exit (first half of 2026):
  F1 specialist -> targeted   (down)   family_violence high -> no_longer_a_risk   school (child) high -> low
  F2 targeted   -> universal  (down)   family_violence medium -> low              school (child) medium -> no_longer
  F3 statutory  -> specialist (down)   family_violence low -> not_a_concern       school (child) low on entry only
  F4 specialist -> universal  (down)   family_violence none -> none               relationships none -> medium
  F5 targeted   -> universal  (down)   family_violence none -> none               relationships low -> high
  F6 targeted   -> targeted   (same)   family_violence none -> none               relationships none -> low
  F7 specialist -> specialist (same)   family_violence none -> none               relationships low -> low
  F8 targeted   -> specialist (up)     no ratings
Level of need: 5 down (62.5% -> 63), 2 same (25%), 1 up (12.5% -> 13).
Family violence: 7 assessed, 3 with the risk on entry (43% of assessed, 37.5% -> 38% of the cohort), 1 on exit
(14% of assessed, 12.5% -> 13% of the cohort); reduction 2/3 -> 67%.
School attendance: 2 children assessed on entry and exit, both at risk on entry (100%), 1 on exit (50%); of the
cohort 25% -> 12.5% -> 13%; reduction 50%.
Relationships: 4 assessed, 2 at risk on entry, 4 on exit: 25% -> 50% of the cohort, reduction -100% (a rise).
Resilience entry 1,0,2,1,3,0,0,1 (mean 1.0), exit 3,2,2,0,4,1,1,2 (mean 15/8 = 1.88).
Services received: F1 ten weeks of intensive family support (£3,500), F2 eight parenting sessions (£720), F3 a
week of intensive family support after its exit (not counted), and health's substance misuse programme for F1
(6 x £120), which the lead may not read: £4,220 over 8 families = £527.50 a family.
Not counted: H (another lead's family), O (exit in August), N (no entry assessment: familiesWithoutEntry)."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from sqlmodel import select

from server.clock import utcnow
from server.db.engine import unit_of_work
from server.family.models import Family, FamilyMember, FamilyStatus
from server.outcomes_report.report import half_up, whole_percent
from server.user.models import SystemRole
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_family, create_user
from tests.graphql_client import code

RESILIENCE = ["warm_parent_child_relationship", "supportive_wider_family", "trusted_adult", "hobbies_interests"]
PERIOD = {"exitedFrom": "2026-01-01", "exitedTo": "2026-06-30"}


@pytest.mark.parametrize(
    ("count", "of", "expected"),
    [(1, 8, 13), (3, 8, 38), (5, 8, 63), (1, 200, 1), (-1, 8, -13), (-3, 8, -38), (0, 5, 0), (2, 3, 67), (1, 3, 33),
     (125, 216, 58), (95, 216, 44), (27, 216, 13), (1, 0, None)],
)  # fmt: skip
def test_whole_percents_round_half_up_as_published_tables_do(count, of, expected):
    assert whole_percent(count, of) == expected


def test_half_up_is_exact_on_halves():
    assert [half_up(Fraction(n, 2)) for n in (1, 3, 5, -1, -5)] == [1, 2, 3, -1, -3]
    assert half_up(Fraction(422_000, 8)) == 52_750


async def child_of(sessions, family) -> str:
    async with sessions() as session:
        return str((await session.exec(select(FamilyMember.id).where(FamilyMember.family_id == family.id))).one())


async def assess(gql, token, family, stage, on, level, resilience, ratings) -> None:
    variables = {
        "input": {
            "familyId": str(family.id),
            "stage": stage,
            "assessedOn": on,
            "levelOfNeed": level,
            "resilienceIndicators": RESILIENCE[:resilience],
            "ratings": ratings,
        }
    }
    await gql.data("AssessmentRecord", variables, token=token)


def rated(factor: str, rating: str, member: str | None = None) -> dict:
    return {"factor": factor, "rating": rating, **({"memberId": member} if member else {})}


async def receive(gql, token, family, service_id, provider, started_on, quantity) -> None:
    variables = {
        "input": {
            "familyId": str(family.id),
            "serviceId": service_id,
            "providerAgencyId": str(provider.id),
            "startedOn": started_on,
            "quantity": quantity,
        }
    }
    await gql.data("ServiceReceivedRecord", variables, token=token)


async def build(gql, sessions) -> dict:
    early_help, health = await create_agency(sessions), await create_agency(sessions)
    lead, nurse = await create_user(sessions, agency=early_help), await create_user(sessions, agency=health)
    other_lead = await create_user(sessions, agency=await create_agency(sessions))
    token, other = await sign_in(gql, lead), await sign_in(gql, other_lead)
    names = ("F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "O", "N")
    families = {name: await create_family(sessions, lead=lead, contributors=(nurse,) if name == "F1" else ())
                for name in names}  # fmt: skip
    families["H"] = await create_family(sessions, lead=other_lead)
    kid = {name: await child_of(sessions, families[name]) for name in ("F1", "F2", "F3")}
    fv, school, rel = "family_violence", "school_attendance", "family_relationships"
    plan = [
        ("F1", "specialist", "targeted", "2026-03-01", (1, 3),
         [rated(fv, "high"), rated(school, "high", kid["F1"])],
         [rated(fv, "no_longer_a_risk"), rated(school, "low", kid["F1"])]),
        ("F2", "targeted", "universal", "2026-01-01", (0, 2),
         [rated(fv, "medium"), rated(school, "medium", kid["F2"])],
         [rated(fv, "low"), rated(school, "no_longer_a_risk", kid["F2"])]),
        ("F3", "statutory", "specialist", "2026-03-01", (2, 2),
         [rated(fv, "low"), rated(school, "low", kid["F3"])], [rated(fv, "not_a_concern")]),
        ("F4", "specialist", "universal", "2026-04-15", (1, 0),
         [rated(fv, "not_a_concern"), rated(rel, "not_a_concern")], [rated(fv, "not_a_concern"), rated(rel, "medium")]),
        ("F5", "targeted", "universal", "2026-05-20", (3, 4),
         [rated(fv, "not_a_concern"), rated(rel, "low")], [rated(fv, "not_a_concern"), rated(rel, "high")]),
        ("F6", "targeted", "targeted", "2026-06-30", (0, 1),
         [rated(fv, "not_a_concern"), rated(rel, "not_a_concern")], [rated(fv, "not_a_concern"), rated(rel, "low")]),
        ("F7", "specialist", "specialist", "2026-02-02", (0, 1),
         [rated(fv, "not_a_concern"), rated(rel, "low")], [rated(fv, "not_a_concern"), rated(rel, "low")]),
        ("F8", "targeted", "specialist", "2026-02-03", (1, 2), [], []),
        ("O", "targeted", "universal", "2026-08-01", (0, 4), [rated(fv, "high")], [rated(fv, "not_a_concern")]),
    ]  # fmt: skip
    for name, entry, exit_, exit_on, (r_in, r_out), entry_ratings, exit_ratings in plan:
        await assess(gql, token, families[name], "entry", "2025-09-01", entry, r_in, entry_ratings)
        await assess(gql, token, families[name], "exit", exit_on, exit_, r_out, exit_ratings)
    await assess(gql, token, families["N"], "exit", "2026-02-01", "universal", 4, [rated(fv, "low")])
    await assess(gql, other, families["H"], "entry", "2025-09-01", "universal", 0, [rated(fv, "high")])
    await assess(gql, other, families["H"], "exit", "2026-02-01", "statutory", 0, [rated(fv, "high")])
    services = {s["code"]: s["id"] for s in (await gql.data("Services", token=token))["services"]}
    await receive(gql, token, families["F1"], services["intensive_family_support"], early_help, "2025-10-01", 10)
    await receive(gql, token, families["F2"], services["parenting_programme"], early_help, "2025-10-15", 8)
    await receive(gql, token, families["F3"], services["intensive_family_support"], early_help, "2026-09-01", 1)
    nurse_token = await sign_in(gql, nurse)
    await receive(gql, nurse_token, families["F1"], services["substance_misuse_programme"], health, "2025-11-01", 6)
    return {"lead": token, "nurse": nurse_token, "early_help": early_help, "health": health, "families": families}


async def report(gql, token, **filters) -> dict:
    return (await gql.data("OutcomesReport", {"filter": {**PERIOD, **filters}}, token=token))["outcomesReport"]


def by_factor(found: dict) -> dict:
    return {factor["factor"]: factor for factor in found["riskFactors"]}


def shares(factor: dict) -> tuple:
    return (
        factor["assessed"],
        factor["withRiskOnEntry"],
        factor["withRiskOnExit"],
        factor["percentOfAssessedOnEntry"],
        factor["percentOfAssessedOnExit"],
        factor["familiesWithRiskOnEntry"],
        factor["familiesWithRiskOnExit"],
        factor["percentOfCohortOnEntry"],
        factor["percentOfCohortOnExit"],
        factor["percentReduction"],
    )


async def test_the_caseload_report_matches_the_hand_computed_figures(gql, sessions):
    world = await build(gql, sessions)
    found = await report(gql, world["lead"])
    assert (found["families"], found["familiesWithoutEntry"]) == (8, 1)
    rows = {row["entryLevel"]: row for row in found["levelOfNeed"]}
    assert [rows[level]["counts"] for level in ("universal", "targeted", "specialist", "statutory")] == [
        [0, 0, 0, 0],
        [2, 1, 1, 0],
        [1, 1, 1, 0],
        [0, 0, 1, 0],
    ]
    assert [rows[level]["totalPercent"] for level in ("universal", "targeted", "specialist", "statutory")] == [
        0,
        50,
        38,
        13,
    ]
    assert rows["targeted"]["percents"] == [25, 13, 13, 0]
    assert (found["columnTotals"], found["columnPercents"]) == ([3, 2, 3, 0], [38, 25, 38, 0])
    assert (found["needDown"], found["needSame"], found["needUp"]) == (5, 2, 1)
    assert (found["needDownPercent"], found["needSamePercent"], found["needUpPercent"]) == (63, 25, 13)
    factors = by_factor(found)
    assert list(factors) == ["family_relationships", "family_violence", "school_attendance"]  # the area's order
    assert shares(factors["family_violence"]) == (7, 3, 1, 43, 14, 3, 1, 38, 13, 67)
    assert shares(factors["school_attendance"]) == (2, 2, 1, 100, 50, 2, 1, 25, 13, 50)
    assert shares(factors["family_relationships"]) == (4, 2, 4, 50, 100, 2, 4, 25, 50, -100)
    exit_ratings = {entry["rating"]: entry["count"] for entry in factors["family_violence"]["exitDistribution"]}
    assert exit_ratings == {"not_a_concern": 5, "low": 1, "medium": 0, "high": 0, "no_longer_a_risk": 1}
    assert (found["familiesWithResilience"], found["meanResilienceOnEntry"], found["meanResilienceOnExit"]) == (
        8,
        1.0,
        1.88,
    )
    # health's substance misuse programme is not the lead's to read; F3's service came after its exit
    assert (found["familiesWithServices"], found["totalCost"], found["costPerFamily"]) == (2, "4220.00", "527.50")


async def test_the_area_version_counts_what_each_manager_may_see(gql, sessions):
    world = await build(gql, sessions)
    # a manager of early help sees the families their agency works with: the lead's eight
    manager = await create_user(sessions, agency=world["early_help"], role=SystemRole.manager)
    area = await report(gql, await sign_in(gql, manager))
    assert (area["families"], area["needDownPercent"], area["totalCost"]) == (8, 63, "4220.00")
    assert shares(by_factor(area)["family_violence"]) == (7, 3, 1, 43, 14, 3, 1, 38, 13, 67)
    # a manager of health: only F1, none of early help's ratings or narratives, and health's own service
    health_manager = await create_user(sessions, agency=world["health"], role=SystemRole.manager)
    health = await report(gql, await sign_in(gql, health_manager))
    assert (health["families"], health["riskFactors"], health["familiesWithResilience"]) == (1, [], 0)
    assert (health["meanResilienceOnEntry"], health["totalCost"], health["costPerFamily"]) == (None, "720.00", "720.00")
    # the health worker's caseload version is the same family
    assert (await report(gql, world["nurse"]))["families"] == 1
    # someone who works with none of these families sees an empty report
    stranger = await create_user(sessions, agency=await create_agency(sessions), role=SystemRole.manager)
    empty = await report(gql, await sign_in(gql, stranger))
    assert (empty["families"], empty["riskFactors"], empty["needDownPercent"], empty["costPerFamily"]) == (
        0,
        [],
        None,
        None,
    )


async def test_the_team_and_cohort_filters_narrow_the_families(gql, sessions):
    world = await build(gql, sessions)
    # only families with health on the team: F1, whose health service the lead still may not read
    with_health = await report(gql, world["lead"], teamAgencyId=str(world["health"].id))
    assert (with_health["families"], with_health["totalCost"], with_health["teamAgencyId"]) == (
        1,
        "3500.00",
        str(world["health"].id),
    )
    # the cohort of families at specialist level on entry: F1, F4, F7
    specialist = await report(gql, world["lead"], cohort={"entryLevels": ["specialist"]})
    assert (specialist["families"], specialist["needDown"], specialist["needDownPercent"]) == (3, 2, 67)
    assert specialist["cohortEntryLevels"] == ["specialist"]
    assert shares(by_factor(specialist)["family_violence"]) == (3, 1, 0, 33, 0, 1, 0, 33, 0, 100)


async def test_a_bad_period_or_team_is_bad_user_input(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    token = await sign_in(gql, user)
    backwards = {"filter": {"exitedFrom": "2026-02-01", "exitedTo": "2026-01-01"}}
    error = await gql.error("OutcomesReport", backwards, token=token)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "exitedTo")
    bad_team = {"filter": {**PERIOD, "teamAgencyId": "not-an-id"}}
    error = await gql.error("OutcomesReport", bad_team, token=token)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "teamAgencyId")


async def test_a_family_closed_beyond_the_read_period_counts_without_its_content(gql, sessions):
    """The policy stops the team reading a closed family's case content 90 days after closure; the report
    follows it: the family still counts (its level of need is not content), its ratings, narratives and
    services received no longer do. A question for the area's information governance, not for this report."""
    world = await build(gql, sessions)
    f1 = await report(gql, world["lead"])
    assert shares(by_factor(f1)["family_violence"])[0] == 7
    async with unit_of_work(sessions) as session:
        await session.exec(
            Family.__table__.update()
            .where(Family.id == world["families"]["F1"].id)
            .values(status=FamilyStatus.closed.value, closed_at=utcnow() - timedelta(days=100))
        )
    after = await report(gql, world["lead"])
    assert (after["families"], after["familiesWithResilience"], after["totalCost"]) == (8, 7, "720.00")
    assert shares(by_factor(after)["family_violence"])[:3] == (6, 2, 1)
