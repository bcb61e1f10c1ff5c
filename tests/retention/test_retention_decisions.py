"""Runs every row of policies/retention_decisions.csv through the real GraphQL API: who sees a closed
family's retention date, and who reviews retention (the queue, erased families, extending, legal holds,
erasing). A refusal changes nothing."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date

import pytest

from server.config import REPO_ROOT
from server.family.models import Family
from server.retention.models import FamilyTombstone, RetentionDecision, RetentionDecisionKind
from server.user.models import SystemRole, User
from tests.builders import Area, create_area, create_family_user, issue_token
from tests.builders_retain import create_closed_family, decide
from tests.graphql_client import code

with (REPO_ROOT / "policies" / "retention_decisions.csv").open() as table_file:
    TABLE = list(csv.DictReader(table_file))
REFUSALS = {"NOT_FOUND", "FORBIDDEN"}
REASON = "Reviewed against the schedule, in full."
# Long overdue, so that the family is on the first page of the queue whatever else the suite made.
CLOSED_ON, BORN = date(1990, 5, 1), date(1970, 2, 3)


@dataclass
class World:
    area: Area
    tokens: dict[str, str]


@pytest.fixture(scope="module")
async def world(sessions) -> World:
    area = await create_area(sessions)
    staff: dict[str, User] = {
        "lead_professional": area.lead,
        "team_worker": area.colleague,
        "outsider": area.outsider,
        "manager": area.manager,
        "other_manager": area.other_manager,
        "ig_officer": area.ig,
        "administrator": area.admin,
    }
    return World(area, {name: await issue_token(sessions, user) for name, user in staff.items()})


async def a_family(sessions, world: World) -> tuple[Family, dict[str, str]]:
    """A long-closed family of the world's team, and the tokens of everyone, its own member's included."""
    area = world.area
    family = await create_closed_family(
        sessions, lead=area.lead, contributors=(area.colleague,), closed_on=CLOSED_ON, births=(BORN,)
    )
    member = await create_family_user(sessions, family=family)
    return family, {**world.tokens, "family_member": await issue_token(sessions, member)}


def ask(question: str, family: Family) -> tuple[str, dict]:
    family_id = str(family.id)
    held = {"familyId": family_id, "reason": REASON}
    return {
        "see_retention_date": ("FamilyRetention", {"familyId": family_id}),
        "see_review_queue": ("RetentionReviewQueue", {"first": 100}),
        "see_review": ("RetentionReview", {"familyId": family_id}),
        "see_erased_families": ("ErasedFamilies", {"first": 100}),
        "extend_retention": ("RetentionExtend", {"input": {**held, "retainUntil": "2040-01-31"}}),
        "place_legal_hold": ("RetentionLegalHoldPlace", {"input": held}),
        "remove_legal_hold": ("RetentionLegalHoldRemove", {"input": held}),
        "erase": ("FamilyErase", {"input": {**held, "confirmReference": family.reference}}),
    }[question]


async def decisions(sessions, family: Family) -> int:
    async with sessions() as session:
        rows = await session.exec(RetentionDecision.__table__.select().where(RetentionDecision.family_id == family.id))
        return len(rows.all())


@pytest.mark.parametrize("row", TABLE, ids=[row["case"] for row in TABLE])
async def test_retention_decision_table(gql, sessions, world, row):
    # given a long-closed family (under a legal hold to remove one; one already erased to list it)
    family, tokens = await a_family(sessions, world)
    if row["question"] == "remove_legal_hold":
        await decide(sessions, family=family, by=world.area.ig, kind=RetentionDecisionKind.legal_hold)
    if row["question"] == "see_erased_families":
        erased, _ = await a_family(sessions, world)
        await gql.data("FamilyErase", ask("erase", erased)[1], world.tokens["ig_officer"])
        family = erased
    before = await decisions(sessions, family)
    # when the actor asks
    operation, variables = ask(row["question"], family)
    result = await gql.op(operation, variables, tokens[row["actor"]])
    # then
    if row["expected"] == "allow":
        assert "errors" not in result, result
        await allowed(sessions, row["question"], family, result["data"])
    else:
        assert result.get("errors"), result
        assert code(result["errors"][0]) in REFUSALS, result
        if code(result["errors"][0]) == "FORBIDDEN":
            assert "information-governance officers" in result["errors"][0]["message"] or row["question"] == (
                "see_retention_date"
            )
        assert await decisions(sessions, family) == before
        async with sessions() as session:
            assert (await session.get(Family, family.id) is not None) or row["question"] == "see_erased_families"


async def allowed(sessions, question: str, family: Family, data: dict) -> None:
    """What an allowed answer shows or did."""
    match question:
        case "see_retention_date":
            assert data["familyRetention"]["dueOn"] == "1996-05-01"  # six years after closure comes later
        case "see_review_queue":
            listed = {entry["reference"]: entry for entry in data["retentionReviewQueue"]["nodes"]}
            assert listed[family.reference]["familyLabel"] == f"{family.display_name} ({family.reference})"
        case "see_review":
            assert data["retentionReview"]["dueOn"] == "1996-05-01"
            assert data["retentionReview"]["appliesBecause"].startswith("6 years after closure, which is later")
        case "see_erased_families":
            assert family.reference in {entry["reference"] for entry in data["erasedFamilies"]}
        case "extend_retention":
            assert data["retentionExtend"]["dueOn"] == "2040-01-31"
            assert data["retentionExtend"]["extensionReason"] == REASON
        case "place_legal_hold":
            assert data["retentionLegalHoldPlace"]["onLegalHold"] is True
        case "remove_legal_hold":
            assert data["retentionLegalHoldRemove"]["onLegalHold"] is False
        case "erase":
            async with sessions() as session:
                assert await session.get(Family, family.id) is None
                assert (await session.get(FamilyTombstone, family.id)).reference == family.reference


def test_the_table_covers_every_actor_and_question():
    actors = {row["actor"] for row in TABLE}
    questions = {row["question"] for row in TABLE}
    assert len(TABLE) == len(actors) * len(questions) == 8 * 8
    assert {
        row["actor"] for row in TABLE if row["expected"] == "allow" and row["question"] != "see_retention_date"
    } == {"ig_officer"}
    assert SystemRole.ig_officer.value == "ig_officer"
