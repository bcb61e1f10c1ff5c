"""The IG officers' retention review through the API: which families wait (their date has passed, or a legal
hold keeps them), the longest overdue first; extending with a reason and a valid date; placing and removing
legal holds; every refusal in words with its field, nothing half-saved; each decision audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server.family.models import FamilyStatus
from server.retention.models import RetentionDecisionKind
from tests.builders import create_area, issue_token
from tests.builders_retain import create_closed_family, decide
from tests.graphql_client import code

REASON = "The family's solicitor asked for the records."


def held(family, reason: str = REASON) -> dict:
    return {"input": {"familyId": str(family.id), "reason": reason}}


def extending(family, until: date, reason: str = REASON) -> dict:
    return {"input": {"familyId": str(family.id), "retainUntil": until.isoformat(), "reason": reason}}


async def queue(gql, token, *, on_hold: bool = False) -> dict[str, dict]:
    variables = {"first": 100, "onLegalHold": on_hold}
    listed = (await gql.data("RetentionReviewQueue", variables, token))["retentionReviewQueue"]
    assert listed["totalCount"] >= len(listed["nodes"])
    return {entry["reference"]: entry for entry in listed["nodes"]}


async def test_the_queue_holds_families_whose_date_has_passed_and_held_ones_apart(gql, sessions):
    # given families closed long ago (one held), one closed recently (held), one not yet due and one open
    area = await create_area(sessions)
    older = await create_closed_family(sessions, lead=area.lead, closed_on=date(1980, 1, 1), births=(None,))
    old = await create_closed_family(sessions, lead=area.lead, closed_on=date(1980, 2, 1), births=(None,))
    held_old = await create_closed_family(sessions, lead=area.lead, closed_on=date(1980, 3, 1), births=(None,))
    held_recent = await create_closed_family(sessions, lead=area.lead, closed_on=date.today(), births=(None,))
    not_due = await create_closed_family(sessions, lead=area.lead, closed_on=date.today(), births=(None,))
    still_open = await create_closed_family(sessions, lead=area.lead, status=FamilyStatus.active)
    for family in (held_old, held_recent):
        await decide(sessions, family=family, by=area.ig, kind=RetentionDecisionKind.legal_hold, reason=REASON)
    # when an IG officer opens the queue and the held records
    token = await issue_token(sessions, area.ig)
    due, holding = await queue(gql, token), await queue(gql, token, on_hold=True)
    # then the due ones wait, the longest overdue first; the held ones are apart, whatever their date
    mine = {family.reference for family in (older, old, held_old, held_recent, not_due, still_open)}
    assert [reference for reference in due if reference in mine] == [older.reference, old.reference]
    assert [reference for reference in holding if reference in mine] == [held_old.reference, held_recent.reference]
    assert due[older.reference]["dueOn"] == "1986-01-01"
    assert due[older.reference]["appliesBecause"].startswith("6 years after closure: no date of birth")
    assert due[old.reference]["familyLabel"] == f"{old.display_name} ({old.reference})"
    assert (holding[held_recent.reference]["onLegalHold"], holding[held_recent.reference]["legalHoldReason"]) == (
        True,
        REASON,
    )


async def test_extending_moves_the_date_and_takes_the_family_out_of_the_queue(gql, sessions):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead)
    token = await issue_token(sessions, area.ig)
    until = date.today() + timedelta(days=400)
    review = (await gql.data("RetentionExtend", extending(family, until), token))["retentionExtend"]
    assert (review["dueOn"], review["extendedUntil"]) == (until.isoformat(), until.isoformat())
    assert review["appliesBecause"] == "Extended by information governance"
    assert family.reference not in await queue(gql, token)
    # and the team sees the new date
    lead = await issue_token(sessions, area.lead)
    assert (await gql.data("FamilyRetention", {"familyId": str(family.id)}, lead))["familyRetention"]["dueOn"] == (
        until.isoformat()
    )
    async with sessions() as session:
        detail = (
            await session.exec(
                sa.text("SELECT detail FROM audit_event WHERE action = 'retentionExtend' AND family_id = :f"),
                params={"f": family.id},
            )
        ).one()[0]
    assert detail == {"retainUntil": until.isoformat()}


TODAY = date.today()
BAD_EXTENSIONS = [
    ("today", TODAY, REASON, "retainUntil", "later than the current retention date"),
    ("in the past", TODAY - timedelta(days=1), REASON, "retainUntil", "in the future"),
    ("more than 25 years away", TODAY + timedelta(days=25 * 366 + 1), REASON, "retainUntil", "25 years"),
    ("no reason", TODAY + timedelta(days=30), " ", "reason", "cannot be empty"),
    ("too short a reason", TODAY + timedelta(days=30), "asked", "reason", "in full"),
    ("too long a reason", TODAY + timedelta(days=30), "x" * 2001, "reason", "at most 2000"),
    ("a NUL in the reason", TODAY + timedelta(days=30), "a reason with \x00 in it", "reason", "not allowed"),
]


@pytest.mark.parametrize(
    ("case", "until", "reason", "field", "words"), BAD_EXTENSIONS, ids=[r[0] for r in BAD_EXTENSIONS]
)
async def test_an_extension_needs_a_later_date_and_a_reason(gql, sessions, case, until, reason, field, words):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead)
    error = await gql.error("RetentionExtend", extending(family, until, reason), await issue_token(sessions, area.ig))
    assert (code(error), error["extensions"].get("field")) == ("BAD_USER_INPUT", field)
    assert words in error["message"]
    async with sessions() as session:
        count = (
            await session.exec(
                sa.text("SELECT count(*) FROM retention_decision WHERE family_id = :f"), params={"f": family.id}
            )
        ).one()[0]
    assert count == 0


async def test_an_extension_cannot_bring_a_later_date_forward(gql, sessions):
    # given a family not due for years
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead, closed_on=TODAY, births=(None,))
    error = await gql.error(
        "RetentionExtend", extending(family, TODAY + timedelta(days=30)), await issue_token(sessions, area.ig)
    )
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "retainUntil")


async def test_a_legal_hold_is_placed_once_and_removed_once(gql, sessions):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead)
    token = await issue_token(sessions, area.ig)
    placed = (await gql.data("RetentionLegalHoldPlace", held(family), token))["retentionLegalHoldPlace"]
    assert (placed["onLegalHold"], placed["legalHoldReason"]) == (True, REASON)
    assert code(await gql.error("RetentionLegalHoldPlace", held(family), token)) == "CONFLICT"
    removed = await gql.data("RetentionLegalHoldRemove", held(family, "The claim was settled in May."), token)
    assert removed["retentionLegalHoldRemove"]["onLegalHold"] is False
    assert code(await gql.error("RetentionLegalHoldRemove", held(family), token)) == "CONFLICT"
    assert code(await gql.error("RetentionLegalHoldPlace", held(family, "short"), token)) == "BAD_USER_INPUT"


async def test_decisions_need_a_closed_family(gql, sessions):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead, status=FamilyStatus.active)
    token = await issue_token(sessions, area.ig)
    for operation, variables in (
        ("RetentionExtend", extending(family, TODAY + timedelta(days=30))),
        ("RetentionLegalHoldPlace", held(family)),
    ):
        error = await gql.error(operation, variables, token)
        assert code(error) == "CONFLICT"
        assert "open" in error["message"]
    assert code(await gql.error("RetentionReview", {"familyId": str(family.id)}, token)) == "NOT_FOUND"
    assert (await gql.data("FamilyRetention", {"familyId": str(family.id)}, await issue_token(sessions, area.lead)))[
        "familyRetention"
    ] is None
