from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from server.audit.models import AuditEvent
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_user
from tests.db_helpers import row_counts
from tests.graphql_client import code


def referral(**overrides) -> dict:
    value = {
        "displayName": "The Rivers family",
        "levelOfNeed": "targeted",
        "members": [
            {"fullName": "Amy Rivers", "relationship": "mother", "dateOfBirth": "1990-02-03"},
            {
                "fullName": "Leo Rivers",
                "relationship": "son",
                "dateOfBirth": "2015-07-09",
                "isSubjectChild": True,
            },
        ],
        "leadContact": {
            "agencyRole": "Family support",
            "contactInHours": "01632 960001",
            "contactOutOfHours": "Emergency Duty Team",
        },
    }
    return {**value, **overrides}


async def test_a_practitioner_opens_a_referral_and_leads_it(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    token = await sign_in(gql, user)
    family = (await gql.data("FamilyOpen", {"input": referral()}, token=token))["familyOpen"]
    assert family["status"] == "referral"
    assert family["reference"].startswith("TAF-")
    assert [m["fullName"] for m in family["members"]] == ["Amy Rivers", "Leo Rivers"]
    assert [(t["role"], t["worker"]["id"]) for t in family["team"]] == [("lead_professional", str(user.id))]
    caseload = (await gql.data("Caseload", token=token))["families"]
    assert family["id"] in [node["id"] for node in caseload["nodes"]]


async def test_opening_a_referral_for_another_lead_puts_them_on_the_team(gql, sessions):
    area = await create_area(sessions)
    variables = {"input": referral(leadProfessionalUserId=str(area.colleague.id))}
    family = (await gql.data("FamilyOpen", variables, token=await sign_in(gql, area.manager)))["familyOpen"]
    colleague_token = await sign_in(gql, area.colleague)
    assert (await gql.data("Family", {"id": family["id"]}, token=colleague_token))["family"]["team"][0]["role"] == (
        "lead_professional"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"displayName": "   "}, "displayName"),
        ({"members": []}, "members"),
        ({"members": [{"fullName": "Amy", "relationship": "mother"}]}, "members"),  # no subject child
        (
            {
                "members": [
                    {
                        "fullName": "Leo",
                        "relationship": "son",
                        "isSubjectChild": True,
                        "dateOfBirth": "2999-01-01",
                    }
                ]
            },
            "dateOfBirth",
        ),
        ({"displayName": "x" * 201}, "displayName"),
        ({"leadContact": {"agencyRole": ""}}, "agencyRole"),
        ({"leadProfessionalUserId": "not-an-id"}, "leadProfessionalUserId"),
        ({"leadProfessionalUserId": str(uuid.uuid4())}, "userId"),
    ],
)
async def test_a_bad_referral_is_refused_and_changes_nothing(gql, sessions, change, field):
    user = await create_user(sessions, agency=await create_agency(sessions))
    token = await sign_in(gql, user)
    before = await row_counts(sessions)
    error = await gql.error("FamilyOpen", {"input": referral(**change)}, token=token)
    assert code(error) == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert await row_counts(sessions) == before


@pytest.mark.parametrize("who", ["ig", "admin"])
async def test_governance_and_admin_accounts_cannot_open_referrals(gql, sessions, who):
    area = await create_area(sessions)
    before = await row_counts(sessions)
    error = await gql.error("FamilyOpen", {"input": referral()}, token=await sign_in(gql, getattr(area, who)))
    assert code(error) == "FORBIDDEN"
    assert await row_counts(sessions) == before


async def test_a_wrongly_typed_variable_is_bad_user_input_and_changes_nothing(gql, sessions):
    user = await create_user(sessions, agency=await create_agency(sessions))
    before = await row_counts(sessions)
    error = await gql.error("FamilyOpen", {"input": referral(levelOfNeed="desperate")}, token=await sign_in(gql, user))
    assert code(error) == "BAD_USER_INPUT"
    assert await row_counts(sessions) == before


async def test_the_lead_updates_status_and_a_stale_version_gets_a_conflict(gql, sessions):
    # given the lead and a colleague both read version 1
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    family_id = str(area.family.id)
    # when the lead changes the level of need
    first = await gql.data(
        "FamilyUpdate",
        {"input": {"familyId": family_id, "expectedVersion": 1, "levelOfNeed": "specialist"}},
        token=token,
    )
    # and a second change is made against the old version
    stale = await gql.error(
        "FamilyUpdate",
        {"input": {"familyId": family_id, "expectedVersion": 1, "status": "stepped_down"}},
        token=token,
    )
    # then the first wins, the second is a conflict, and nothing was overwritten
    assert first["familyUpdate"]["version"] == 2
    assert code(stale) == "CONFLICT"
    family = (await gql.data("Family", {"id": family_id}, token=token))["family"]
    assert (family["levelOfNeed"], family["status"], family["version"]) == ("specialist", "active", 2)


async def test_closing_and_reopening_go_through_their_own_mutations(gql, sessions):
    # closing needs an outcome and a sustainability plan (familyClose), re-opening a reason (familyReopen)
    area = await create_area(sessions)
    variables = {"input": {"familyId": str(area.family.id), "expectedVersion": 1, "status": "closed"}}
    error = await gql.error("FamilyUpdate", variables, token=await sign_in(gql, area.lead))
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "status")


@pytest.mark.parametrize(
    ("who", "expected"), [("colleague", "FORBIDDEN"), ("outsider", "NOT_FOUND"), ("manager", "FORBIDDEN")]
)
async def test_only_the_lead_changes_the_family(gql, sessions, who, expected):
    area = await create_area(sessions)
    variables = {"input": {"familyId": str(area.family.id), "expectedVersion": 1, "status": "stepped_down"}}
    error = await gql.error("FamilyUpdate", variables, token=await sign_in(gql, getattr(area, who)))
    assert code(error) == expected


async def test_every_change_and_every_refusal_is_audited(gql, sessions):
    area = await create_area(sessions)
    variables = {"input": {"familyId": str(area.family.id), "expectedVersion": 1, "status": "assessment"}}
    await gql.data("FamilyUpdate", variables, token=await sign_in(gql, area.lead))
    await gql.error("FamilyUpdate", variables, token=await sign_in(gql, area.colleague))
    async with sessions() as session:
        events = (
            await session.exec(select(AuditEvent).where(AuditEvent.family_id == area.family.id).order_by(AuditEvent.id))
        ).all()
    assert [(e.action, e.actor_user_id, e.outcome.value) for e in events] == [
        ("familyUpdate", area.lead.id, "allowed"),
        ("familyUpdate", area.colleague.id, "denied"),
    ]


async def test_the_lead_adds_a_family_member(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    member = {"fullName": "Nan Rivers", "relationship": "grandmother"}
    added = (
        await gql.data("FamilyMemberAdd", {"input": {"familyId": str(area.family.id), "member": member}}, token=token)
    )["familyMemberAdd"]
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=token))["family"]
    assert added["id"] in [m["id"] for m in family["members"]]
    assert added["isSubjectChild"] is False
