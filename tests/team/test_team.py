from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from server.team.models import TeamMembership
from server.user.models import SystemRole
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_user
from tests.db_helpers import row_counts
from tests.graphql_client import code

CONTACT = {
    "agencyRole": "Attendance support and mentoring",
    "contactInHours": "01632 960123",
    "contactOutOfHours": "Emergency Duty Team 0300 555 0100",
}


async def test_the_lead_adds_a_worker_who_then_sees_the_family(gql, sessions):
    # given
    area = await create_area(sessions)
    lead_token = await sign_in(gql, area.lead)
    outsider_token = await sign_in(gql, area.outsider)
    assert code(await gql.error("Family", {"id": str(area.family.id)}, token=outsider_token)) == "NOT_FOUND"
    # when
    added = (
        await gql.data(
            "TeamMemberAdd",
            {"input": {"familyId": str(area.family.id), "userId": str(area.outsider.id), "contact": CONTACT}},
            token=lead_token,
        )
    )["teamMemberAdd"]
    # then
    assert (added["role"], added["agencyRole"]) == ("contributor", CONTACT["agencyRole"])
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=outsider_token))["family"]
    mine = next(t for t in family["team"] if t["worker"]["id"] == str(area.outsider.id))
    assert mine["contactOutOfHours"] == CONTACT["contactOutOfHours"]


async def test_a_worker_who_leaves_the_team_loses_access_at_once(gql, sessions):
    area = await create_area(sessions)
    lead_token = await sign_in(gql, area.lead)
    colleague_token = await sign_in(gql, area.colleague)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=lead_token))["family"]
    membership = next(t for t in family["team"] if t["worker"]["id"] == str(area.colleague.id))
    ended = (
        await gql.data(
            "TeamMemberEnd",
            {"input": {"membershipId": membership["id"], "reason": "case closed by school"}},
            token=lead_token,
        )
    )["teamMemberEnd"]
    assert ended["validTo"] is not None
    assert code(await gql.error("Family", {"id": str(area.family.id)}, token=colleague_token)) == "NOT_FOUND"
    caseload = (await gql.data("Caseload", token=colleague_token))["families"]
    assert caseload["totalCount"] == 0


async def test_the_lead_cannot_simply_leave(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=token))["family"]
    lead = family["team"][0]
    error = await gql.error(
        "TeamMemberEnd", {"input": {"membershipId": lead["id"], "reason": "moving on"}}, token=token
    )
    assert code(error) == "CONFLICT"


async def test_handing_over_the_lead_keeps_exactly_one_lead(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    new_lead = (
        await gql.data(
            "LeadProfessionalSet",
            {"input": {"familyId": str(area.family.id), "userId": str(area.colleague.id)}},
            token=token,
        )
    )["leadProfessionalSet"]
    assert new_lead["role"] == "lead_professional"
    assert new_lead["agencyRole"] == "test role"  # carried over from their contributor membership
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=await sign_in(gql, area.colleague)))["family"]
    roles = {t["worker"]["id"]: t["role"] for t in family["team"]}
    assert roles == {str(area.colleague.id): "lead_professional", str(area.lead.id): "contributor"}
    # the previous lead can no longer change the team
    error = await gql.error(
        "TeamMemberAdd",
        {"input": {"familyId": str(area.family.id), "userId": str(area.outsider.id), "contact": CONTACT}},
        token=token,
    )
    assert code(error) == "FORBIDDEN"


