"""Administrators' use cases on staff accounts: list, create, change, deactivate and reactivate.

Every decision goes through the enforcement point with the account's facts (its agency and system role:
`account_facts`). Deactivating an account, or changing its role or agency, ends its sign-ins at once on
every instance (server/auth/service.py end_sign_ins): an open websocket never keeps permissions the
account no longer has. An account is never deleted: its name stays on what it wrote."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.actor import Act
from server.access.facts import ItemFacts, account_facts
from server.access.kinds import Kind
from server.access.pep import ACCOUNT_NOT_FOUND, AccessControl
from server.access.rules import ContentColumns
from server.agency.models import Agency
from server.auth import service as auth_service
from server.clock import utcnow
from server.db.versioning import update_versioned
from server.errors import BadUserInput, Conflict, NotFound
from server.password_reset import service as reset_service
from server.user.models import SystemRole, User, UserKind
from server.user.service import normalise_email
from server.validation import optional_text, reject_nul, required_text

_user = User.__table__.c  # type: ignore[attr-defined]
ACCOUNT_COLUMNS = ContentColumns(owning_agency_id=_user.agency_id, category=_user.role)


def facts_of(user: User) -> ItemFacts:
    assert user.agency_id is not None and user.role is not None  # a staff account (app_user_kind_shape)
    return account_facts(user.agency_id, user.role.value)


@dataclass(frozen=True)
class AccountDetails:
    """What an administrator enters for an account."""

    email: str
    display_name: str
    agency_id: uuid.UUID
    role: SystemRole
    job_title: str | None = None
    phone: str | None = None


async def list_accounts(
    session: AsyncSession,
    access: AccessControl,
    *,
    agency_id: uuid.UUID | None,
    search: str | None,
    include_deactivated: bool,
    first: int,
    after: str | None,
) -> pagination.Page[User]:
    """Staff accounts the caller may see, by name; `search` matches names and e-mail addresses."""
    pagination.check_first(first)
    conditions = [User.kind == UserKind.staff, access.account_filter(ACCOUNT_COLUMNS)]
    if agency_id is not None:
        conditions.append(User.agency_id == agency_id)
    if not include_deactivated:
        conditions.append(col(User.is_active).is_(True))
    if search and reject_nul(search, "search").strip():
        text = search.strip()
        name, email = col(User.display_name), col(User.email)
        conditions.append(sa.or_(name.icontains(text, autoescape=True), email.icontains(text, autoescape=True)))
    total = (await session.exec(select(sa.func.count()).select_from(User).where(*conditions))).one()
    statement = select(User).where(*conditions)
    if after is not None:
        user_id, name = pagination.decode(after, uuid.UUID, str)
        statement = statement.where(sa.tuple_(User.display_name, User.id) > sa.tuple_(name, user_id))
    rows = (await session.exec(statement.order_by(User.display_name, User.id).limit(first + 1))).all()
    return pagination.Page.of(list(rows), first, total=total)


def cursor(user: User) -> str:
    # The id first: the cursor's parts are split at the first "|", and a name may hold one.
    return pagination.encode(user.id, user.display_name)


async def get_account(session: AsyncSession, access: AccessControl, user_id: uuid.UUID) -> User:
    user = await _staff(session, user_id)
    access.require_account(Act.read, Kind.account, facts_of(user))
    return user


async def create_account(session: AsyncSession, access: AccessControl, *, details: AccountDetails) -> User:
    """A new staff account, without a password: its holder sets one through a one-time link."""
    access.require_outside_family(Act.create, Kind.account)
    values = await _checked(session, details, current=None)
    user = User(kind=UserKind.staff, **values)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:  # another administrator created an account with this address meanwhile
        raise Conflict("Another account already uses that email address. Use a different one.") from None
    return user


async def create_with_link(
    session: AsyncSession, access: AccessControl, *, details: AccountDetails, ttl: timedelta
) -> tuple[User, reset_service.Issued | None]:
    """A new account and the one-time link for its holder to choose a first password (none when their agency
    signs in only through its organisation: they have no password here)."""
    user = await create_account(session, access, details=details)
    agency = await session.get(Agency, user.agency_id)
    if agency is not None and agency.sso_only:
        return user, None
    return user, await reset_service.issue(session, access, user_id=user.id, ttl=ttl)


async def update_account(
    session: AsyncSession, access: AccessControl, *, user_id: uuid.UUID, version: int, details: AccountDetails
) -> User:
    """CONFLICT if someone changed the account since `version`. A new role or agency ends its sign-ins."""
    user = await _locked(session, access, user_id, Act.update)
    if user.id == access.actor.user_id and details.role != user.role:
        raise BadUserInput("You cannot change your own system role. Ask another administrator.", field="role")
    values = await _checked(session, details, current=user)
    moved = values["role"] != user.role or values["agency_id"] != user.agency_id
    updated = await update_versioned(session, User, user.id, version, values, what="account")
    if moved:  # an administrator moving their own account to another agency stays signed in here
        own = access.actor.token_id if user.id == access.actor.user_id else None
        await auth_service.end_sign_ins(session, user.id, keep=own)
    return updated


async def set_active(
    session: AsyncSession, access: AccessControl, *, user_id: uuid.UUID, version: int, active: bool
) -> User:
    """Deactivate (its sign-ins end at once everywhere; pending reset links stop working) or reactivate."""
    user = await _locked(session, access, user_id, Act.update)
    if user.id == access.actor.user_id:
        raise BadUserInput("You cannot deactivate your own account. Ask another administrator.", field="id")
    if user.is_active == active:
        state = "active" if active else "deactivated"
        raise Conflict(f"This account is already {state}. Reload to see it as it is now.")
    values = {"is_active": active, "deactivated_at": None if active else utcnow()}
    updated = await update_versioned(session, User, user.id, version, values, what="account")
    if not active:
        await auth_service.end_sign_ins(session, user.id)
        await reset_service.revoke_pending(session, user.id)
    return updated


async def _staff(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> User:
    user = await session.get(User, user_id, with_for_update=lock)
    if user is None or user.kind != UserKind.staff:
        raise NotFound(ACCOUNT_NOT_FOUND)
    return user


async def _locked(session: AsyncSession, access: AccessControl, user_id: uuid.UUID, act: Act) -> User:
    """The account, locked, and the decision taken on it as it is while the change is made."""
    user = await _staff(session, user_id, lock=True)
    access.require_account(act, Kind.account, facts_of(user))
    return user


async def _checked(session: AsyncSession, details: AccountDetails, *, current: User | None) -> dict:
    """The account's columns from what was entered: BAD_USER_INPUT naming the field, CONFLICT for an e-mail
    address another account has."""
    email = normalise_email(details.email)
    if (await session.get(Agency, details.agency_id)) is None:
        raise BadUserInput("Choose an agency from the list.", field="agencyId")
    holder = (await session.exec(select(User.id).where(User.email == email))).first()
    if holder is not None and (current is None or holder != current.id):
        raise Conflict("Another account already uses that email address. Use a different one.")
    return {
        "email": email,
        "display_name": required_text(details.display_name, "displayName", 200),
        "agency_id": details.agency_id,
        "role": details.role,
        "job_title": optional_text(details.job_title or "", "jobTitle", 200) or None,
        "phone": _phone(details.phone),
    }


def _phone(raw: str | None) -> str | None:
    phone = optional_text(raw or "", "phone", 50)
    if phone and not all(ch.isdigit() or ch in " +()-" for ch in phone):
        raise BadUserInput("Enter a phone number using only numbers, spaces, brackets, + and -.", field="phone")
    return phone or None
