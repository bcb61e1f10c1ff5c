"""A corrected assessment in the outcomes report: the report counts the current version only; the version it
corrects stays in the assessment's history and out of the figures (no family or unit counted twice).

A lead's four families, entry 2025-09-01 -> exit 2026-03-01 (family violence; F1's subject child's school
attendance):
  F1 specialist -> specialist (same)  family_violence high -> high             school high -> medium
  F2 targeted   -> universal  (down)  family_violence medium -> low
  F3 targeted   -> targeted   (same)  family_violence none -> none
  F4 specialist -> targeted   (down)  family_violence high -> no_longer_a_risk
Before: need 2 down (50%), 2 same (50%); violence 4 assessed, 3 at risk on entry (75%), 2 on exit (50%), a
fall of 1/3 -> 33%; school 1 child assessed, at risk on entry and exit (25% of the cohort both times), 0%.
F1's exit is then corrected to targeted, violence no_longer_a_risk, school no_longer_a_risk:
need 3 down (75%), 1 same (25%); violence 3 -> 1 (75% -> 25%, a fall of 67%), its exit ratings 1 low,
1 none, 2 no longer a risk (four, one a family); school 1 -> 0 (25% -> 0%, a fall of 100%).
A second correction moves F1's exit to August, outside the period: F1 leaves the report (3 families), though
both older versions of its exit assessment were dated in the period."""

from __future__ import annotations

from server.user.models import SystemRole
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_family, create_user
from tests.outcomes_report.test_area_report import assess, by_factor, child_of, rated, report, shares

ENTRY_ON, EXIT_ON = "2025-09-01", "2026-03-01"
FV, SCHOOL = "family_violence", "school_attendance"


async def build(gql, sessions) -> dict:
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    manager = await create_user(sessions, agency=agency, role=SystemRole.manager)
    token = await sign_in(gql, lead)
    families = {name: await create_family(sessions, lead=lead) for name in ("F1", "F2", "F3", "F4")}
    kid = await child_of(sessions, families["F1"])
    plan = [
        ("F1", "specialist", "specialist", [rated(FV, "high"), rated(SCHOOL, "high", kid)],
         [rated(FV, "high"), rated(SCHOOL, "medium", kid)]),
        ("F2", "targeted", "universal", [rated(FV, "medium")], [rated(FV, "low")]),
        ("F3", "targeted", "targeted", [rated(FV, "not_a_concern")], [rated(FV, "not_a_concern")]),
        ("F4", "specialist", "targeted", [rated(FV, "high")], [rated(FV, "no_longer_a_risk")]),
    ]  # fmt: skip
    for name, entry, exit_, entry_ratings, exit_ratings in plan:
        await assess(gql, token, families[name], "entry", ENTRY_ON, entry, 1, entry_ratings)
        await assess(gql, token, families[name], "exit", EXIT_ON, exit_, 2, exit_ratings)
    return {"lead": token, "manager": await sign_in(gql, manager), "families": families, "kid": kid}


async def exit_of(gql, token, family) -> dict:
    listed = (await gql.data("FamilyAssessments", {"familyId": str(family.id)}, token=token))["familyAssessments"]
    [exit_] = [a for a in listed if a["stage"] == "exit"]
    return exit_


def corrected(exit_: dict, kid: str, **changes) -> dict:
    """The exit assessment as recorded, with F1's ratings put right, and the reason."""
    fields = {
        "assessmentId": exit_["id"],
        "stage": "exit",
        "assessedOn": EXIT_ON,
        "levelOfNeed": "targeted",
        "resilienceIndicators": [indicator["code"] for indicator in exit_["resilienceIndicators"]],
        "ratings": [rated(FV, "no_longer_a_risk"), rated(SCHOOL, "no_longer_a_risk", kid)],
        "reason": "The exit ratings were copied from the entry assessment",
    }
    return {"input": fields | changes}


def exit_ratings(factor: dict) -> dict:
    return {entry["rating"]: entry["count"] for entry in factor["exitDistribution"]}


