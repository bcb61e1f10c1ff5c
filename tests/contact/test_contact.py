"""The contact log through GraphQL: each worker records their own contacts, the team sees that they happened
and how many there were each week, a note only as the sharing rules allow, bad input is refused with nothing
saved, and nobody outside the team finds or counts them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.clock import today, utcnow
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent
from tests.graphql_client import code


def contact_input(family_id, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "contactedAt": (utcnow() - timedelta(hours=3)).isoformat(),
            "kind": "home_visit",
            "durationMinutes": 60,
            "note": "Mum was low; Jayden had been to school every day",
            "category": "education",
            **overrides,
        }
    }


async def contacts_of(gql, family_id, token) -> dict:
    return (await gql.data("FamilyContacts", {"familyId": str(family_id)}, token=token))["familyContacts"]


async def test_a_worker_records_a_contact_and_the_team_sees_it_happened(gql, sessions):
    # given a family with the school on the team, and no consent to share the school's education information
    area = await create_area(sessions)
    colleague, lead = await sign_in(gql, area.colleague), await sign_in(gql, area.lead)
    # when the school worker records a home visit
    made = (await gql.data("ContactRecord", contact_input(area.family.id), token=colleague))["contactRecord"]
    # then they read it all; the lead sees who, agency, when, how and how long, but not the note
    assert (made["kind"], made["durationMinutes"], made["contentVisible"]) == ("home_visit", 60, True)
    assert made["worker"]["id"] == str(area.colleague.id) and made["agency"]["id"] == str(area.school.id)
    page = await contacts_of(gql, area.family.id, lead)
    [seen] = page["nodes"]
    assert page["totalCount"] == 1
    assert (seen["id"], seen["kind"], seen["durationMinutes"], seen["contentVisible"], seen["note"]) == (
        made["id"],
        "home_visit",
        60,
        False,
        None,
    )
    # and once the family consents to share education with the lead's agency, the lead reads the note too
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["education"], agencies=[area.early_help]
    )
    [seen] = (await contacts_of(gql, area.family.id, lead))["nodes"]
    assert seen["note"] == "Mum was low; Jayden had been to school every day"


async def test_contacts_per_week_count_every_contact_and_nothing_else(gql, sessions):
    # given contacts this week and three weeks ago, by two agencies
    area = await create_area(sessions)
    colleague, lead = await sign_in(gql, area.colleague), await sign_in(gql, area.lead)
    monday = today() - timedelta(days=today().weekday())
    this_week = datetime(monday.year, monday.month, monday.day, 9, tzinfo=UTC)
    earlier = this_week - timedelta(weeks=3)
    for at, minutes, token in ((this_week, 30, colleague), (this_week, 45, lead), (earlier, 20, colleague)):
        if at <= utcnow():
            overrides = {"contactedAt": at.isoformat(), "durationMinutes": minutes}
            await gql.data("ContactRecord", contact_input(area.family.id, **overrides), token=token)
    # when the lead asks for the last four weeks
    weeks = (await gql.data("FamilyContactWeeks", {"familyId": str(area.family.id), "weeks": 4}, token=lead))[
        "familyContactWeeks"
    ]
    # then each week is there, oldest first, with its contacts and minutes (the withheld note counts as the fact)
    assert [w["startsOn"] for w in weeks] == [(monday - timedelta(weeks=n)).isoformat() for n in (3, 2, 1, 0)]
    counted = [(w["contacts"], w["minutes"]) for w in weeks]
    expected_this_week = (2, 75) if this_week <= utcnow() else (0, 0)
    assert counted == [(1, 20), (0, 0), (0, 0), expected_this_week]
    # and bad week counts are refused
    for bad in (0, 53):
        error = await gql.error("FamilyContactWeeks", {"familyId": str(area.family.id), "weeks": bad}, token=lead)
        assert code(error) == "BAD_USER_INPUT"


async def test_outsiders_neither_find_nor_count_contacts_and_only_the_team_records_them(gql, sessions):
    area = await create_area(sessions)
    await gql.data("ContactRecord", contact_input(area.family.id), token=await sign_in(gql, area.colleague))
    for who in (area.outsider, area.ig, area.admin):
        token = await sign_in(gql, who)
        assert code(await gql.error("FamilyContacts", {"familyId": str(area.family.id)}, token=token)) == "NOT_FOUND"
        weeks = {"familyId": str(area.family.id)}
        assert code(await gql.error("FamilyContactWeeks", weeks, token=token)) == "NOT_FOUND"
        assert code(await gql.error("ContactRecord", contact_input(area.family.id), token=token)) in (
            "NOT_FOUND",
            "FORBIDDEN",
        )
    # the manager of an agency on the team sees the facts, but records nothing for the family
    manager = await sign_in(gql, area.manager)
    assert (await contacts_of(gql, area.family.id, manager))["totalCount"] == 1
    assert code(await gql.error("ContactRecord", contact_input(area.family.id), token=manager)) == "FORBIDDEN"


async def test_bad_input_is_refused_and_nothing_is_saved(gql, sessions):
    area = await create_area(sessions)
    colleague = await sign_in(gql, area.colleague)
    for overrides, field in (
        ({"contactedAt": (utcnow() + timedelta(days=1)).isoformat()}, "contactedAt"),
        ({"contactedAt": (utcnow() - timedelta(days=400)).isoformat()}, "contactedAt"),
        ({"contactedAt": "2026-12-01T10:00:00"}, "contactedAt"),
        ({"durationMinutes": 0}, "durationMinutes"),
        ({"durationMinutes": 721}, "durationMinutes"),
        ({"note": "x" * 1001}, "note"),
        ({"note": "nul \x00"}, "note"),
    ):
        error = await gql.error("ContactRecord", contact_input(area.family.id, **overrides), token=colleague)
        assert (code(error), (error.get("extensions") or {}).get("field")) == ("BAD_USER_INPUT", field), overrides
    assert (await contacts_of(gql, area.family.id, colleague))["totalCount"] == 0


async def test_pages_follow_each_other_without_gaps(gql, sessions):
    area = await create_area(sessions)
    colleague = await sign_in(gql, area.colleague)
    for hours in range(1, 6):
        overrides = {"contactedAt": (utcnow() - timedelta(hours=hours)).isoformat(), "durationMinutes": hours}
        await gql.data("ContactRecord", contact_input(area.family.id, **overrides), token=colleague)
    first = (await gql.data("FamilyContacts", {"familyId": str(area.family.id), "first": 2}, token=colleague))[
        "familyContacts"
    ]
    seen, page = [n["durationMinutes"] for n in first["nodes"]], first
    while page["pageInfo"]["hasNextPage"]:
        variables = {"familyId": str(area.family.id), "first": 2, "after": page["pageInfo"]["endCursor"]}
        page = (await gql.data("FamilyContacts", variables, token=colleague))["familyContacts"]
        seen += [n["durationMinutes"] for n in page["nodes"]]
    assert seen == [1, 2, 3, 4, 5] and first["totalCount"] == 5
