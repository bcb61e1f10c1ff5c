"""Real dates for history: a record opened and closed on the days the case really was, the exit assessment's
level of need becoming the family's, and a wrong assessment corrected by its author with a reason (a new
version; the old one kept and read as its history)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.assessment.test_assessments import assessment
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code
from tests.transition.test_transitions import closing


def days_ago(n: int) -> str:
    return (date.today() - timedelta(days=n)).isoformat()


def opening(**overrides) -> dict:
    family = {"displayName": "The Rivers family", "levelOfNeed": "specialist", "leadContact": {"agencyRole": "FSW"}}
    family["members"] = [{"fullName": "Leo Rivers", "relationship": "son", "isSubjectChild": True}]
    return {"input": family | overrides}


async def audit_detail(sessions, family_id: str, action: str) -> dict:
    async with sessions() as session:
        statement = sa.text("SELECT detail FROM audit_event WHERE family_id = :id AND action = :action")
        return (await session.exec(statement, params={"id": family_id, "action": action})).one()[0]


async def test_a_record_is_opened_and_closed_on_the_days_the_case_really_was(gql, sessions):
    # given a lead recording a case opened 200 days ago
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = (await gql.data("FamilyOpen", opening(openedOn=days_ago(200)), token=lead))["familyOpen"]
    # then it reads as opened that day, and the audit log keeps the date given
    assert family["openedAt"].startswith(days_ago(200))
    assert (await audit_detail(sessions, family["id"], "familyOpen"))["openedOn"] == days_ago(200)
    # when it is closed 30 days ago (after it was opened, before today)
    closed = (await gql.data("FamilyClose", closing(family["id"], effectiveOn=days_ago(30)), token=lead))["familyClose"]
    # then it reads as closed that day
    assert closed["family"]["status"] == "closed"
    assert closed["family"]["closedAt"].startswith(days_ago(30))


async def test_a_record_opened_today_keeps_the_moment_it_was_opened(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = (await gql.data("FamilyOpen", opening(openedOn=date.today().isoformat()), token=lead))["familyOpen"]
    assert family["openedAt"].startswith(date.today().isoformat())
    assert not family["openedAt"].endswith("T00:00:00+00:00")


@pytest.mark.parametrize(
    ("opened", "closed", "field"),
    [
        (-1, None, "openedOn"),  # opened tomorrow
        (100, 101, "effectiveOn"),  # closed the day before it opened
        (100, -1, "effectiveOn"),  # closed tomorrow
    ],
)
async def test_dates_out_of_order_or_in_the_future_are_refused(gql, sessions, opened, closed, field):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    opened_on = (date.today() - timedelta(days=opened)).isoformat()
    if closed is None:
        error = await gql.error("FamilyOpen", opening(openedOn=opened_on), token=lead)
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
        return
    family = (await gql.data("FamilyOpen", opening(openedOn=opened_on), token=lead))["familyOpen"]
    error = await gql.error("FamilyClose", closing(family["id"], effectiveOn=days_ago(closed)), token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    again = (await gql.data("Family", {"id": family["id"]}, token=lead))["family"]
    assert (again["status"], again["closedAt"]) == ("referral", None)


async def test_the_exit_assessment_level_becomes_the_familys_level(gql, sessions):
    # given a specialist family
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = (await gql.data("FamilyOpen", opening(openedOn=days_ago(100)), token=lead))["familyOpen"]
    entry = assessment(family["id"], assessedOn=days_ago(90), levelOfNeed="specialist", ratings=[])
    await gql.data("AssessmentRecord", entry, token=lead)
    # when the exit assessment finds targeted need
    exit_ = assessment(family["id"], stage="exit", assessedOn=days_ago(10), levelOfNeed="targeted", ratings=[])
    await gql.data("AssessmentRecord", exit_, token=lead)
    # then the family is targeted, and its version moved on
    now = (await gql.data("Family", {"id": family["id"]}, token=lead))["family"]
    assert (now["levelOfNeed"], now["version"]) == ("targeted", family["version"] + 1)
    # and an exit assessment back-dated before that one does not change it
    older = assessment(family["id"], stage="exit", assessedOn=days_ago(20), levelOfNeed="universal", ratings=[])
    await gql.data("AssessmentRecord", older, token=lead)
    assert (await gql.data("Family", {"id": family["id"]}, token=lead))["family"]["levelOfNeed"] == "targeted"


def correction(assessment_id: str, reason: str = "Debt was rated on the wrong family's figures", **overrides):
    fields = assessment("unused", ratings=[{"factor": "family_debt", "rating": "low"}], **overrides)["input"]
    del fields["familyId"]
    return {"input": fields | {"assessmentId": assessment_id, "reason": reason}}


async def test_the_author_corrects_an_assessment_and_the_old_version_stays_in_its_history(gql, sessions):
    # given an entry assessment rating family debt high
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    high = assessment(area.family.id, ratings=[{"factor": "family_debt", "rating": "high"}])
    first = (await gql.data("AssessmentRecord", high, token=lead))["assessmentRecord"]
    # when its author corrects it to low, with a reason
    corrected = (await gql.data("AssessmentCorrect", correction(first["id"]), token=lead))["assessmentCorrect"]
    # then a second version reads low, says why, and keeps the first as its history
    assert (corrected["version"], corrected["correctsId"]) == (2, first["id"])
    assert corrected["correctionReason"] == "Debt was rated on the wrong family's figures"
    assert [r["rating"] for r in corrected["ratings"]] == ["low"]
    assert [(v["id"], v["version"], [r["rating"] for r in v["ratings"]]) for v in corrected["history"]] == [
        (first["id"], 1, ["high"])
    ]
    # and the family's assessments list only the current version
    listed = (await gql.data("FamilyAssessments", {"familyId": str(area.family.id)}, token=lead))["familyAssessments"]
    assert [a["id"] for a in listed] == [corrected["id"]]
    # and a third version carries the whole history, oldest first
    third = await gql.data("AssessmentCorrect", correction(corrected["id"], reason="Date was wrong"), token=lead)
    history = third["assessmentCorrect"]["history"]
    assert [v["version"] for v in history] == [1, 2]
    # and the audit log records the correction
    async with sessions() as session:
        statement = sa.text(
            "SELECT detail->>'correctsId' FROM audit_event WHERE action = 'assessmentCorrect' AND family_id = :id"
            " AND outcome = 'allowed' ORDER BY id"
        )
        corrects = (await session.exec(statement, params={"id": area.family.id})).scalars().all()
    assert corrects == [first["id"], corrected["id"]]


async def test_corrections_are_refused_without_a_reason_to_others_and_for_an_old_version(gql, sessions):
    # given an assessment corrected once
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    first = (await gql.data("AssessmentRecord", assessment(area.family.id), token=lead))["assessmentRecord"]
    second = (await gql.data("AssessmentCorrect", correction(first["id"]), token=lead))["assessmentCorrect"]
    # then a correction without a reason is BAD_USER_INPUT on reason
    error = await gql.error("AssessmentCorrect", correction(second["id"], reason="  "), token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "reason")
    # and one dated in the future is BAD_USER_INPUT on assessedOn
    future = correction(second["id"], assessedOn=(date.today() + timedelta(days=1)).isoformat())
    error = await gql.error("AssessmentCorrect", future, token=lead)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "assessedOn")
    # and correcting the version already corrected is CONFLICT
    assert code(await gql.error("AssessmentCorrect", correction(first["id"]), token=lead)) == "CONFLICT"
    # and a colleague on the team who is not the author may not correct it; an outsider does not see it
    colleague = await sign_in(gql, area.colleague)
    assert code(await gql.error("AssessmentCorrect", correction(second["id"]), token=colleague)) == "FORBIDDEN"
    outsider = await sign_in(gql, area.outsider)
    assert code(await gql.error("AssessmentCorrect", correction(second["id"]), token=outsider)) == "NOT_FOUND"
    # and nothing more was stored
    listed = (await gql.data("FamilyAssessments", {"familyId": str(area.family.id)}, token=lead))["familyAssessments"]
    assert [(a["id"], a["version"]) for a in listed] == [(second["id"], 2)]


async def test_correcting_an_exit_assessment_moves_the_familys_level(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    exit_ = assessment(area.family.id, stage="exit", levelOfNeed="universal", ratings=[])
    first = (await gql.data("AssessmentRecord", exit_, token=lead))["assessmentRecord"]
    fixed = correction(first["id"], stage="exit", levelOfNeed="targeted")
    fixed["input"]["ratings"] = []
    await gql.data("AssessmentCorrect", fixed, token=lead)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]
    assert family["levelOfNeed"] == "targeted"


async def test_the_history_shows_each_version_only_as_the_reader_may_see_it(gql, sessions):
    # given the lead's mental health assessment, corrected, which nobody agreed to share with the school
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    words = "Mum described low mood"
    first = assessment(area.family.id, category="mental_health", strengths=words, ratings=[])
    recorded = (await gql.data("AssessmentRecord", first, token=lead))["assessmentRecord"]
    fixed = correction(recorded["id"], category="mental_health", strengths=words + " since the birth")
    fixed["input"]["ratings"] = []
    corrected = (await gql.data("AssessmentCorrect", fixed, token=lead))["assessmentCorrect"]
    # when the school's worker on the team reads it with its history
    school = await sign_in(gql, area.colleague)
    seen = (await gql.data("Assessment", {"id": corrected["id"]}, token=school))["assessment"]
    # then they see that it was corrected and that an earlier version exists, but no words of either
    assert (seen["version"], [v["version"] for v in seen["history"]]) == (2, [1])
    assert not seen["contentVisible"] and not seen["history"][0]["contentVisible"]
    assert words not in str(seen) and seen["correctionReason"] is None
    # and the lead sees both versions' words
    own = (await gql.data("Assessment", {"id": corrected["id"]}, token=lead))["assessment"]
    assert own["history"][0]["strengths"] == words