async def test_a_corrected_exit_assessment_counts_at_its_corrected_rating_and_the_old_version_not_at_all(gql, sessions):
    world = await build(gql, sessions)
    # given the report before any correction
    before = await report(gql, world["lead"])
    assert (before["families"], before["needDown"], before["needSame"], before["needUp"]) == (4, 2, 2, 0)
    assert (before["needDownPercent"], before["needSamePercent"]) == (50, 50)
    assert shares(by_factor(before)[FV]) == (4, 3, 2, 75, 50, 3, 2, 75, 50, 33)
    assert shares(by_factor(before)[SCHOOL]) == (1, 1, 1, 100, 100, 1, 1, 25, 25, 0)
    assert exit_ratings(by_factor(before)[FV]) == {
        "not_a_concern": 1, "low": 1, "medium": 0, "high": 1, "no_longer_a_risk": 1}  # fmt: skip
    # when the lead corrects F1's exit assessment: targeted, violence and school attendance no longer a risk
    first = await exit_of(gql, world["lead"], world["families"]["F1"])
    fixed = await gql.data("AssessmentCorrect", corrected(first, world["kid"]), token=world["lead"])
    second = fixed["assessmentCorrect"]
    # (the old version is kept, as the correction's history)
    assert (second["version"], second["correctsId"], [v["id"] for v in second["history"]]) == (
        2,
        first["id"],
        [first["id"]],
    )
    # then the report moves to the corrected ratings and level, and counts F1 and its child once each
    after = await report(gql, world["lead"])
    assert (after["families"], after["needDown"], after["needSame"], after["needUp"]) == (4, 3, 1, 0)
    assert (after["needDownPercent"], after["needSamePercent"], after["needUpPercent"]) == (75, 25, 0)
    rows = {row["entryLevel"]: row["counts"] for row in after["levelOfNeed"]}
    assert (rows["specialist"], rows["targeted"]) == ([0, 2, 0, 0], [1, 1, 0, 0])
    assert shares(by_factor(after)[FV]) == (4, 3, 1, 75, 25, 3, 1, 75, 25, 67)
    assert shares(by_factor(after)[SCHOOL]) == (1, 1, 0, 100, 0, 1, 0, 25, 0, 100)
    # four exit ratings of violence for four families: the old version's "high" is not among them
    assert exit_ratings(by_factor(after)[FV]) == {
        "not_a_concern": 1, "low": 1, "medium": 0, "high": 0, "no_longer_a_risk": 2}  # fmt: skip
    assert exit_ratings(by_factor(after)[SCHOOL]) == {
        "not_a_concern": 0, "low": 0, "medium": 0, "high": 0, "no_longer_a_risk": 1}  # fmt: skip
    # and the manager's area version says the same
    area = await report(gql, world["manager"])
    assert (area["families"], area["needDown"], area["needSame"]) == (4, 3, 1)
    assert shares(by_factor(area)[FV]) == shares(by_factor(after)[FV])


async def test_a_correction_moving_the_exit_out_of_the_period_takes_the_family_out_with_its_old_versions(gql, sessions):
    world = await build(gql, sessions)
    first = await exit_of(gql, world["lead"], world["families"]["F1"])
    second = await gql.data("AssessmentCorrect", corrected(first, world["kid"]), token=world["lead"])
    # when the corrected exit assessment is corrected again: it was in August, after the period
    august = corrected(second["assessmentCorrect"], world["kid"], assessedOn="2026-08-03", reason="Wrong date")
    third = (await gql.data("AssessmentCorrect", august, token=world["lead"]))["assessmentCorrect"]
    assert [v["version"] for v in third["history"]] == [1, 2]
    # then F1 is not in the report, though versions 1 and 2 are dated in it: F2 down, F3 same, F4 down
    found = await report(gql, world["lead"])
    assert (found["families"], found["needDown"], found["needSame"], found["needUp"]) == (3, 2, 1, 0)
    assert (found["needDownPercent"], found["needSamePercent"]) == (67, 33)
    assert shares(by_factor(found)[FV]) == (3, 2, 1, 67, 33, 2, 1, 67, 33, 50)
    assert SCHOOL not in by_factor(found)
