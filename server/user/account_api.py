"""Accounts in the API: administrators list, create, change, deactivate and reactivate staff accounts;
managers see their own agency's practitioners (to give them password reset links)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import strawberry

from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, parse_id
from server.auth import links
from server.password_reset import service as reset_service
from server.user import accounts
from server.user.api import SystemRoleType
from server.user.models import SystemRole, User


@strawberry.type(name="Account", description="A staff account, as administrators (and the holder's manager) see it.")
class AccountType:
    id: strawberry.ID
    display_name: str
    email: str = strawberry.field(description="The sign-in name, lower-case.")
    role: SystemRoleType  # type: ignore[valid-type]
    job_title: str | None
    phone: str | None
    is_active: bool = strawberry.field(description="False once deactivated: the account cannot sign in.")
    deactivated_at: datetime | None
    password_set: bool = strawberry.field(
        description="Whether the account has a password here. False for a new account until its holder uses their"
        " first link, and for accounts that sign in only through their organisation."
    )
    created_at: datetime
    version: int = strawberry.field(description="Send it back with a change: a stale one is CONFLICT.")
    agency_id: strawberry.Private[object]

    @strawberry.field
    async def agency(self, info: Info) -> AgencyType:
        row = await info.context.loaders.agency_by_id.load(self.agency_id)
        return AgencyType.from_row(row)

    @classmethod
    def from_row(cls, row: User) -> AccountType:
        assert row.role is not None
        return cls(
            id=strawberry.ID(str(row.id)),
            display_name=row.display_name,
            email=row.email,
            role=row.role,
            job_title=row.job_title,
            phone=row.phone,
            is_active=row.is_active,
            deactivated_at=row.deactivated_at,
            password_set=row.password_hash is not None,
            created_at=row.created_at,
            version=row.version,
            agency_id=row.agency_id,
        )


@strawberry.type(description="A page of staff accounts, by name.")
class AccountConnection:
    nodes: list[AccountType]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Accounts matching the filters that the caller may see.")


@strawberry.input(description="A staff account's details.")
class AccountCreateInput:
    email: str = strawberry.field(description="Their work e-mail address: they sign in with it.")
    display_name: str = strawberry.field(description="Their full name, as colleagues and families see it.")
    agency_id: strawberry.ID
    role: SystemRoleType  # type: ignore[valid-type]
    job_title: str | None = strawberry.field(default=None, description="In their agency's words, up to 200.")
    phone: str | None = strawberry.field(default=None, description="A work phone number, up to 50 characters.")


@strawberry.input(description="Change a staff account. A new role or agency ends its sign-ins at once.")
class AccountUpdateInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you read; CONFLICT if it has changed since.")
    email: str
    display_name: str
    agency_id: strawberry.ID
    role: SystemRoleType  # type: ignore[valid-type]
    job_title: str | None = None
    phone: str | None = None


@strawberry.input(description="Deactivate or reactivate a staff account.")
class AccountStatusInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you read; CONFLICT if it has changed since.")


@strawberry.type(description="The new account, and the link its holder uses to choose a password (shown once).")
class AccountCreatePayload:
    account: AccountType
    password_link: str | None = strawberry.field(
        description="Give this to them: it works once, until passwordLinkExpiresAt. Null when their agency signs"
        " in only through its organisation (they have no password here)."
    )
    password_link_expires_at: datetime | None


def _details(input: AccountCreateInput | AccountUpdateInput) -> accounts.AccountDetails:
    return accounts.AccountDetails(
        email=input.email,
        display_name=input.display_name,
        agency_id=parse_id(input.agency_id, "agencyId"),
        role=SystemRole(input.role),
        job_title=input.job_title,
        phone=input.phone,
    )


@strawberry.type
class AccountQuery:
    @strawberry.field(
        description="Staff accounts by name (administrators: every one; managers: their own agency's"
        " practitioners). FORBIDDEN for family members."
    )
    async def accounts(
        self,
        info: Info,
        first: First = 50,
        after: After = None,
        agency_id: strawberry.ID | None = None,
        search: str | None = None,
        include_deactivated: bool = False,
    ) -> AccountConnection:
        await info.context.spend("search")
        async with info.context.read() as session:
            page = await accounts.list_accounts(
                session,
                info.context.access,
                agency_id=parse_id(agency_id, "agencyId") if agency_id else None,
                search=search,
                include_deactivated=include_deactivated,
                first=first,
                after=after,
            )
        return AccountConnection(
            nodes=[AccountType.from_row(row) for row in page.items],
            page_info=PageInfo.of(page, accounts.cursor),
            total_count=page.total,  # type: ignore[arg-type]
        )

    @strawberry.field(description="One staff account; NOT_FOUND if there is none or the caller may not see it.")
    async def account(self, info: Info, id: strawberry.ID) -> AccountType:
        async with info.context.read() as session:
            row = await accounts.get_account(session, info.context.access, parse_id(id, "id"))
        return AccountType.from_row(row)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="Administrators: create a staff account. It has no password: the payload holds a one-time link"
        " for its holder to choose one. An e-mail address already in use is CONFLICT."
    )
    async def account_create(self, info: Info, input: AccountCreateInput) -> AccountCreatePayload:
        ttl = info.context.settings.password_reset_ttl
        user, first = await mutate(
            info,
            partial(accounts.create_with_link, details=_details(input), ttl=ttl),
            audit=lambda pair: {"userId": str(pair[0].id)},
        )
        link = links.url(info.context.settings.public_origin, reset_service.ROUTE, first.token) if first else None
        return AccountCreatePayload(
            account=AccountType.from_row(user),
            password_link=link,
            password_link_expires_at=first.reset.expires_at if first else None,
        )

    @strawberry.mutation(
        description="Administrators: change a staff account. CONFLICT if it changed since `version`; a new role or"
        " agency ends its sign-ins at once (its holder signs in again with the new permissions)."
    )
    async def account_update(self, info: Info, input: AccountUpdateInput) -> AccountType:
        user_id = parse_id(input.id, "id")
        row = await mutate(
            info,
            partial(accounts.update_account, user_id=user_id, version=input.version, details=_details(input)),
            audit=lambda _: {"userId": str(user_id)},
        )
        return AccountType.from_row(row)

    @strawberry.mutation(
        description="Administrators: deactivate a staff account. Its sign-ins end at once on every server (open"
        " notification sockets close) and its password reset links stop working; nothing it wrote is removed."
    )
    async def account_deactivate(self, info: Info, input: AccountStatusInput) -> AccountType:
        return await _set_active(info, input, active=False)

    @strawberry.mutation(description="Administrators: let a deactivated staff account sign in again.")
    async def account_reactivate(self, info: Info, input: AccountStatusInput) -> AccountType:
        return await _set_active(info, input, active=True)


async def _set_active(info: Info, input: AccountStatusInput, *, active: bool) -> AccountType:
    user_id = parse_id(input.id, "id")
    row = await mutate(
        info,
        partial(accounts.set_active, user_id=user_id, version=input.version, active=active),
        audit=lambda _: {"userId": str(user_id)},
    )
    return AccountType.from_row(row)
