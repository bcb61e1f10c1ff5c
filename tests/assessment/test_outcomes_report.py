"""The caseload outcomes report against a fixture whose expected figures were worked out by hand.

Families of the caller's caseload, entry -> exit level of need, exit in the first half of 2026, and ratings
(family_violence for the family; school_attendance for its child):
  F1 specialist -> targeted (down)   high -> no_longer_a_risk        high -> low
  F2 targeted   -> universal (down)  medium -> low                   medium -> no_longer_a_risk
  F3 targeted   -> targeted (same)   not_a_concern -> not_a_concern  low -> not_a_concern
  F4 specialist -> statutory (up)    low -> high
  F5 statutory  -> specialist (down) high on entry only (not rated on exit: not counted)
and three that must not count: H (another lead's family, not visible), O (exit in August), N (no entry).
Resilience indicators entry -> exit: F1 1->3, F2 0->2, F3 2->2, F4 1->0, F5 3->4.
"""

from __future__ import annotations

from sqlmodel import select

from server.family.models import FamilyMember, LevelOfNeed
from server.user.models import SystemRole
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_family, create_user
from tests.graphql_client import code

RESILIENCE = ["warm_parent_child_relationship", "supportive_wider_family", "trusted_adult", "hobbies_interests"]
RANGE = {"exitedFrom": "2026-01-01", "exitedTo": "2026-06-30"}


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


def fv(rating: str) -> dict:
    return {"factor": "family_violence", "rating": rating}


def school(member: str, rating: str) -> dict:
    return {"factor": "school_attendance", "rating": rating, "memberId": member}


async def build_fixture(gql, sessions):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    other_lead = await create_user(sessions, agency=await create_agency(sessions))
    token, other = await sign_in(gql, lead), await sign_in(gql, other_lead)
    families = {name: await create_family(sessions, lead=lead) for name in ("F1", "F2", "F3", "F4", "F5", "O", "N")}
    families["H"] = await create_family(sessions, lead=other_lead)
    kids = {name: await child_of(sessions, family) for name, family in families.items()}
    plan = [
        # name, entry level, exit level, exit date, resilience entry/exit, entry ratings, exit ratings
        ("F1", "specialist", "targeted", "2026-03-01", (1, 3),
         [fv("high"), school(kids["F1"], "high")], [fv("no_longer_a_risk"), school(kids["F1"], "low")]),
        ("F2", "targeted", "universal", "2026-01-01", (0, 2),
         [fv("medium"), school(kids["F2"], "medium")], [fv("low"), school(kids["F2"], "no_longer_a_risk")]),
        ("F3", "targeted", "targeted", "2026-06-30", (2, 2),
         [fv("not_a_concern"), school(kids["F3"], "low")], [fv("not_a_concern"), school(kids["F3"], "not_a_concern")]),
        ("F4", "specialist", "statutory", "2026-04-15", (1, 0), [fv("low")], [fv("high")]),
        ("F5", "statutory", "specialist", "2026-05-20", (3, 4), [fv("high")], []),
        ("O", "targeted", "universal", "2026-08-01", (0, 4), [fv("high")], [fv("not_a_concern")]),
    ]  # fmt: skip
    for name, entry, exit_, exit_on, (r_in, r_out), entry_ratings, exit_ratings in plan:
        await assess(gql, token, families[name], "entry", "2025-09-01", entry, r_in, entry_ratings)
        await assess(gql, token, families[name], "review", "2025-12-01", entry, r_in, [])
        await assess(gql, token, families[name], "exit", exit_on, exit_, r_out, exit_ratings)
    await assess(gql, token, families["N"], "exit", "2026-02-01", "universal", 4, [fv("low")])
    await assess(gql, other, families["H"], "entry", "2025-09-01", "universal", 0, [fv("high")])
    await assess(gql, other, families["H"], "exit", "2026-02-01", "statutory", 0, [fv("high")])
    return lead, token, agency


def distribution(entries) -> dict:
    return {entry["rating"]: entry["count"] for entry in entries}


