"""Administrators create, change, deactivate and reactivate staff accounts and agencies: through the
enforcement point, audited, with field-named refusals, conflicts for stale edits, and nothing half-saved.
Deactivation ends the account's sign-ins at once, its open websockets included, on every instance."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlmodel import select

from server.audit.models import AuditEvent, AuditOutcome
from server.auth.service import token_digest
from server.password_reset.models import PasswordReset
from tests import ws_client
from tests.accounts.support import account_of, editing, new_account, set_sso_only, token_of
from tests.auth_helpers import sign_in
from tests.builders import PASSWORD, create_agency, create_area, create_user, unique
from tests.graphql_client import code
from tests.notifications.test_notification_revocation import closed_with

FIRST_PASSWORD = "three words for school"


async def count_users(sessions) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text("SELECT count(*) FROM app_user"))).one()[0]


async def test_an_administrator_creates_an_account_whose_holder_sets_a_password_with_the_link(gql, sessions):
    # given an administrator
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    details = new_account(area.school.id)
    # when they create an account
    created = (await gql.data("AccountCreate", {"input": details}, token=admin))["accountCreate"]
    # then it is an active account without a password, with a one-time link to choose one
    account = created["account"]
    assert account["email"] == details["email"] and account["agency"]["id"] == str(area.school.id)
    assert (account["jobTitle"], account["phone"], account["role"]) == (
        details["jobTitle"],
        details["phone"],
        "practitioner",
    )
    assert account["isActive"] and not account["passwordSet"] and account["version"] == 1
    assert "/#/reset-password/" in created["passwordLink"]
    token = token_of(created["passwordLink"])
    async with sessions() as session:
        stored = (await session.exec(select(PasswordReset).where(PasswordReset.user_id == account["id"]))).one()
        audited = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action == "accountCreate").order_by(AuditEvent.id.desc())
            )
        ).first()
    assert stored.token_hash == token_digest(token) and token not in str(audited.detail)
    assert audited.actor_user_id == area.admin.id and audited.detail["userId"] == account["id"]
    # and it cannot sign in until the holder uses the link, which signs them in
    assert code(await gql.error("Login", {"email": details["email"], "password": FIRST_PASSWORD})) == "UNAUTHENTICATED"
    redeemed = await gql.data("PasswordResetRedeem", {"input": {"token": token, "newPassword": FIRST_PASSWORD}})
    assert redeemed["passwordResetRedeem"]["me"]["displayName"] == details["displayName"]
    again = await gql.data("Login", {"email": details["email"], "password": FIRST_PASSWORD})
    assert again["authLogin"]["me"]["role"] == "practitioner"
    assert (await gql.data("Account", {"id": account["id"]}, token=admin))["account"]["passwordSet"] is True


async def test_an_account_of_an_agency_that_signs_in_through_its_organisation_gets_no_password_link(gql, sessions):
    area = await create_area(sessions)
    police = await create_agency(sessions)
    await set_sso_only(sessions, police)
    created = await gql.data("AccountCreate", {"input": new_account(police.id)}, token=await sign_in(gql, area.admin))
    assert created["accountCreate"]["passwordLink"] is None
    assert created["accountCreate"]["account"]["agency"]["ssoOnly"] is True


async def test_bad_details_are_refused_naming_the_field_and_nothing_is_saved(gql, sessions):
    # given an administrator
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    before = await count_users(sessions)
    cases = {
        "email": {"email": "not an address"},
        "displayName": {"displayName": "   "},
        "phone": {"phone": "call me maybe"},
        "jobTitle": {"jobTitle": "x" * 201},
        "agencyId": {"agencyId": "00000000-0000-0000-0000-000000000000"},
    }
    for field, change in cases.items():
        # when a detail is wrong
        error = await gql.error("AccountCreate", {"input": new_account(area.school.id, **change)}, token=admin)
        # then the refusal names it
        assert (code(error), error["extensions"].get("field")) == ("BAD_USER_INPUT", field), error
    # and an address another account has is a conflict
    taken = await gql.error("AccountCreate", {"input": new_account(area.school.id, email=area.lead.email)}, token=admin)
    assert code(taken) == "CONFLICT"
    assert await count_users(sessions) == before


async def test_only_administrators_create_change_or_deactivate_accounts(gql, sessions):
    # given every other kind of staff account
    area = await create_area(sessions)
    target = await account_of(gql, await sign_in(gql, area.admin), area.colleague)
    for user in (area.lead, area.manager, area.ig):
        token = await sign_in(gql, user)
        # when they try
        created = await gql.error("AccountCreate", {"input": new_account(area.school.id)}, token=token)
        changed = await gql.error("AccountUpdate", {"input": editing(target, displayName="Someone else")}, token=token)
        ended = await gql.error("AccountDeactivate", {"input": {"id": target["id"], "version": 1}}, token=token)
        # then creating is forbidden, and another agency's account is not even found
        assert code(created) == "FORBIDDEN"
        assert {code(changed), code(ended)} == {"NOT_FOUND"}, (user.role, changed, ended)
    # and the refusals are in the audit log
    async with sessions() as session:
        denied = (
            await session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "accountDeactivate",
                    AuditEvent.actor_user_id == area.manager.id,
                    AuditEvent.outcome == AuditOutcome.denied,
                )
            )
        ).all()
    assert len(denied) == 1


async def test_a_manager_sees_only_their_own_agencys_practitioners(gql, sessions):
    # given a manager, a practitioner of their agency, and accounts they should not see
    area = await create_area(sessions)
    manager = await sign_in(gql, area.manager)
    # when they list accounts
    listed = (await gql.data("Accounts", {"first": 100}, token=manager))["accounts"]
    # then they see their agency's practitioners only
    names = {node["displayName"] for node in listed["nodes"]}
    assert area.lead.display_name in names and listed["totalCount"] == len(listed["nodes"])
    roles_and_agencies = {(node["role"], node["agency"]["id"]) for node in listed["nodes"]}
    assert roles_and_agencies == {("practitioner", str(area.early_help.id))}
    # and another agency's practitioner, a fellow manager or an administrator is not found
    for user in (area.colleague, area.manager, area.admin):
        assert code(await gql.error("Account", {"id": str(user.id)}, token=manager)) == "NOT_FOUND"
    # and practitioners see no accounts at all
    assert code(await gql.error("Accounts", {}, token=await sign_in(gql, area.lead))) == "FORBIDDEN"


async def test_the_list_pages_and_searches(gql, sessions):
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    marker = unique("Pager | with a bar")
    for index in range(3):
        await create_user(sessions, agency=area.school, name=f"{marker} {index}")
    first = (await gql.data("Accounts", {"first": 2, "search": marker}, token=admin))["accounts"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    after = first["pageInfo"]["endCursor"]
    rest = (await gql.data("Accounts", {"first": 2, "search": marker, "after": after}, token=admin))["accounts"]
    names = [node["displayName"] for node in first["nodes"] + rest["nodes"]]
    assert names == [f"{marker} {index}" for index in range(3)] and not rest["pageInfo"]["hasNextPage"]


async def test_a_stale_edit_is_a_conflict_and_changes_nothing(gql, sessions):
    # given two administrators who opened the same account
    area = await create_area(sessions)
    other_admin = await create_user(sessions, agency=area.early_help, role=area.admin.role)
    first, second = await sign_in(gql, area.admin), await sign_in(gql, other_admin)
    read = await account_of(gql, first, area.colleague)
    # when both save a change made to what they read
    changed = await gql.data("AccountUpdate", {"input": editing(read, jobTitle="Head of year 9")}, token=first)
    stale = await gql.error("AccountUpdate", {"input": editing(read, phone="01632 960 999")}, token=second)
    # then the second is a conflict, and the first change stands alone
    assert changed["accountUpdate"]["version"] == 2 and code(stale) == "CONFLICT"
    now = await account_of(gql, first, area.colleague)
    assert (now["jobTitle"], now["phone"], now["version"]) == ("Head of year 9", read["phone"], 2)


async def test_a_new_role_ends_the_accounts_sign_ins(gql, sessions):
    # given a practitioner signed in
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.school)
    token = await sign_in(gql, user, fresh=True)
    admin = await sign_in(gql, area.admin)
    # when an administrator makes them a manager
    await gql.data("AccountUpdate", {"input": editing(await account_of(gql, admin, user), role="manager")}, token=admin)
    # then their sign-in has ended, and a new one carries the new role
    assert code(await gql.error("Me", token=token)) == "UNAUTHENTICATED"
    assert (await gql.data("Me", token=await sign_in(gql, user, fresh=True)))["me"]["role"] == "manager"


async def test_deactivation_ends_sign_ins_and_sockets_at_once_on_every_instance(
    gql, sessions, live_server, second_server
):
    # given a practitioner signed in twice, with idle notification sockets on both instances, and a pending
    # password reset link
    area = await create_area(sessions)
    user = await create_user(sessions, agency=area.school)
    laptop, phone = await sign_in(gql, user, fresh=True), await sign_in(gql, user, fresh=True)
    admin = await sign_in(gql, area.admin)
    issued = await gql.data("PasswordResetIssue", {"input": {"userId": str(user.id)}}, token=admin)
    link = issued["passwordResetIssue"]["link"]
    async with ws_client.following(live_server, laptop) as on_a, ws_client.following(second_server, phone) as on_b:
        # when an administrator deactivates the account
        account = await account_of(gql, admin, user)
        ended = await gql.data(
            "AccountDeactivate", {"input": {"id": account["id"], "version": account["version"]}}, token=admin
        )
        # then both sockets close with 4403 well before any periodic check
        (code_a, after_a), (code_b, after_b) = await asyncio.gather(closed_with(on_a, 5), closed_with(on_b, 5))
    assert (code_a, code_b) == (4403, 4403) and max(after_a, after_b) < 3, (after_a, after_b)
    assert ended["accountDeactivate"]["isActive"] is False and ended["accountDeactivate"]["deactivatedAt"]
    # and both sign-ins are refused, the password no longer signs in, and the reset link no longer works
    for token in (laptop, phone):
        assert code(await gql.error("Me", token=token)) == "UNAUTHENTICATED"
    assert code(await gql.error("Login", {"email": user.email, "password": PASSWORD})) == "UNAUTHENTICATED"
    redeem = {"token": token_of(link), "newPassword": "a new password please"}
    assert code(await gql.error("PasswordResetRedeem", {"input": redeem})) == "CONFLICT"
    # when they are reactivated, they sign in again with their password
    account = ended["accountDeactivate"]
    back = await gql.data(
        "AccountReactivate", {"input": {"id": account["id"], "version": account["version"]}}, token=admin
    )
    assert back["accountReactivate"]["isActive"] and back["accountReactivate"]["deactivatedAt"] is None
    assert (await gql.data("Login", {"email": user.email, "password": PASSWORD}))["authLogin"]["token"]


async def test_an_administrator_cannot_deactivate_or_demote_themselves(gql, sessions):
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    own = await account_of(gql, admin, area.admin)
    refused = await gql.error("AccountDeactivate", {"input": {"id": own["id"], "version": own["version"]}}, token=admin)
    demoted = await gql.error("AccountUpdate", {"input": editing(own, role="practitioner")}, token=admin)
    assert (code(refused), code(demoted)) == ("BAD_USER_INPUT", "BAD_USER_INPUT")
    assert demoted["extensions"]["field"] == "role"
    assert (await account_of(gql, admin, area.admin))["isActive"] is True


async def test_administrators_add_and_rename_agencies(gql, sessions):
    # given an administrator and a practitioner
    area = await create_area(sessions)
    admin, worker = await sign_in(gql, area.admin), await sign_in(gql, area.lead)
    name = unique("Riverside Academy")
    # when the administrator adds an agency, then renames it
    added = (await gql.data("AgencyCreate", {"input": {"name": name, "kind": "education"}}, token=admin))[
        "agencyCreate"
    ]
    renamed_to = f"{name} Trust"
    change = {"id": added["id"], "version": added["version"], "name": renamed_to, "kind": "education"}
    renamed = (await gql.data("AgencyUpdate", {"input": change}, token=admin))["agencyUpdate"]
    # then the change is versioned, a stale change or a taken name is a conflict, an empty name names its field
    assert (renamed["name"], renamed["version"]) == (renamed_to, 2)
    assert code(await gql.error("AgencyUpdate", {"input": {**change, "name": "Stale"}}, token=admin)) == "CONFLICT"
    taken = {**change, "version": 2, "name": area.school.name}
    assert code(await gql.error("AgencyUpdate", {"input": taken}, token=admin)) == "CONFLICT"
    empty = await gql.error("AgencyCreate", {"input": {"name": " ", "kind": "health"}}, token=admin)
    assert (code(empty), empty["extensions"]["field"]) == ("BAD_USER_INPUT", "name")
    # and nobody else may add or change one
    assert (
        code(await gql.error("AgencyCreate", {"input": {"name": unique("X"), "kind": "health"}}, token=worker))
        == "FORBIDDEN"
    )
    assert code(await gql.error("AgencyUpdate", {"input": {**change, "version": 2}}, token=worker)) == "FORBIDDEN"
