"""Every mutation and family read, tried by every kind of actor who must not succeed: nothing changes
and nothing is returned. (The decision table covers who may read which item; this covers the rest.)"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.auth.models import SessionToken
from server.auth.service import token_digest
from server.db.engine import unit_of_work
from tests.builders import (
    create_area,
    create_consent,
    create_contribution,
    create_family,
    create_family_member,
    create_family_user,
    create_override,
    create_user,
    issue_token,
)
from tests.db_helpers import row_counts

HOSTILE = [
    "no_token",
    "expired_token",
    "forged_token",
    "other_agency",
    "left_team",
    "ig_officer",
    "admin",
    "family_member",
    "other_family_member",
]
REFUSALS = {"UNAUTHENTICATED", "NOT_FOUND", "FORBIDDEN"}


@pytest.fixture(scope="module")
async def target(sessions):
    area = await create_area(sessions)
    leaver = await create_user(sessions, agency=area.school)
    family = await create_family(sessions, lead=area.lead, contributors=(area.colleague, leaver))
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.text("UPDATE team_membership SET valid_to = now() WHERE user_id = :u"), params={"u": leaver.id}
        )
    item = await create_contribution(sessions, family=family, author=area.colleague, category="education")
    consent = await create_consent(sessions, family=family, recorded_by=area.lead, categories=["health"])
    override = await create_override(
        sessions, family=family, decided_by=area.colleague, categories=["education"], recipients=[area.early_help]
    )
    expired = await issue_token(sessions, area.lead)
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.update(SessionToken)
            .where(SessionToken.token_hash == token_digest(expired))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    stranger = await create_family(sessions, lead=area.outsider)
    tokens = {
        "no_token": None,
        "expired_token": expired,
        "forged_token": "forged-" + uuid.uuid4().hex,
        "other_agency": await issue_token(sessions, area.outsider),
        "left_team": await issue_token(sessions, leaver),
        "ig_officer": await issue_token(sessions, area.ig),
        "admin": await issue_token(sessions, area.admin),
        "family_member": await issue_token(sessions, await create_family_user(sessions, family=family)),
        "other_family_member": await issue_token(sessions, await create_family_user(sessions, family=stranger)),
    }
    member = await create_family_member(sessions, family=family)
    return {
        "family": family,
        "item": item,
        "consent": consent,
        "override": override,
        "tokens": tokens,
        "area": area,
        "member": member,
    }


def mutations(t) -> list[tuple[str, dict]]:
    family_id, area = str(t["family"].id), t["area"]
    expires = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    return [
        ("FamilyUpdate", {"input": {"familyId": family_id, "expectedVersion": 1, "status": "closed"}}),
        ("FamilyMemberAdd", {"input": {"familyId": family_id, "member": {"fullName": "X", "relationship": "uncle"}}}),
        (
            "TeamMemberAdd",
            {"input": {"familyId": family_id, "userId": str(area.outsider.id), "contact": {"agencyRole": "intruder"}}},
        ),
        ("LeadProfessionalSet", {"input": {"familyId": family_id, "userId": str(area.outsider.id)}}),
        (
            "ContributionAdd",
            {
                "input": {
                    "familyId": family_id,
                    "kind": "update",
                    "category": "police",
                    "title": "<script>alert(1)</script>",
                    "body": "'; DROP TABLE family; --",
                }
            },
        ),
        (
            "ContributionEdit",
            {"input": {"contributionId": str(t["item"].id), "expectedVersion": 1, "title": "rewritten"}},
        ),
        (
            "ConsentRecord",
            {
                "input": {
                    "familyId": family_id,
                    "givenByMemberId": str(uuid.uuid4()),
                    "capacity": "self",
                    "decision": "given",
                    "categories": ["police"],
                    "purpose": "x",
                    "wholeTeam": True,
                }
            },
        ),
        ("ConsentWithdraw", {"input": {"consentId": str(t["consent"].id), "reason": "x"}}),
        ("EngagementRecord", {"input": {"familyId": family_id, "memberId": str(uuid.uuid4()), "agreed": False}}),
        (
            "SafeguardingOverrideRecord",
            {
                "input": {
                    "familyId": family_id,
                    "categories": ["health"],
                    "recipientAgencyIds": [str(area.school.id)],
                    "justification": "a long enough justification for the attack",
                    "lawfulBasis": "vital_interests",
                    "expiresAt": expires,
                    "familyInformed": True,
                }
            },
        ),
        (
            "SharingDecisionRecord",
            {
                "input": {
                    "familyId": family_id,
                    "categories": ["health"],
                    "recipientAgencyIds": [str(area.school.id)],
                    "reason": "x",
                }
            },
        ),
        ("SafeguardingOverrideRevoke", {"input": {"overrideId": str(t["override"].id), "reason": "x"}}),
        (
            "PortalInvitationIssue",
            {"input": {"familyId": family_id, "familyMemberId": str(t["member"].id), "email": "intruder@x.example"}},
        ),
    ]


def reads(t) -> list[tuple[str, dict]]:
    family_id = str(t["family"].id)
    return [
        ("Family", {"id": family_id}),
        ("FamilyContributions", {"familyId": family_id}),
        ("Contribution", {"id": str(t["item"].id)}),
        ("FamilyConsents", {"familyId": family_id}),
        ("FamilySafeguarding", {"familyId": family_id}),
        ("FamilyChronology", {"familyId": family_id}),
        ("ConsentPicture", {"familyId": family_id}),
        ("PortalInvitations", {"familyId": family_id}),
        ("PortalSummary", {"familyId": family_id}),
    ]


@pytest.mark.parametrize("actor", HOSTILE)
async def test_no_hostile_actor_changes_anything(gql, sessions, target, actor):
    token = target["tokens"][actor]
    for name, variables in mutations(target):
        if actor == "ig_officer" and name == "SafeguardingOverrideRevoke":
            continue  # IG officers may revoke (the decision table's IG rows and test_overrides cover it)
        before = await row_counts(sessions)
        result = await gql.op(name, variables, token=token)
        assert result.get("data") is None, (actor, name, result)
        assert {error["extensions"]["code"] for error in result["errors"]} <= REFUSALS | {"BAD_USER_INPUT"}, (
            actor,
            name,
            result,
        )
        assert await row_counts(sessions) == before, (actor, name)


@pytest.mark.parametrize("actor", HOSTILE)
async def test_no_hostile_actor_reads_the_item_or_its_family(gql, target, actor):
    token = target["tokens"][actor]
    item = target["item"]
    for name, variables in reads(target):
        result = await gql.op(name, variables, token=token)
        text = str(result)
        assert item.title not in text and item.body not in text, (actor, name)
        if actor != "family_member":  # their own family's record is theirs to see; the item is not
            assert result.get("data") is None, (actor, name, result)
            assert {error["extensions"]["code"] for error in result["errors"]} <= REFUSALS, (actor, name, result)