async def test_concurrent_hand_overs_leave_one_lead(gql, sessions):
    area = await create_area(sessions)
    second = await create_user(sessions, agency=area.school)
    token = await sign_in(gql, area.lead)
    results = await asyncio.gather(
        *(
            gql.op(
                "LeadProfessionalSet",
                {"input": {"familyId": str(area.family.id), "userId": str(user.id), "contact": CONTACT}},
                token=token,
            )
            for user in (area.colleague, second)
        )
    )
    # then one succeeds, and the other, decided after the first committed, finds the caller no longer leads
    assert sorted(result["errors"][0]["extensions"]["code"] if "errors" in result else "ok" for result in results) == [
        "FORBIDDEN",
        "ok",
    ]
    async with sessions() as session:
        leads = (
            await session.exec(
                sa.select(sa.func.count())
                .select_from(TeamMembership)
                .where(
                    TeamMembership.family_id == area.family.id,
                    TeamMembership.role == "lead_professional",
                    TeamMembership.valid_to.is_(None),
                )
            )
        ).one()[0]
    assert leads == 1


async def test_the_managers_of_the_leads_agency_can_reassign_the_lead(gql, sessions):
    area = await create_area(sessions)
    variables = {"input": {"familyId": str(area.family.id), "userId": str(area.colleague.id), "contact": CONTACT}}
    assert await gql.data("LeadProfessionalSet", variables, token=await sign_in(gql, area.manager))


async def test_team_changes_by_others_are_refused_and_change_nothing(gql, sessions):
    area = await create_area(sessions)
    variables = {"input": {"familyId": str(area.family.id), "userId": str(area.outsider.id), "contact": CONTACT}}
    before = await row_counts(sessions)
    by_colleague = await gql.error("TeamMemberAdd", variables, token=await sign_in(gql, area.colleague))
    by_outsider = await gql.error("TeamMemberAdd", variables, token=await sign_in(gql, area.outsider))
    by_other_manager = await gql.error("TeamMemberAdd", variables, token=await sign_in(gql, area.other_manager))
    assert [code(by_colleague), code(by_outsider), code(by_other_manager)] == [
        "FORBIDDEN",
        "NOT_FOUND",
        "NOT_FOUND",
    ]
    assert await row_counts(sessions) == before


async def test_only_practitioners_and_managers_can_join_a_team(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    for user_id in (area.ig.id, area.admin.id, uuid.uuid4()):
        variables = {"input": {"familyId": str(area.family.id), "userId": str(user_id), "contact": CONTACT}}
        assert code(await gql.error("TeamMemberAdd", variables, token=token)) == "BAD_USER_INPUT"
    twice = {"input": {"familyId": str(area.family.id), "userId": str(area.colleague.id), "contact": CONTACT}}
    before = await row_counts(sessions)
    assert code(await gql.error("TeamMemberAdd", twice, token=token)) == "CONFLICT"
    # and the refused additions saved nothing: no membership, no event for the team, no allowed audit event
    assert await row_counts(sessions) == before
    async with sessions() as session:
        told = await session.exec(
            sa.text("SELECT count(*) FROM notification_outbox WHERE family_id = :f"), params={"f": area.family.id}
        )
        audited = await session.exec(
            sa.text(
                "SELECT count(*) FROM audit_event"
                " WHERE family_id = :f AND action = 'teamMemberAdd' AND outcome = 'allowed'"
            ),
            params={"f": area.family.id},
        )
        assert (told.scalar_one(), audited.scalar_one()) == (0, 0)


async def test_a_membership_of_a_hidden_family_answers_like_a_missing_one(gql, sessions):
    area = await create_area(sessions)
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=await sign_in(gql, area.lead)))["family"]
    token = await sign_in(gql, area.outsider)
    hidden = await gql.op(
        "TeamMemberEnd", {"input": {"membershipId": family["team"][1]["id"], "reason": "x"}}, token=token
    )
    missing = await gql.op("TeamMemberEnd", {"input": {"membershipId": str(uuid.uuid4()), "reason": "x"}}, token=token)
    assert hidden == missing


async def test_the_staff_directory_lists_team_eligible_colleagues(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    people = (await gql.data("StaffDirectory", {"agencyId": str(area.early_help.id)}, token=token))["staffDirectory"]
    roles = {p["id"]: p["role"] for p in people}
    assert roles == {str(area.lead.id): "practitioner", str(area.manager.id): "manager"}
    assert SystemRole.ig_officer.value not in roles.values()
