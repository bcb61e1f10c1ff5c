"""Erasure's guards: which families it refuses (open, under a legal hold, not yet due, not confirmed), that
the append-only tables still refuse everyone else (erasure passes their triggers only for the family it
erases, once its tombstone is written), that the tombstone is kept for good, that the erasure is audited
with the chain intact, and that every table of the database is accounted for."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from server.audit.chain import verify
from server.db.engine import unit_of_work
from server.family.models import Family, FamilyStatus
from server.retention.erasure import ERASED, KEPT
from server.retention.models import FamilyTombstone, RetentionDecisionKind
from tests.builders import create_area, create_contribution, issue_token
from tests.builders_content import create_assessment_content, create_meeting_content, create_plan_content
from tests.builders_retain import create_closed_family, decide
from tests.graphql_client import code

REASON = "Retention period over; no reason to keep the records."


def erasing(family: Family, *, reference: str | None = None, reason: str = REASON) -> dict:
    return {"input": {"familyId": str(family.id), "confirmReference": reference or family.reference, "reason": reason}}


async def still_there(sessions, family: Family) -> bool:
    async with sessions() as session:
        return await session.get(Family, family.id) is not None


REFUSALS = [
    ("still open", {"status": FamilyStatus.active}, None, {}, "CONFLICT", "open"),
    ("not yet due", {"closed_on": date.today(), "births": (date(2020, 1, 1),)}, None, {}, "CONFLICT", "has not passed"),
    ("under a legal hold", {}, RetentionDecisionKind.legal_hold, {}, "CONFLICT", "legal hold"),
    ("the wrong reference typed", {}, None, {"reference": "TAF-0"}, "BAD_USER_INPUT", "reference"),
    ("no reason", {}, None, {"reason": "  "}, "BAD_USER_INPUT", "reason"),
    ("too short a reason", {}, None, {"reason": "old"}, "BAD_USER_INPUT", "in full"),
]


@pytest.mark.parametrize(
    ("case", "family_args", "decision", "input_args", "expected", "words"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
async def test_erasure_refuses(gql, sessions, case, family_args, decision, input_args, expected, words):
    # given a family with an item
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead, **family_args)
    await create_contribution(sessions, family=family, author=area.lead)
    if decision:
        await decide(sessions, family=family, by=area.ig, kind=decision)
    # when an IG officer asks to erase it
    error = await gql.error("FamilyErase", erasing(family, **input_args), await issue_token(sessions, area.ig))
    # then it is refused, in words, and nothing changed
    assert code(error) == expected, error
    assert words in error["message"]
    assert await still_there(sessions, family)
    async with sessions() as session:
        assert await session.get(FamilyTombstone, family.id) is None


async def test_a_family_that_does_not_exist_or_was_erased_is_not_found(gql, sessions):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead)
    token = await issue_token(sessions, area.ig)
    await gql.data("FamilyErase", erasing(family), token)
    again = await gql.error("FamilyErase", erasing(family), token)
    assert code(again) == "NOT_FOUND"
    hold = await gql.error("RetentionLegalHoldPlace", {"input": {"familyId": str(family.id), "reason": REASON}}, token)
    assert code(hold) == "NOT_FOUND"


async def test_erasure_is_audited_and_the_chain_still_verifies(gql, sessions):
    # given a due family with published minutes, an assessment and plan history (append-only rows)
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead, contributors=(area.colleague,))
    await create_meeting_content(
        sessions, family=family, chair=area.lead, owner=area.lead, category="health", agreed=True
    )
    await create_assessment_content(sessions, family=family, owner=area.lead, category="health")
    await create_plan_content(
        sessions, family=family, lead=area.lead, owner=area.colleague, category="other", agreed=True
    )
    # when erased
    tombstone = (await gql.data("FamilyErase", erasing(family), await issue_token(sessions, area.ig)))["familyErase"]
    # then the tombstone says what, when, who and why
    assert tombstone["reference"] == family.reference
    assert tombstone["erasedBy"]["id"] == str(area.ig.id)
    assert tombstone["reason"] == REASON
    assert (tombstone["closedOn"], tombstone["retentionDueOn"]) == ("2012-06-01", "2020-03-10")
    # and the audit log has the erasure, with counts (no content), and its chain is intact
    async with sessions() as session:
        event = (
            await session.exec(
                sa.text(
                    "SELECT actor_user_id, detail FROM audit_event WHERE action = 'familyErase' AND family_id = :f"
                ),
                params={"f": family.id},
            )
        ).one()
        report = await verify(session)
    assert event[0] == area.ig.id
    assert event[1]["reference"] == family.reference
    assert event[1]["removed"]["taf_meeting_minutes_item"] == 1
    assert event[1]["removed"]["plan_history"] == 2
    assert event[1]["removed"]["assessment_rating"] == 1
    assert report.intact, report.broken_at
    assert not await still_there(sessions, family)


APPEND_ONLY = ["contribution_version", "plan_history", "assessment", "assessment_rating", "taf_meeting_minutes_item"]


async def content_family(sessions):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead)
    await create_contribution(sessions, family=family, author=area.lead)
    await create_meeting_content(
        sessions, family=family, chair=area.lead, owner=area.lead, category="health", agreed=True
    )
    await create_assessment_content(sessions, family=family, owner=area.lead, category="health")
    await create_plan_content(sessions, family=family, lead=area.lead, owner=area.lead, category="other", agreed=True)
    return area, family


DELETE_ROWS = {
    "contribution_version": "DELETE FROM contribution_version v USING contribution c"
    " WHERE v.contribution_id = c.id AND c.family_id = :f",
    "plan_history": "DELETE FROM plan_history WHERE family_id = :f",
    "assessment": "DELETE FROM assessment WHERE family_id = :f",
    "assessment_rating": "DELETE FROM assessment_rating r USING assessment a"
    " WHERE r.assessment_id = a.id AND a.family_id = :f",
    "taf_meeting_minutes_item": "DELETE FROM taf_meeting_minutes_item WHERE family_id = :f",
}


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize("setting", ["none", "another family", "this family, no tombstone"])
async def test_append_only_rows_still_refuse_deletion_outside_an_erasure(sessions, table, setting):
    # given a family's append-only rows
    area, family = await content_family(sessions)
    other = await create_closed_family(sessions, lead=area.lead)
    named = {"none": None, "another family": other.id, "this family, no tombstone": family.id}[setting]
    # when someone deletes them (naming a family that is not being erased, or this one without its tombstone)
    with pytest.raises(DBAPIError, match=r"append-only|cannot change"):
        async with unit_of_work(sessions) as session:
            if named is not None:
                await session.exec(
                    sa.text("SELECT set_config('taf.erasing_family', :f, true)"), params={"f": str(named)}
                )
            await session.exec(sa.text(DELETE_ROWS[table]), params={"f": family.id})


async def test_an_update_is_refused_even_during_an_erasure(sessions):
    area, family = await content_family(sessions)
    with pytest.raises(DBAPIError, match="append-only"):
        async with unit_of_work(sessions) as session:
            session.add(
                FamilyTombstone(
                    family_id=family.id,
                    reference=family.reference,
                    opened_on=date(2011, 1, 1),
                    closed_on=date(2012, 1, 1),
                    retention_due_on=date(2020, 1, 1),
                    erased_by_user_id=area.ig.id,
                    reason=REASON,
                )
            )
            await session.flush()
            await session.exec(
                sa.text("SELECT set_config('taf.erasing_family', :f, true)"), params={"f": str(family.id)}
            )
            await session.exec(
                sa.text("UPDATE plan_history SET snapshot = '{}' WHERE family_id = :f"), params={"f": family.id}
            )


@pytest.mark.parametrize("statement", ["UPDATE family_tombstone SET reason = 'x'", "DELETE FROM family_tombstone"])
async def test_a_tombstone_is_kept_for_good(gql, sessions, statement):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead)
    await gql.data("FamilyErase", erasing(family), await issue_token(sessions, area.ig))
    with pytest.raises(DBAPIError, match="append-only"):
        async with unit_of_work(sessions) as session:
            await session.exec(sa.text(f"{statement} WHERE family_id = :f"), params={"f": family.id})


async def test_every_table_is_either_erased_or_kept_for_a_reason(sessions):
    """A new table must say what erasure does to it (server/retention/erasure.py), or this fails."""
    async with sessions() as session:
        tables = {
            row[0]
            for row in (
                await session.exec(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            ).all()
        }
    assert tables == ERASED | set(KEPT)
    assert not ERASED & set(KEPT)
