from __future__ import annotations

import uuid

import pytest

from server.family.models import FamilyStatus, LevelOfNeed
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_family, create_user
from tests.graphql_client import code


async def test_a_practitioner_sees_only_the_families_whose_team_they_are_on(gql, sessions):
    # given
    area = await create_area(sessions)
    other_family = await create_family(sessions, lead=area.outsider)
    # when
    caseload = (await gql.data("Caseload", token=await sign_in(gql, area.colleague)))["families"]
    # then
    assert [node["id"] for node in caseload["nodes"]] == [str(area.family.id)]
    assert caseload["totalCount"] == 1
    assert str(other_family.id) not in str(caseload)


@pytest.mark.parametrize(
    ("who", "sees_family"),
    [
        ("lead", True),
        ("colleague", True),
        ("outsider", False),  # same agency as a team member, but not on the team
        ("manager", True),  # manager of an agency on the team
        ("other_manager", False),
        ("ig", False),  # information governance: no case content
        ("admin", False),  # administrators: no case content
    ],
)
async def test_who_can_open_a_family(gql, sessions, who, sees_family):
    area = await create_area(sessions)
    token = await sign_in(gql, getattr(area, who))
    result = await gql.op("Family", {"id": str(area.family.id)}, token=token)
    caseload = (await gql.data("Caseload", token=token))["families"]
    if sees_family:
        assert result["data"]["family"]["id"] == str(area.family.id)
        assert str(area.family.id) in [node["id"] for node in caseload["nodes"]]
    else:
        assert result["data"] is None
        assert code(result["errors"][0]) == "NOT_FOUND"
        assert caseload["nodes"] == [] if who != "outsider" else str(area.family.id) not in str(caseload)


async def test_a_hidden_family_answers_exactly_like_a_missing_one(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.outsider)
    hidden = await gql.op("Family", {"id": str(area.family.id)}, token=token)
    missing = await gql.op("Family", {"id": str(uuid.uuid4())}, token=token)
    assert hidden == missing


async def test_the_caseload_pages_through_every_family_once(gql, sessions):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    created = {str((await create_family(sessions, lead=lead)).id) for _ in range(5)}
    token = await sign_in(gql, lead)
    seen, after, pages = [], None, 0
    while True:
        page = (await gql.data("Caseload", {"first": 2, "after": after}, token=token))["families"]
        seen += [node["id"] for node in page["nodes"]]
        pages += 1
        assert page["totalCount"] == 5
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert sorted(seen) == sorted(created)


async def test_the_caseload_filters_by_status_and_level_of_need(gql, sessions):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    wanted = await create_family(
        sessions, lead=lead, status=FamilyStatus.assessment, level_of_need=LevelOfNeed.specialist
    )
    await create_family(sessions, lead=lead, status=FamilyStatus.assessment, level_of_need=LevelOfNeed.targeted)
    await create_family(sessions, lead=lead, status=FamilyStatus.active, level_of_need=LevelOfNeed.specialist)
    token = await sign_in(gql, lead)
    page = await gql.data("Caseload", {"status": "assessment", "levelOfNeed": "specialist"}, token=token)
    assert [node["id"] for node in page["families"]["nodes"]] == [str(wanted.id)]


@pytest.mark.parametrize(
    ("variables", "field"), [({"first": 0}, "first"), ({"first": 101}, "first"), ({"after": "%%%"}, "after")]
)
async def test_bad_paging_arguments_are_bad_user_input(gql, sessions, variables, field):
    user = await create_user(sessions, agency=await create_agency(sessions))
    error = await gql.error("Caseload", variables, token=await sign_in(gql, user))
    assert code(error) == "BAD_USER_INPUT"
