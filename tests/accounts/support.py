"""Helpers for the account tests: the administrator's requests, and a link's token."""

from __future__ import annotations

from server.db.engine import unit_of_work
from server.user.models import User
from tests.builders import unique


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def new_account(agency_id, **changes) -> dict:
    name = unique("Jo Bloggs")
    return {
        "email": f"{name.lower().replace(' ', '.')}@school.example",
        "displayName": name,
        "agencyId": str(agency_id),
        "role": "practitioner",
        "jobTitle": "Designated safeguarding lead",
        "phone": "01632 960 123",
        **changes,
    }


def editing(account: dict, **changes) -> dict:
    """An AccountUpdate input from an account as read, with changes."""
    return {
        "id": account["id"],
        "version": account["version"],
        "email": account["email"],
        "displayName": account["displayName"],
        "agencyId": account["agency"]["id"],
        "role": account["role"],
        "jobTitle": account["jobTitle"],
        "phone": account["phone"],
        **changes,
    }


async def account_of(gql, token: str, user: User) -> dict:
    return (await gql.data("Account", {"id": str(user.id)}, token=token))["account"]


async def set_sso_only(sessions, agency) -> None:
    async with unit_of_work(sessions) as session:
        agency.sso_only = True
        session.add(agency)
