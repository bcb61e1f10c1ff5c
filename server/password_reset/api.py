"""Passwords in the API: change my password; password reset links (issued by an administrator or a
practitioner's own manager, used by whoever holds the link)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import strawberry

from server.api.mutation import mutate
from server.api.scalars import Info, parse_id
from server.auth import links
from server.auth import service as auth_service
from server.auth.api import LoginPayload
from server.auth.links import Refusal
from server.auth.service import LoginLimits, PasswordChangeFailure
from server.db.engine import unit_of_work
from server.errors import BadUserInput, RateLimited
from server.password_reset import service as reset_service
from server.user.account_api import AccountType
from server.user.api import MeType

WRONG_PASSWORD = "Your current password is not right."  # noqa: S105 (a message)


@strawberry.input(description="Change the signed-in account's password.")
class PasswordChangeInput:
    current_password: str
    new_password: str = strawberry.field(description="At least 12 characters; a few words you will remember.")


@strawberry.input(description="Issue a password reset link for a staff account.")
class PasswordResetIssueInput:
    user_id: strawberry.ID


@strawberry.input(description="Choose a new password with a reset link.")
class PasswordResetRedeemInput:
    token: str = strawberry.field(description="The token from the link.")
    new_password: str = strawberry.field(description="At least 12 characters.")


@strawberry.type(description="A password reset link. It is shown once: only its hash is kept.")
class PasswordResetIssuePayload:
    account: AccountType
    link: str = strawberry.field(description="Give this to the account's holder. It works once, until expiresAt.")
    expires_at: datetime


def _limits(info: Info) -> LoginLimits:
    settings = info.context.settings
    return LoginLimits(settings.login_window, settings.login_failures_per_account, settings.login_failures_per_address)


@strawberry.type
class PasswordMutation:
    @strawberry.mutation(
        description="Change your password, giving the current one (BAD_USER_INPUT on currentPassword if it is"
        " wrong; those count as failed sign-ins, RATE_LIMITED after several). Your other sign-ins end; this one"
        " stays. FORBIDDEN for an account that signs in only through its organisation (no password here)."
    )
    async def password_change(self, info: Info, input: PasswordChangeInput) -> bool:
        actor = info.context.require_actor()
        limits = _limits(info)
        async with unit_of_work(info.context.sessions) as session:
            failure = await auth_service.change_password(
                session,
                actor,
                current_password=input.current_password,
                new_password=input.new_password,
                address=info.context.address,
                limits=limits,
            )
        if failure is PasswordChangeFailure.rate_limited:
            minutes = int(limits.window.total_seconds() // 60)
            raise RateLimited(f"Too many wrong passwords. Wait {minutes} minutes and try again.")
        if failure is PasswordChangeFailure.wrong_password:
            raise BadUserInput(WRONG_PASSWORD, field="currentPassword")
        return True

    @strawberry.mutation(
        description="Administrators (any staff account) and managers (their own agency's practitioners): a one-time"
        " link for the account's holder to choose a new password; earlier links for the account stop working."
        " CONFLICT for a deactivated account or one that signs in only through its organisation."
    )
    async def password_reset_issue(self, info: Info, input: PasswordResetIssueInput) -> PasswordResetIssuePayload:
        await info.context.spend("reset_link")
        user_id = parse_id(input.user_id, "userId")
        issued = await mutate(
            info,
            partial(reset_service.issue, user_id=user_id, ttl=info.context.settings.password_reset_ttl),
            audit=lambda issued: {"userId": str(user_id), "resetId": str(issued.reset.id)},
        )
        return PasswordResetIssuePayload(
            account=AccountType.from_row(issued.user),
            link=links.url(info.context.settings.public_origin, reset_service.ROUTE, issued.token),
            expires_at=issued.reset.expires_at,
        )

    @strawberry.mutation(
        description="Choose a new password with a reset link: every sign-in of the account ends, and you are signed"
        " in. NOT_FOUND for an unknown link; CONFLICT (in words) for a used, expired or replaced one; RATE_LIMITED"
        " after repeated failures, like sign-in. Needs no sign-in."
    )
    async def password_reset_redeem(self, info: Info, input: PasswordResetRedeemInput) -> LoginPayload:
        async with unit_of_work(info.context.sessions) as session:
            result = await reset_service.redeem(
                session,
                token=input.token,
                password=input.new_password,
                address=info.context.address,
                limits=_limits(info),
                token_ttl=info.context.settings.token_ttl,
            )
        if isinstance(result, Refusal):
            raise result.error
        return LoginPayload(token=result.token, expires_at=result.expires_at, me=MeType.from_actor(result.actor))
