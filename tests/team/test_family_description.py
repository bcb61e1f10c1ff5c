"""What a team member does, in words for the family: the lead writes it when adding a member or later;
the portal shows it, or else what the member's role on the plan means, and never the agency's own role
text (written for staff)."""

from __future__ import annotations

import uuid

import pytest

from server.portal.summary import ROLE_FOR_FAMILIES
from server.team.models import TeamRole
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_family_user, issue_token
from tests.graphql_client import code

STAFF_WORDS = "Operation Encompass liaison; chairs TAF meetings"


async def portal_team(gql, sessions, area) -> dict[str, str]:
    parent = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    summary = (await gql.data("PortalSummary", token=parent))["portalSummary"]
    assert "Operation Encompass" not in str(summary)
    return {member["name"]: member["whatTheyDo"] for member in summary["team"]}


async def test_the_family_reads_the_words_written_for_them_and_never_the_staff_role(gql, sessions):
    # given the lead adds the school's worker with staff role text and words for the family
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    contact = {"agencyRole": STAFF_WORDS, "familyDescription": "  Helps Sam get to school every day  "}
    add = {"familyId": str(area.family.id), "userId": str(area.outsider.id), "contact": contact}
    added = (await gql.data("TeamMemberAdd", {"input": add}, token=lead))["teamMemberAdd"]
    assert (added["agencyRole"], added["familyDescription"]) == (STAFF_WORDS, "Helps Sam get to school every day")
    # when a parent opens the portal, then they read those words, and the lead's role explained
    team = await portal_team(gql, sessions, area)
    assert team[area.outsider.display_name] == "Helps Sam get to school every day"
    assert team[area.lead.display_name] == ROLE_FOR_FAMILIES[TeamRole.lead_professional]
    assert team[area.colleague.display_name] == ROLE_FOR_FAMILIES[TeamRole.contributor]
    # and when the lead rewrites them, and later clears them, the portal follows
    describe = {"membershipId": added["id"], "familyDescription": "Meets Sam at the gate each morning"}
    await gql.data("TeamMemberDescribe", {"input": describe}, token=lead)
    assert (await portal_team(gql, sessions, area))[area.outsider.display_name] == describe["familyDescription"]
    await gql.data("TeamMemberDescribe", {"input": {**describe, "familyDescription": ""}}, token=lead)
    team = await portal_team(gql, sessions, area)
    assert team[area.outsider.display_name] == ROLE_FOR_FAMILIES[TeamRole.contributor]


@pytest.mark.parametrize(
    "words",
    ["x" * 301, "Helps at school\nand at home", "<b>Helps</b> at school", "Helps\tat school"],
    ids=["too long", "two lines", "markup", "control character"],
)
async def test_words_for_the_family_are_plain_words_on_one_line(gql, sessions, words):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]
    membership = next(t for t in family["team"] if t["worker"]["id"] == str(area.colleague.id))
    error = await gql.error(
        "TeamMemberDescribe", {"input": {"membershipId": membership["id"], "familyDescription": words}}, token=lead
    )
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "familyDescription")
    add = {
        "familyId": str(area.family.id),
        "userId": str(area.outsider.id),
        "contact": {"agencyRole": "Mentor", "familyDescription": words},
    }
    error = await gql.error("TeamMemberAdd", {"input": add}, token=lead)
    assert code(error) == "BAD_USER_INPUT"
    assert await portal_team(gql, sessions, area) == {
        area.lead.display_name: ROLE_FOR_FAMILIES[TeamRole.lead_professional],
        area.colleague.display_name: ROLE_FOR_FAMILIES[TeamRole.contributor],
    }


async def test_only_the_lead_describes_members_and_a_foreign_id_is_not_found(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]
    membership = next(t for t in family["team"] if t["worker"]["id"] == str(area.colleague.id))
    describe = {"membershipId": membership["id"], "familyDescription": "Helps at school"}
    colleague = await sign_in(gql, area.colleague)
    assert code(await gql.error("TeamMemberDescribe", {"input": describe}, token=colleague)) == "FORBIDDEN"
    outsider = await sign_in(gql, area.outsider)
    assert code(await gql.error("TeamMemberDescribe", {"input": describe}, token=outsider)) == "NOT_FOUND"
    missing = {**describe, "membershipId": str(uuid.uuid4())}
    assert code(await gql.error("TeamMemberDescribe", {"input": missing}, token=lead)) == "NOT_FOUND"