async def test_the_report_matches_the_hand_computed_figures(gql, sessions):
    # given the fixture
    _, token, _ = await build_fixture(gql, sessions)
    # when the lead asks for the first half of 2026
    report = (await gql.data("CaseloadOutcomes", RANGE, token=token))["caseloadOutcomes"]
    # then: five families, N excluded for want of an entry assessment, H and O not counted
    assert (report["families"], report["familiesWithoutEntry"]) == (5, 1)
    # (a) level of need, entry rows x exit columns (universal, targeted, specialist, statutory)
    rows = {row["entryLevel"]: row for row in report["levelOfNeed"]}
    assert [rows[level.value]["counts"] for level in LevelOfNeed] == [
        [0, 0, 0, 0],
        [1, 1, 0, 0],
        [0, 1, 0, 1],
        [0, 0, 1, 0],
    ]
    assert [rows[level.value]["total"] for level in LevelOfNeed] == [0, 2, 2, 1]
    assert [rows[level.value]["totalPercent"] for level in LevelOfNeed] == [0.0, 40.0, 40.0, 20.0]
    assert rows["targeted"]["percents"] == [20.0, 20.0, 0.0, 0.0]
    assert report["columnTotals"] == [1, 2, 1, 1]
    assert report["columnPercents"] == [20.0, 40.0, 20.0, 20.0]
    assert (report["needDown"], report["needSame"], report["needUp"]) == (3, 1, 1)
    assert (report["needDownPercent"], report["needSamePercent"], report["needUpPercent"]) == (60.0, 20.0, 20.0)
    # (b) risk factors
    factors = {factor["factor"]: factor for factor in report["riskFactors"]}
    assert set(factors) == {"family_violence", "school_attendance"}
    violence = factors["family_violence"]
    assert (violence["scope"], violence["assessed"], violence["withRiskOnEntry"], violence["withRiskOnExit"]) == (
        "family",
        4,
        3,
        2,
    )
    assert (violence["percentOnEntry"], violence["percentOnExit"], violence["percentReduction"]) == (75.0, 50.0, 33.3)
    assert distribution(violence["entryDistribution"]) == {
        "not_a_concern": 1,
        "low": 1,
        "medium": 1,
        "high": 1,
        "no_longer_a_risk": 0,
    }
    assert distribution(violence["exitDistribution"]) == {
        "not_a_concern": 1,
        "low": 1,
        "medium": 0,
        "high": 1,
        "no_longer_a_risk": 1,
    }
    attendance = factors["school_attendance"]
    assert (attendance["scope"], attendance["assessed"], attendance["withRiskOnEntry"]) == ("child", 3, 3)
    assert (attendance["percentOnEntry"], attendance["percentOnExit"], attendance["percentReduction"]) == (
        100.0,
        33.3,
        66.7,
    )
    assert distribution(attendance["exitDistribution"]) == {
        "not_a_concern": 1,
        "low": 1,
        "medium": 0,
        "high": 0,
        "no_longer_a_risk": 1,
    }
    # (c) resilience: (1+0+2+1+3)/5 on entry, (3+2+2+0+4)/5 on exit
    assert (report["meanResilienceOnEntry"], report["meanResilienceOnExit"]) == (1.4, 2.2)


async def test_a_manager_sees_the_same_caseload_and_others_see_nothing(gql, sessions):
    _, _, agency = await build_fixture(gql, sessions)
    manager = await create_user(sessions, agency=agency, role=SystemRole.manager)
    by_manager = (await gql.data("CaseloadOutcomes", RANGE, token=await sign_in(gql, manager)))["caseloadOutcomes"]
    assert (by_manager["families"], by_manager["needDown"], by_manager["meanResilienceOnExit"]) == (5, 3, 2.2)
    stranger = await create_user(sessions, agency=await create_agency(sessions))
    empty = (await gql.data("CaseloadOutcomes", RANGE, token=await sign_in(gql, stranger)))["caseloadOutcomes"]
    assert (empty["families"], empty["riskFactors"], empty["meanResilienceOnEntry"]) == (0, [], None)
    assert empty["needDownPercent"] is None


async def test_a_backwards_range_is_bad_user_input(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    error = await gql.error(
        "CaseloadOutcomes", {"exitedFrom": "2026-02-01", "exitedTo": "2026-01-01"}, token=await sign_in(gql, user)
    )
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "exitedTo")
