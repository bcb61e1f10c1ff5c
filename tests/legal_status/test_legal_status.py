"""A family's legal status and edge-of-care cohort: the lead records each change from a date, the history
is kept newest first, dates stay in order, a stale reading conflicts, and only the team sees it."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.builders_journey import close_through_the_api, open_since
from tests.graphql_client import code

TODAY = date.today()


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def change(area, version: int, **overrides) -> dict:
    values = {
        "familyId": str(area.family.id),
        "expectedVersion": version,
        "legalStatus": "child_in_need",
        "edgeOfCare": True,
        "effectiveFrom": days_ago(20),
    }
    return {"input": values | overrides}


async def version(gql, area, token) -> int:
    return (await gql.data("Family", {"id": str(area.family.id)}, token=token))["family"]["version"]


async def history(gql, area, token) -> list[dict]:
    answer = await gql.data("FamilyLegalStatus", {"familyId": str(area.family.id)}, token=token)
    return answer["familyLegalStatus"]


async def test_changes_are_kept_as_a_history_newest_first(gql, sessions):
    area = await create_area(sessions)
    await open_since(sessions, area.family, 60)
    lead = await sign_in(gql, area.lead)
    assert await history(gql, area, lead) == []
    await gql.data("FamilyLegalStatusSet", change(area, 1), token=lead)
    protection = change(area, 2, legalStatus="child_protection_plan", effectiveFrom=days_ago(5))
    await gql.data("FamilyLegalStatusSet", protection, token=lead)
    found = await history(gql, area, await sign_in(gql, area.colleague))  # the team reads it
    assert [(c["legalStatus"], c["edgeOfCare"], c["effectiveFrom"]) for c in found] == [
        ("child_protection_plan", True, days_ago(5)),
        ("child_in_need", True, days_ago(20)),
    ]
    assert found[0]["recordedBy"]["id"] == str(area.lead.id)
    assert await version(gql, area, lead) == 3


async def test_bad_changes_are_refused_and_nothing_is_saved(gql, sessions):
    area = await create_area(sessions)
    await open_since(sessions, area.family, 60)
    lead = await sign_in(gql, area.lead)
    await gql.data("FamilyLegalStatusSet", change(area, 1), token=lead)
    for overrides, field in (
        ({"effectiveFrom": days_ago(-1)}, "effectiveFrom"),
        ({"effectiveFrom": days_ago(61), "legalStatus": "looked_after"}, "effectiveFrom"),
        ({"effectiveFrom": days_ago(21), "legalStatus": "looked_after"}, "effectiveFrom"),  # before the current
        ({"effectiveFrom": days_ago(3)}, "legalStatus"),  # the same as now
    ):
        error = await gql.error("FamilyLegalStatusSet", change(area, 2, **overrides), token=lead)
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field), overrides
    assert len(await history(gql, area, lead)) == 1
    assert await version(gql, area, lead) == 2


async def test_two_changes_from_the_same_reading_one_wins_and_the_other_conflicts(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    answers = await asyncio.gather(
        gql.op("FamilyLegalStatusSet", change(area, 1, effectiveFrom=days_ago(0)), token=lead),
        gql.op("FamilyLegalStatusSet", change(area, 1, effectiveFrom=days_ago(0), edgeOfCare=False), token=lead),
    )
    assert sorted(code(a["errors"][0]) if "errors" in a else "OK" for a in answers) == ["CONFLICT", "OK"]
    assert len(await history(gql, area, lead)) == 1


async def test_only_the_lead_records_and_only_the_team_sees(gql, sessions):
    area = await create_area(sessions)
    colleague, outsider = await sign_in(gql, area.colleague), await sign_in(gql, area.outsider)
    assert code(await gql.error("FamilyLegalStatusSet", change(area, 1, effectiveFrom=days_ago(0)), colleague)) == (
        "FORBIDDEN"
    )
    for token in (outsider, await sign_in(gql, area.ig), await sign_in(gql, area.admin)):
        error = await gql.error("FamilyLegalStatus", {"familyId": str(area.family.id)}, token=token)
        assert code(error) == "NOT_FOUND"
    assert await history(gql, area, await sign_in(gql, area.manager)) == []  # the lead's agency's manager


async def test_a_closed_familys_status_is_read_only(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await close_through_the_api(gql, area.family, lead)
    error = await gql.error("FamilyLegalStatusSet", change(area, 2, effectiveFrom=days_ago(0)), token=lead)
    assert code(error) == "CONFLICT"
