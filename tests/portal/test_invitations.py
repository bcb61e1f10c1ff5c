"""Portal invitations: only the lead professional issues them, for a member of their own family; the link
works once, until it expires or is cancelled; the token is kept only as a hash; issuing is audited."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from server.audit.models import AuditEvent, AuditOutcome
from server.auth.service import token_digest
from server.clock import utcnow
from server.portal.models import PortalInvitation
from server.user.models import User
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_family, create_family_member, issue_token, unique
from tests.graphql_client import code

NEW_PASSWORD = "a long family password"


def email() -> str:
    return f"{unique('parent')}@family.example"


async def invite(gql, token, family, member, address=None):
    variables = {"input": {"familyId": str(family.id), "familyMemberId": str(member.id), "email": address or email()}}
    return await gql.op("PortalInvitationIssue", variables, token=token)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


async def accept(gql, link, password=NEW_PASSWORD):
    return await gql.op("PortalInvitationAccept", {"input": {"token": token_of(link), "password": password}})


async def test_the_lead_professional_invites_and_the_parent_sets_a_password_and_is_signed_in(gql, sessions):
    # given a family and one of its members without an account
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    lead = await sign_in(gql, area.lead)
    address = email()
    # when the lead professional invites them
    issued = (await invite(gql, lead, area.family, member, address))["data"]["portalInvitationIssue"]
    # then a link with a token comes back, and only the token's hash is stored
    assert issued["link"].startswith("http") and "/#/portal/invite/" in issued["link"]
    assert issued["invitation"]["status"] == "pending" and issued["invitation"]["memberName"] == member.full_name
    token = token_of(issued["link"])
    async with sessions() as session:
        row = (await session.exec(select(PortalInvitation).where(PortalInvitation.family_member_id == member.id))).one()
        audit_row = (
            await session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "portalInvitationIssue", AuditEvent.family_id == area.family.id
                )
            )
        ).one()
    assert row.token_hash == token_digest(token) and token not in row.token_hash
    assert timedelta(days=6, hours=23) < row.expires_at - row.created_at <= timedelta(days=7)
    assert audit_row.actor_user_id == area.lead.id and audit_row.outcome is AuditOutcome.allowed
    assert token not in str(audit_row.detail)
    # when the parent opens the link and sets a password
    accepted = (await accept(gql, issued["link"]))["data"]["portalInvitationAccept"]
    # then they are signed in as a family member, can sign in again with the password, and see their family
    assert accepted["me"]["kind"] == "family" and accepted["me"]["displayName"] == member.full_name
    again = await gql.data("Login", {"email": address.upper(), "password": NEW_PASSWORD})
    assert again["authLogin"]["me"]["id"] == accepted["me"]["id"]
    summary = (await gql.data("PortalSummary", token=accepted["token"]))["portalSummary"]
    assert summary["familyId"] == str(area.family.id)
    async with sessions() as session:
        user = (await session.exec(select(User).where(User.family_member_id == member.id))).one()
    assert user.password_hash.startswith("$argon2id$")


async def test_only_the_lead_professional_may_issue(gql, sessions):
    # given a family, its lead, a colleague on the team, an outsider, a manager, an IG officer and a parent
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    parent = await create_family_member(sessions, family=area.family)
    parent_token = await _account_for(gql, sessions, area, parent)
    # when each of them but the lead tries to issue an invitation
    answers = {
        "colleague": await invite(gql, await sign_in(gql, area.colleague), area.family, member),
        "outsider": await invite(gql, await sign_in(gql, area.outsider), area.family, member),
        "manager": await invite(gql, await sign_in(gql, area.manager), area.family, member),
        "ig": await invite(gql, await sign_in(gql, area.ig), area.family, member),
        "admin": await invite(gql, await sign_in(gql, area.admin), area.family, member),
        "parent": await invite(gql, parent_token, area.family, member),
        "anonymous": await invite(gql, None, area.family, member),
    }
    # then the team member who may see the family is told no; the others are told there is no such family
    codes = {who: code(answer["errors"][0]) for who, answer in answers.items()}
    assert codes == {
        "colleague": "FORBIDDEN",
        "outsider": "NOT_FOUND",
        "manager": "FORBIDDEN",
        "ig": "NOT_FOUND",
        "admin": "NOT_FOUND",
        "parent": "FORBIDDEN",
        "anonymous": "UNAUTHENTICATED",
    }
    assert all(answer["data"] is None for answer in answers.values())
    async with sessions() as session:
        stored = (
            await session.exec(select(PortalInvitation).where(PortalInvitation.family_member_id == member.id))
        ).all()
        refused = (
            await session.exec(
                select(sa.func.count()).where(
                    AuditEvent.action == "portalInvitationIssue",
                    AuditEvent.family_id == area.family.id,
                    AuditEvent.outcome == AuditOutcome.denied,
                )
            )
        ).one()
    assert stored == [] and refused == 6


async def _account_for(gql, sessions, area, member) -> str:
    lead = await sign_in(gql, area.lead)
    issued = (await invite(gql, lead, area.family, member))["data"]["portalInvitationIssue"]
    return (await accept(gql, issued["link"]))["data"]["portalInvitationAccept"]["token"]


async def test_another_familys_member_cannot_be_invited(gql, sessions):
    # given the lead professional of two families
    area = await create_area(sessions)
    other = await create_family(sessions, lead=area.lead)
    stranger = await create_family_member(sessions, family=other)
    # when they invite the other family's member through this family
    answer = await invite(gql, await sign_in(gql, area.lead), area.family, stranger)
    # then there is no such person in this family
    assert code(answer["errors"][0]) == "NOT_FOUND"
    assert "No such person in this family" in answer["errors"][0]["message"]


async def test_an_invitation_works_once(gql, sessions):
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    issued = (await invite(gql, await sign_in(gql, area.lead), area.family, member))["data"]["portalInvitationIssue"]
    assert (await accept(gql, issued["link"]))["data"]["portalInvitationAccept"]["token"]
    # when the link is used again, even with another password
    again = await accept(gql, issued["link"], password="someone else's password")
    # then it is refused in words, and the first password still works
    assert code(again["errors"][0]) == "CONFLICT" and "already been used" in again["errors"][0]["message"]


async def test_an_expired_invitation_is_refused(gql, sessions):
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    issued = (await invite(gql, await sign_in(gql, area.lead), area.family, member))["data"]["portalInvitationIssue"]
    async with sessions() as session:
        await session.exec(
            sa.update(PortalInvitation)
            .where(PortalInvitation.id == issued["invitation"]["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        await session.commit()
    answer = await accept(gql, issued["link"])
    assert code(answer["errors"][0]) == "CONFLICT" and "expired" in answer["errors"][0]["message"]
    listed = await gql.data("PortalInvitations", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    assert [row["status"] for row in listed["portalInvitations"]] == ["expired"]


async def test_the_lead_sees_pending_invitations_and_revokes_one(gql, sessions):
    # given a pending invitation
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    lead = await sign_in(gql, area.lead)
    issued = (await invite(gql, lead, area.family, member))["data"]["portalInvitationIssue"]
    listed = (await gql.data("PortalInvitations", {"familyId": str(area.family.id)}, token=lead))["portalInvitations"]
    assert [(row["id"], row["status"]) for row in listed] == [(issued["invitation"]["id"], "pending")]
    # when a colleague tries to revoke it, then the lead does
    colleague = await gql.op(
        "PortalInvitationRevoke", {"invitationId": issued["invitation"]["id"]}, token=await sign_in(gql, area.colleague)
    )
    revoked = await gql.data("PortalInvitationRevoke", {"invitationId": issued["invitation"]["id"]}, token=lead)
    # then only the lead's revocation counts, and the link no longer works
    assert code(colleague["errors"][0]) == "NOT_FOUND"
    assert revoked["portalInvitationRevoke"]["status"] == "revoked"
    answer = await accept(gql, issued["link"])
    assert code(answer["errors"][0]) == "CONFLICT" and "cancelled" in answer["errors"][0]["message"]
    # and the colleague cannot list the family's invitations either
    listing = await gql.op(
        "PortalInvitations", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.colleague)
    )
    assert code(listing["errors"][0]) == "FORBIDDEN"


async def test_a_new_invitation_cancels_the_earlier_one(gql, sessions):
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    lead = await sign_in(gql, area.lead)
    first = (await invite(gql, lead, area.family, member))["data"]["portalInvitationIssue"]
    second = (await invite(gql, lead, area.family, member))["data"]["portalInvitationIssue"]
    assert code((await accept(gql, first["link"]))["errors"][0]) == "CONFLICT"
    assert (await accept(gql, second["link"]))["data"]["portalInvitationAccept"]["me"]["kind"] == "family"
    # and someone with an account cannot be invited again
    third = await invite(gql, lead, area.family, member)
    assert code(third["errors"][0]) == "CONFLICT" and "already has a portal account" in third["errors"][0]["message"]


async def test_an_email_address_already_in_use_is_refused_in_words(gql, sessions):
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    answer = await invite(gql, await sign_in(gql, area.lead), area.family, member, area.colleague.email)
    assert code(answer["errors"][0]) == "CONFLICT"
    assert answer["errors"][0]["message"] == "Another account already uses that email address. Use a different one."
    malformed = await invite(gql, await sign_in(gql, area.lead), area.family, member, "not an address")
    assert code(malformed["errors"][0]) == "BAD_USER_INPUT"


async def test_password_rules_are_the_same_as_for_staff(gql, sessions):
    area = await create_area(sessions)
    member = await create_family_member(sessions, family=area.family)
    issued = (await invite(gql, await sign_in(gql, area.lead), area.family, member))["data"]["portalInvitationIssue"]
    short = await accept(gql, issued["link"], password="too short")
    assert code(short["errors"][0]) == "BAD_USER_INPUT" and "at least 12 characters" in short["errors"][0]["message"]
    # the refused password did not use up the invitation
    assert (await accept(gql, issued["link"]))["data"]["portalInvitationAccept"]["token"]


async def test_unknown_links_are_refused_and_guessing_is_rate_limited(gql):
    guess = unique("not-a-real-token")
    answers = [
        await gql.op("PortalInvitationAccept", {"input": {"token": guess, "password": NEW_PASSWORD}}) for _ in range(6)
    ]
    assert [code(answer["errors"][0]) for answer in answers] == ["NOT_FOUND"] * 5 + ["RATE_LIMITED"]
    assert (
        "not valid" in answers[0]["errors"][0]["message"] and "Too many attempts" in answers[5]["errors"][0]["message"]
    )


async def test_a_family_account_sees_only_its_own_family(gql, sessions):
    # given a parent of one family and another family led by the same lead
    area = await create_area(sessions)
    other = await create_family(sessions, lead=area.lead)
    parent = await create_family_member(sessions, family=area.family)
    token = await _account_for(gql, sessions, area, parent)
    # when the parent asks for the other family's portal page, record and items by id
    summary = await gql.op("PortalSummary", {"familyId": str(other.id)}, token=token)
    record = await gql.op("Family", {"id": str(other.id)}, token=token)
    invitations = await gql.op("PortalInvitations", {"familyId": str(other.id)}, token=token)
    # then each is answered as if the family did not exist
    assert [code(answer["errors"][0]) for answer in (summary, record, invitations)] == ["NOT_FOUND"] * 3
    assert summary["data"] is None and record["data"] is None
    # and a staff member has no portal page: none of their own, and not the family's
    lead = await issue_token(sessions, area.lead)
    own = await gql.op("PortalSummary", token=lead)
    family_page = await gql.op("PortalSummary", {"familyId": str(area.family.id)}, token=lead)
    assert code(own["errors"][0]) == "NOT_FOUND" and code(family_page["errors"][0]) == "FORBIDDEN"
