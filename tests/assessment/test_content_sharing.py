"""Assessments and reviews as case content: the lead's narrative, ratings and review notes in mental health,
read by a health visitor on the team under each consent state, and by everyone else, on every read path
(the family's lists, lookups by id, the caseload outcomes report) and in the audit trail."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from server.access.enforcer import build_enforcer
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.assessment import review as review_service
from server.assessment import service as assessment_service
from server.auth.service import actor_from
from server.config import REPO_ROOT
from tests.builders import create_consent, create_override, issue_token
from tests.builders_assess import (
    NARRATIVE,
    PROGRESS,
    SUMMARY,
    another_familys_content,
    create_health_world,
    record_content,
)
from tests.graphql_client import code

TODAY = date.today()
RANGE = {"exitedFrom": (TODAY - timedelta(days=1)).isoformat(), "exitedTo": TODAY.isoformat()}


async def everything(gql, token: str, family_id, recorded) -> dict:
    """What one caller gets on each read path of assessments and reviews."""
    return {
        "assessments": (await gql.data("FamilyAssessments", {"familyId": str(family_id)}, token=token))[
            "familyAssessments"
        ],
        "entry": (await gql.data("Assessment", {"id": recorded.entry_id}, token=token))["assessment"],
        "reviews": (await gql.data("FamilyReviews", {"familyId": str(family_id)}, token=token))["familyReviews"],
        "review": (await gql.data("Review", {"id": recorded.review_id}, token=token))["review"],
        "report": (await gql.data("CaseloadOutcomes", RANGE, token=token))["caseloadOutcomes"],
    }


def factors_of(assessment: dict) -> set[str]:
    return {rating["factor"] for rating in assessment["ratings"]}


def reported_factors(report: dict) -> set[str]:
    return {factor["factor"] for factor in report["riskFactors"]}


def assert_withheld(seen: dict) -> None:
    for assessment in [*seen["assessments"], seen["entry"]]:
        assert (assessment["category"], assessment["contentVisible"]) == ("mental_health", False)
        narrative = ("strengths", "needs", "childViews", "familyViews", "protectiveFactors", "resilienceCount")
        assert [assessment[name] for name in narrative] == [None] * 6
        assert assessment["resilienceIndicators"] is None
        assert "emotional_mental_health" not in factors_of(assessment)
    for review in [*seen["reviews"], seen["review"]]:
        assert (review["contentVisible"], review["summary"], review["progress"]) == (False, None, None)
        assert review["scores"] == [{"domain": "mental_physical_health", "score": 6}]  # scored with the family
    assert "emotional_mental_health" not in reported_factors(seen["report"])
    assert seen["report"]["meanResilienceOnEntry"] is None
    words = json.dumps(seen)
    assert NARRATIVE not in words and SUMMARY not in words and PROGRESS not in words


def assert_shown(seen: dict) -> None:
    for assessment in [*seen["assessments"], seen["entry"]]:
        assert (assessment["contentVisible"], assessment["strengths"], assessment["resilienceCount"]) == (
            True,
            NARRATIVE,
            1,
        )
        assert factors_of(assessment) == {"emotional_mental_health", "chronic_health_condition"}
    for review in [*seen["reviews"], seen["review"]]:
        assert (review["contentVisible"], review["summary"]) == (True, SUMMARY)
        assert [note["progress"] for note in review["progress"]] == [PROGRESS]
    mood = {factor["factor"]: factor for factor in seen["report"]["riskFactors"]}["emotional_mental_health"]
    assert (mood["assessed"], mood["withRiskOnEntry"], mood["withRiskOnExit"]) == (1, 1, 1)
    assert seen["report"]["meanResilienceOnEntry"] == 1.0


async def test_a_refusal_of_mental_health_withholds_the_leads_rating_narrative_and_notes(gql, sessions):
    # given the family shares health with the health agency and refused mental health to the whole team
    world = await create_health_world(sessions)
    recorded = await record_content(gql, sessions, world)
    area = world.area
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["health"], agencies=[world.health]
    )
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["mental_health"], decision="refused"
    )
    # when the health visitor reads every path
    seen = await everything(gql, await issue_token(sessions, world.health_visitor), area.family.id, recorded)
    # then the assessments and the review are there, their mental health content is not
    assert [a["stage"] for a in seen["assessments"]] == ["entry", "exit"]
    assert_withheld(seen)
    # but the health rating, shared by consent, is listed and counted
    assert factors_of(seen["entry"]) == {"chronic_health_condition"}
    assert reported_factors(seen["report"]) == {"chronic_health_condition"}
    assert seen["report"]["families"] == 1
    # and the lead's own agency always sees its content, the refusal notwithstanding
    assert_shown(await everything(gql, await issue_token(sessions, area.lead), area.family.id, recorded))
    assert_shown(await everything(gql, await issue_token(sessions, area.manager), area.family.id, recorded))


async def test_a_consent_for_mental_health_to_health_shows_them(gql, sessions):
    # given the family shares health and mental health with the health agency, and refused nothing
    world = await create_health_world(sessions)
    recorded = await record_content(gql, sessions, world)
    area = world.area
    categories = ["health", "mental_health"]
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=categories, agencies=[world.health]
    )
    # when the health visitor reads, then they see the narrative, both ratings and the notes
    assert_shown(await everything(gql, await issue_token(sessions, world.health_visitor), area.family.id, recorded))
    # and the school's worker on the team, not named in the consent, does not
    seen = await everything(gql, await issue_token(sessions, area.colleague), area.family.id, recorded)
    assert_withheld(seen)
    assert seen["entry"]["ratings"] == []


async def test_an_override_by_the_leads_agency_shows_them_despite_the_refusal(gql, sessions):
    # given a refusal of mental health, and the lead's agency sharing it with health to safeguard the child
    world = await create_health_world(sessions)
    recorded = await record_content(gql, sessions, world)
    area = world.area
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["mental_health"], decision="refused"
    )
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["health"], agencies=[world.health]
    )
    await create_override(
        sessions, family=area.family, decided_by=area.lead, categories=["mental_health"], recipients=[world.health]
    )
    # then the health visitor sees the mental health content
    assert_shown(await everything(gql, await issue_token(sessions, world.health_visitor), area.family.id, recorded))


async def test_a_manager_of_the_health_agency_sees_none_of_the_leads_content(gql, sessions):
    # given consent for everything the lead wrote, to the health agency
    world = await create_health_world(sessions)
    recorded = await record_content(gql, sessions, world)
    area = world.area
    categories = ["health", "mental_health"]
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=categories, agencies=[world.health]
    )
    # when the health agency's manager reads
    seen = await everything(gql, await issue_token(sessions, world.health_manager), area.family.id, recorded)
    # then they see that the assessments and the review happened, and nothing of the lead's agency's content
    assert [a["stage"] for a in seen["assessments"]] == ["entry", "exit"]
    assert_withheld(seen)
    assert [a["ratings"] for a in seen["assessments"]] == [[], []]
    assert (seen["report"]["families"], seen["report"]["riskFactors"]) == (1, [])


async def test_ig_admin_and_the_family_see_nothing_and_a_forged_id_is_like_a_missing_one(gql, sessions):
    world = await create_health_world(sessions)
    recorded = await record_content(gql, sessions, world)
    foreign = await another_familys_content(gql, sessions)
    area = world.area
    visitor = await issue_token(sessions, world.health_visitor)
    missing_assessment = await gql.error("Assessment", {"id": str(uuid.uuid4())}, token=visitor)
    missing_review = await gql.error("Review", {"id": str(uuid.uuid4())}, token=visitor)
    assert code(missing_assessment) == code(missing_review) == "NOT_FOUND"
    # a forged id (another family's assessment or review) answers exactly like a missing one
    for operation, forged, missing in (
        ("Assessment", foreign.entry_id, missing_assessment),
        ("Review", foreign.review_id, missing_review),
    ):
        error = await gql.error(operation, {"id": forged}, token=visitor)
        assert (code(error), error["message"]) == ("NOT_FOUND", missing["message"])
    # IG officers, administrators and the family's own portal account see none of it
    for user in (area.ig, area.admin, world.family_user):
        token = await issue_token(sessions, user)
        for operation, own, missing in (
            ("Assessment", recorded.entry_id, missing_assessment),
            ("Review", recorded.review_id, missing_review),
        ):
            error = await gql.error(operation, {"id": own}, token=token)
            assert (code(error), error["message"]) == ("NOT_FOUND", missing["message"])
        listed = await gql.op("FamilyAssessments", {"familyId": str(area.family.id)}, token=token)
        assert listed["data"] is None and code(listed["errors"][0]) in ("NOT_FOUND", "FORBIDDEN")
    for user in (area.ig, area.admin):
        report = (await gql.data("CaseloadOutcomes", RANGE, token=await issue_token(sessions, user)))[
            "caseloadOutcomes"
        ]
        assert (report["families"], report["riskFactors"]) == (0, [])


async def test_reads_are_noted_for_the_audit_log_with_their_real_kinds(gql, sessions):
    # given the health agency may read the lead's mental health and health content
    world = await create_health_world(sessions)
    recorded = await record_content(gql, sessions, world)
    area = world.area
    categories = ["health", "mental_health"]
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=categories, agencies=[world.health]
    )
    access = AccessControl(build_enforcer(REPO_ROOT / "policies"), actor_from(world.health_visitor))
    # when the health visitor lists the assessments and the reviews
    async with sessions() as session:
        assessments = await assessment_service.list_for_family(session, access, area.family.id)
        await review_service.list_for_family(session, access, area.family.id)
    # then each read is noted under its own kind
    read = [
        (kind, item_id, category)
        for (_, kind), items in access.reads.items()
        for item_id, (_, category, *_) in items.items()
    ]
    noted = sorted((kind, category) for kind, _item_id, category in read)
    assert noted == sorted(
        [(Kind.assessment_narrative, "mental_health")] * 2
        + [(Kind.assessment_rating, "mental_health"), (Kind.assessment_rating, "health")] * 2
        + [(Kind.review_note, "mental_health")]
    )
    rating_ids = {str(rating.id) for seen in assessments for rating in seen.ratings}
    assert {item_id for _kind, item_id, _category in read} == {
        recorded.entry_id,
        recorded.exit_id,
        recorded.review_id,
    } | (rating_ids)
