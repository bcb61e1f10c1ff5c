"""The administrator links staff accounts to their subject at a sign-in service and sets agencies to sign in
only through one; nobody else may."""

from __future__ import annotations

import httpx
import pytest

from server.agency.models import Agency, AgencyKind
from server.db.engine import SessionFactory
from server.user.models import SystemRole, User
from tests.auth_helpers import sign_in
from tests.builders import PASSWORD, create_agency, create_user, unique
from tests.graphql_client import GraphQLClient
from tests.sso.conftest import links_of, session_tokens
from tests.sso_support import through_provider


@pytest.fixture
async def admin(sessions: SessionFactory) -> User:
    council = await create_agency(sessions, kind=AgencyKind.social_care)
    return await create_user(sessions, agency=council, role=SystemRole.admin)


def link_input(user: User, subject: str, service: str = "good") -> dict:
    return {"input": {"userId": str(user.id), "service": service, "subject": subject}}


async def test_an_administrator_links_an_account_which_then_signs_in_by_that_subject(
    sso_gql: GraphQLClient, browser: httpx.AsyncClient, admin: User, officer: User, sessions: SessionFactory
):
    token = await sign_in(sso_gql, admin)
    subject = unique("subject")

    added = (await sso_gql.data("IdentityLinkAdd", link_input(officer, subject), token=token))["identityLinkAdd"]

    assert added["subject"] == subject and added["service"] == {"id": "good", "name": "Test Good"}
    listed = (await sso_gql.data("IdentityLinks", {"userId": str(officer.id)}, token=token))["identityLinks"]
    assert [link["id"] for link in listed] == [added["id"]]
    assert (await browser.get(await through_provider(browser, "good", subject))).status_code == 303
    assert (await browser.post("/auth/oidc/session")).status_code == 200
    assert await session_tokens(sessions, officer) == 1

    # and once removed, that subject no longer signs in
    await sso_gql.data("IdentityLinkRemove", {"input": {"linkId": added["id"]}}, token=token)
    assert await links_of(sessions, officer) == []


async def test_a_subject_or_an_account_already_linked_is_a_conflict(
    sso_gql: GraphQLClient, admin: User, officer: User, sessions: SessionFactory, sso_agency: Agency
):
    token = await sign_in(sso_gql, admin)
    colleague = await create_user(sessions, agency=sso_agency)
    subject = unique("subject")
    await sso_gql.data("IdentityLinkAdd", link_input(officer, subject), token=token)

    same_subject = await sso_gql.error("IdentityLinkAdd", link_input(colleague, subject), token=token)
    same_account = await sso_gql.error("IdentityLinkAdd", link_input(officer, unique("subject")), token=token)

    assert same_subject["extensions"]["code"] == "CONFLICT"
    assert same_account["extensions"]["code"] == "CONFLICT"
    assert await links_of(sessions, colleague) == []


@pytest.mark.parametrize(
    ("service", "subject", "field"),
    [("nobody", "s-1", "service"), ("good", " ", "subject"), ("good", "x" * 256, "subject")],
)
async def test_bad_links_are_refused_with_the_field_at_fault(
    service: str, subject: str, field: str, sso_gql: GraphQLClient, admin: User, officer: User
):
    token = await sign_in(sso_gql, admin)

    error = await sso_gql.error("IdentityLinkAdd", link_input(officer, subject, service), token=token)

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_an_account_of_an_agency_the_service_does_not_sign_in_cannot_be_linked_to_it(
    sso_gql: GraphQLClient, admin: User, sessions: SessionFactory
):
    token = await sign_in(sso_gql, admin)
    nurse = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.health))

    error = await sso_gql.error("IdentityLinkAdd", link_input(nurse, unique("subject")), token=token)

    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "signs in staff of" in error["message"]


async def test_only_administrators_manage_sign_in(
    sso_gql: GraphQLClient, officer: User, sso_agency: Agency, sessions: SessionFactory
):
    manager = await create_user(sessions, agency=sso_agency, role=SystemRole.manager)
    token = await sign_in(sso_gql, manager)

    refusals = [
        await sso_gql.error("IdentityLinkAdd", link_input(officer, unique("subject")), token=token),
        await sso_gql.error("IdentityLinks", {"userId": str(officer.id)}, token=token),
        await sso_gql.error(
            "AgencySignInSet", {"input": {"agencyId": str(sso_agency.id), "ssoOnly": True}}, token=token
        ),
    ]

    assert [error["extensions"]["code"] for error in refusals] == ["FORBIDDEN"] * 3
    assert await links_of(sessions, officer) == []


async def test_an_sso_only_agency_refuses_password_sign_in_in_words(
    sso_gql: GraphQLClient, admin: User, sessions: SessionFactory
):
    # given an agency set to sign in only through its organisation's service
    police = await create_agency(sessions, kind=AgencyKind.police)
    constable = await create_user(sessions, agency=police)
    token = await sign_in(sso_gql, admin)
    changed = await sso_gql.data(
        "AgencySignInSet", {"input": {"agencyId": str(police.id), "ssoOnly": True}}, token=token
    )
    assert changed["agencySignInSet"]["ssoOnly"] is True

    # then the right password is refused with a message saying why; a wrong one is just wrong
    refused = await sso_gql.error("Login", {"email": constable.email, "password": PASSWORD})
    wrong = await sso_gql.error("Login", {"email": constable.email, "password": "not the password at all"})
    assert refused["extensions"]["code"] == "FORBIDDEN"
    assert "signs in with its own organisation account" in refused["message"]
    assert wrong["extensions"]["code"] == "UNAUTHENTICATED"
    assert await session_tokens(sessions, constable) == 0

    # and set back, passwords work again
    await sso_gql.data("AgencySignInSet", {"input": {"agencyId": str(police.id), "ssoOnly": False}}, token=token)
    assert (await sso_gql.data("Login", {"email": constable.email, "password": PASSWORD}))["authLogin"]["token"]
