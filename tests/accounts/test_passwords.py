"""Changing my password, and password reset links: issued by an administrator or a practitioner's own manager,
shown once and kept only as a hash, working once until they expire or a newer one replaces them, guessed at
no faster than sign-ins; using one ends every sign-in of the account. Accounts that sign in through their
organisation have no password here."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from server.audit.models import AuditEvent
from server.auth.service import token_digest
from server.db.engine import unit_of_work
from server.password_reset.models import PasswordReset
from tests.accounts.support import set_sso_only, token_of
from tests.auth_helpers import sign_in
from tests.builders import PASSWORD, create_agency, create_area, create_user, unique
from tests.graphql_client import code

NEW_PASSWORD = "a brand new long password"


def change(current: str, new: str) -> dict:
    return {"input": {"currentPassword": current, "newPassword": new}}


async def issue(gql, token: str, user) -> dict:
    return (await gql.data("PasswordResetIssue", {"input": {"userId": str(user.id)}}, token=token))[
        "passwordResetIssue"
    ]


def redeem(link: str, password: str = NEW_PASSWORD) -> dict:
    return {"input": {"token": token_of(link), "newPassword": password}}


async def test_changing_my_password_needs_the_current_one_and_ends_my_other_sign_ins(gql, sessions):
    # given a worker signed in on two devices
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.school)
    here, elsewhere = await sign_in(gql, user, fresh=True), await sign_in(gql, user, fresh=True)
    # when they give a wrong current password, or a new one that is too short
    wrong = await gql.error("PasswordChange", change("not my password", NEW_PASSWORD), token=here)
    short = await gql.error("PasswordChange", change(PASSWORD, "too short"), token=here)
    same = await gql.error("PasswordChange", change(PASSWORD, PASSWORD), token=here)
    # then each is refused naming its field, and nothing changed
    assert (code(wrong), wrong["extensions"]["field"]) == ("BAD_USER_INPUT", "currentPassword")
    assert (code(short), short["extensions"]["field"]) == ("BAD_USER_INPUT", "newPassword")
    assert (code(same), same["extensions"]["field"]) == ("BAD_USER_INPUT", "newPassword")
    assert (await gql.data("Me", token=elsewhere))["me"]["id"] == str(user.id)
    # when they change it properly
    assert (await gql.data("PasswordChange", change(PASSWORD, NEW_PASSWORD), token=here))["passwordChange"] is True
    # then this sign-in goes on, the other has ended, and only the new password signs in
    assert (await gql.data("Me", token=here))["me"]["id"] == str(user.id)
    assert code(await gql.error("Me", token=elsewhere)) == "UNAUTHENTICATED"
    assert code(await gql.error("Login", {"email": user.email, "password": PASSWORD})) == "UNAUTHENTICATED"
    assert (await gql.data("Login", {"email": user.email, "password": NEW_PASSWORD}))["authLogin"]["token"]


async def test_guessing_the_current_password_is_rate_limited_like_sign_in(gql, sessions):
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.school)
    token = await sign_in(gql, user, fresh=True)
    answers = [await gql.op("PasswordChange", change(f"guess number {n}", NEW_PASSWORD), token=token) for n in range(6)]
    assert [code(answer["errors"][0]) for answer in answers] == ["BAD_USER_INPUT"] * 5 + ["RATE_LIMITED"]
    # (the account's sign-in is limited as well: the guesses count as failed sign-ins)
    assert code(await gql.error("Login", {"email": user.email, "password": PASSWORD})) == "RATE_LIMITED"


async def test_an_account_that_signs_in_through_its_organisation_has_no_password_to_change_or_reset(gql, sessions):
    # given a worker with a session whose agency then moves to single sign-on only
    area = await create_area(sessions)
    police = await create_agency(sessions)
    officer = await create_user(sessions, agency=police)
    token = await sign_in(gql, officer, fresh=True)
    await set_sso_only(sessions, police)
    # then they have no password here to change, and no reset link is issued for them
    assert code(await gql.error("PasswordChange", change(PASSWORD, NEW_PASSWORD), token=token)) == "FORBIDDEN"
    refused = await gql.error(
        "PasswordResetIssue", {"input": {"userId": str(officer.id)}}, token=await sign_in(gql, area.admin)
    )
    assert code(refused) == "CONFLICT" and "organisation" in refused["message"]


async def test_a_manager_issues_a_link_for_their_own_practitioner_who_sets_a_new_password(gql, sessions):
    # given a practitioner signed in somewhere, and their manager
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.early_help)
    old_session = await sign_in(gql, user, fresh=True)
    manager = await sign_in(gql, area.manager)
    # when the manager issues a link
    issued = await issue(gql, manager, user)
    # then only its hash is kept, it expires within a day, and the issue is audited without the token
    token = token_of(issued["link"])
    async with sessions() as session:
        stored = (await session.exec(select(PasswordReset).where(PasswordReset.user_id == user.id))).one()
        audited = (
            await session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "passwordResetIssue", AuditEvent.actor_user_id == area.manager.id
                )
            )
        ).one()
    assert stored.token_hash == token_digest(token) and stored.issued_by_user_id == area.manager.id
    assert timedelta(hours=23) < stored.expires_at - stored.created_at <= timedelta(hours=24)
    assert token not in str(audited.detail)
    # when the practitioner uses it
    redeemed = (await gql.data("PasswordResetRedeem", redeem(issued["link"])))["passwordResetRedeem"]
    # then they are signed in, their old sign-in has ended, and the new password works
    assert redeemed["me"]["id"] == str(user.id)
    assert code(await gql.error("Me", token=old_session)) == "UNAUTHENTICATED"
    assert (await gql.data("Login", {"email": user.email, "password": NEW_PASSWORD}))["authLogin"]["token"]
    # and the link does not work twice
    again = await gql.error("PasswordResetRedeem", redeem(issued["link"], "yet another long password"))
    assert code(again) == "CONFLICT" and "already been used" in again["message"]


async def test_who_may_issue_a_link(gql, sessions):
    # given a manager, and accounts that are not their agency's practitioners
    area = await create_area(sessions)
    manager = await sign_in(gql, area.manager)
    fellow_manager = await create_user(sessions, agency=area.early_help, role=area.manager.role)
    for user in (area.colleague, fellow_manager, area.admin, area.ig):
        # then the manager does not find them
        error = await gql.error("PasswordResetIssue", {"input": {"userId": str(user.id)}}, token=manager)
        assert code(error) == "NOT_FOUND", (user.role, error)
    # and a practitioner or an IG officer issues none, even for a colleague of their own agency
    for token in (await sign_in(gql, area.lead), await sign_in(gql, area.ig)):
        refused = await gql.error("PasswordResetIssue", {"input": {"userId": str(area.lead.id)}}, token=token)
        assert code(refused) == "NOT_FOUND"
    # and an administrator issues one for anyone, a manager included
    assert (await issue(gql, await sign_in(gql, area.admin), fellow_manager))["link"]
    async with sessions() as session:
        kept = (await session.exec(select(PasswordReset).where(PasswordReset.user_id == area.colleague.id))).all()
    assert kept == []


async def test_a_newer_link_replaces_the_older_and_an_expired_one_is_refused(gql, sessions):
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.school)
    admin = await sign_in(gql, area.admin)
    older, newer = await issue(gql, admin, user), await issue(gql, admin, user)
    replaced = await gql.error("PasswordResetRedeem", redeem(older["link"]))
    assert code(replaced) == "CONFLICT" and "replaced" in replaced["message"]
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.update(PasswordReset)
            .where(PasswordReset.token_hash == token_digest(token_of(newer["link"])))
            .values(expires_at=sa.func.now() - sa.text("interval '1 minute'"))
        )
    expired = await gql.error("PasswordResetRedeem", redeem(newer["link"]))
    assert code(expired) == "CONFLICT" and "expired" in expired["message"]
    assert code(await gql.error("Login", {"email": user.email, "password": NEW_PASSWORD})) == "UNAUTHENTICATED"


async def test_a_short_password_keeps_the_link_and_unknown_links_are_rate_limited(gql, sessions):
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.school)
    issued = await issue(gql, await sign_in(gql, area.admin), user)
    short = await gql.error("PasswordResetRedeem", redeem(issued["link"], "short"))
    assert (code(short), short["extensions"]["field"]) == ("BAD_USER_INPUT", "newPassword")
    assert (await gql.data("PasswordResetRedeem", redeem(issued["link"])))["passwordResetRedeem"]["token"]
    guesses = [{"input": {"token": unique("guessed-token"), "newPassword": NEW_PASSWORD}}] * 6
    answers = [await gql.op("PasswordResetRedeem", guess) for guess in guesses]
    assert [code(answer["errors"][0]) for answer in answers] == ["NOT_FOUND"] * 5 + ["RATE_LIMITED"]


async def test_issuing_links_is_rate_limited_per_issuer(gql, sessions, settings):
    # given an administrator issuing links one after another
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin, fresh=True)
    user = await create_user(sessions, agency=area.school)
    limit = settings.rate_invites_per_window
    # when they issue more than a window allows (twice as many, as a window may turn over meanwhile)
    answers = []
    while len(answers) <= 2 * limit and "errors" not in (answers[-1] if answers else {}):
        answers.append(await gql.op("PasswordResetIssue", {"input": {"userId": str(user.id)}}, token=admin))
    # then one is refused, with when to try again, after at least a window's worth
    error = answers[-1]["errors"][0]
    assert code(error) == "RATE_LIMITED" and error["extensions"]["retryAfterSeconds"] > 0
    assert len(answers) > limit
