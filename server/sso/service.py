"""The administrator's side of single sign-on: linking staff accounts to their subject at a provider, and
choosing which agencies sign in only through their provider."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.errors import BadUserInput, Conflict, NotFound
from server.sso.models import IdentityLink
from server.sso.providers import OidcProvider
from server.user.models import User, UserKind

NO_ACCOUNT = "No staff account with that id."


async def links_of(session: AsyncSession, access: AccessControl, *, user_id: uuid.UUID) -> list[IdentityLink]:
    access.require_outside_family(Act.read, Kind.identity_link)
    statement = select(IdentityLink).where(IdentityLink.user_id == user_id).order_by(IdentityLink.created_at)
    return list((await session.exec(statement)).all())


async def link(
    session: AsyncSession,
    access: AccessControl,
    *,
    providers: tuple[OidcProvider, ...],
    user_id: uuid.UUID,
    provider_id: str,
    subject: str,
) -> IdentityLink:
    """Link a staff account to the subject a provider knows it by (the `sub` of its ID tokens): from then
    on, that subject signs in as this account."""
    access.require_outside_family(Act.create, Kind.identity_link)
    provider = next((p for p in providers if p.id == provider_id), None)
    if provider is None:
        known = ", ".join(p.id for p in providers) or "none are configured"
        raise BadUserInput(f"No sign-in service called {provider_id!r} (known: {known}).", field="service")
    subject = subject.strip()
    if not 1 <= len(subject) <= 255:
        raise BadUserInput("The subject must be 1 to 255 characters long.", field="subject")
    user = await _staff(session, user_id)
    agency = await session.get(Agency, user.agency_id)
    if agency is None or agency.name not in provider.agencies:
        served = ", ".join(provider.agencies)
        raise BadUserInput(
            f"{provider.name} signs in staff of {served} only, not of this account's agency.", field="service"
        )
    await _ensure_free(session, user, provider, subject)
    row = IdentityLink(user_id=user.id, issuer=provider.issuer, subject=subject, created_by=access.actor.user_id)
    session.add(row)
    await session.flush()
    return row


async def unlink(session: AsyncSession, access: AccessControl, *, link_id: uuid.UUID) -> IdentityLink:
    access.require_outside_family(Act.update, Kind.identity_link)
    row = await session.get(IdentityLink, link_id)
    if row is None:
        raise NotFound("No such link.")
    await session.delete(row)
    await session.flush()
    return row


async def set_sso_only(session: AsyncSession, access: AccessControl, *, agency_id: uuid.UUID, sso_only: bool) -> Agency:
    """With sso_only, the agency's staff can no longer sign in with a password (authLogin refuses them)."""
    access.require_outside_family(Act.update, Kind.agency)
    agency = await session.get(Agency, agency_id, with_for_update=True)
    if agency is None:
        raise NotFound("No agency with that id.")
    agency.sso_only = sso_only
    session.add(agency)
    await session.flush()
    return agency


async def _staff(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None or user.kind != UserKind.staff:
        raise NotFound(NO_ACCOUNT)
    return user


async def _ensure_free(session: AsyncSession, user: User, provider: OidcProvider, subject: str) -> None:
    taken = (
        await session.exec(
            select(IdentityLink).where(IdentityLink.issuer == provider.issuer, IdentityLink.subject == subject)
        )
    ).first()
    if taken is not None:
        raise Conflict(f"That subject at {provider.name} is already linked to an account.")
    linked = (
        await session.exec(
            select(IdentityLink).where(IdentityLink.issuer == provider.issuer, IdentityLink.user_id == user.id)
        )
    ).first()
    if linked is not None:
        raise Conflict(f"This account is already linked to {provider.name}. Remove that link first.")
