from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from server.agency.models import Agency
from server.auth.models import SessionToken
from server.db.engine import SessionFactory, unit_of_work
from server.sso.models import IdentityLink, SsoSignIn
from server.user.models import User
from tests.builders import create_user, unique
from tests.graphql_client import GraphQLClient


@pytest.fixture
async def browser(sso_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """One browser: its own cookies, redirects followed step by step by the test."""
    async with httpx.AsyncClient(base_url=sso_server, timeout=30) as client:
        yield client


@pytest.fixture
async def sso_gql(sso_server: str) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(base_url=sso_server, timeout=30) as client:
        yield GraphQLClient(client)


@pytest.fixture
async def officer(sessions: SessionFactory, sso_agency: Agency) -> User:
    """A staff member of the agency the test provider's services sign in."""
    return await create_user(sessions, agency=sso_agency, name=unique("PC Jones"))


async def link(sessions: SessionFactory, user: User, issuer: str, subject: str | None = None) -> str:
    subject = subject or unique("subject")
    async with unit_of_work(sessions) as session:
        session.add(IdentityLink(user_id=user.id, issuer=issuer, subject=subject))
    return subject


async def session_tokens(sessions: SessionFactory, user: User) -> int:
    async with sessions() as session:
        statement = select(sa.func.count()).select_from(SessionToken).where(SessionToken.user_id == user.id)
        return (await session.exec(statement)).one()


async def links_of(sessions: SessionFactory, user: User) -> list[IdentityLink]:
    async with sessions() as session:
        return list((await session.exec(select(IdentityLink).where(IdentityLink.user_id == user.id))).all())


async def sign_ins_handed_out(sessions: SessionFactory, provider_id: str) -> int:
    async with sessions() as session:
        statement = (
            select(sa.func.count())
            .select_from(SsoSignIn)
            .where(SsoSignIn.provider_id == provider_id, sa.column("handover_hash").is_not(None))
        )
        return (await session.exec(statement)).one()


async def sign_ins_of(sessions: SessionFactory, provider_id: str) -> int:
    async with sessions() as session:
        statement = select(sa.func.count()).select_from(SsoSignIn).where(SsoSignIn.provider_id == provider_id)
        return (await session.exec(statement)).one()
