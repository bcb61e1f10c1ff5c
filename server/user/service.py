from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.agency.models import Agency
from server.auth.passwords import hash_password
from server.errors import BadUserInput, Conflict
from server.user.models import SystemRole, User, UserKind
from server.validation import reject_nul, required_text


async def create_staff_user(
    session: AsyncSession,
    *,
    email: str,
    display_name: str,
    role: SystemRole,
    agency_id: uuid.UUID,
    password: str,
) -> User:
    if await session.get(Agency, agency_id) is None:
        raise BadUserInput("No agency with that id.", field="agencyId")
    user = User(
        email=_email(email),
        display_name=required_text(display_name, "displayName", 200),
        kind=UserKind.staff,
        role=role,
        agency_id=agency_id,
        password_hash=hash_password(password),
    )
    await _ensure_unique(session, user.email)
    session.add(user)
    await session.flush()
    return user


async def staff_directory(
    session: AsyncSession, *, agency_id: uuid.UUID | None, search: str | None, first: int
) -> list[User]:
    """Active practitioners and managers, for choosing who joins a team. Names and agencies only."""
    pagination.check_first(first)
    statement = select(User).where(
        User.kind == UserKind.staff,
        col(User.is_active).is_(True),
        col(User.role).in_([SystemRole.practitioner.value, SystemRole.manager.value]),
    )
    if agency_id is not None:
        statement = statement.where(User.agency_id == agency_id)
    if search and reject_nul(search, "search"):
        statement = statement.where(col(User.display_name).icontains(search.strip(), autoescape=True))
    return list((await session.exec(statement.order_by(User.display_name).limit(first))).all())


def normalise_email(raw: str) -> str:
    """Lower-case and check an e-mail address (BAD_USER_INPUT if it does not look like one)."""
    return _email(raw)


def _email(raw: str) -> str:
    email = required_text(raw, "email", 254).lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise BadUserInput("Enter an e-mail address like name@agency.gov.uk.", field="email")
    return email


async def _ensure_unique(session: AsyncSession, email: str) -> None:
    if (await session.exec(select(User).where(User.email == email))).first() is not None:
        raise Conflict("An account with that e-mail address already exists.")
