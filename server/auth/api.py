from __future__ import annotations

from datetime import datetime

import strawberry

from server.api.scalars import Info
from server.auth import service as auth_service
from server.auth.service import LoginFailure, LoginLimits
from server.db.engine import unit_of_work
from server.errors import Forbidden, RateLimited, Unauthenticated
from server.user.api import MeType

BAD_CREDENTIALS = "The e-mail address or password is not right."
SSO_ONLY = (
    "Your agency signs in with its own organisation account, not a password here."
    " Use the button to sign in with your organisation."
)


@strawberry.input(description="Credentials for signing in.")
class LoginInput:
    email: str
    password: str


@strawberry.type(description="A new session. Send the token as `Authorization: Bearer <token>`.")
class LoginPayload:
    token: str
    expires_at: datetime
    me: MeType


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="Sign in. The same error (UNAUTHENTICATED) answers an unknown e-mail and a wrong"
        " password. Repeated failures for one account or from one address give RATE_LIMITED for a while. FORBIDDEN"
        " answers the right password of an account whose agency signs in only through its organisation's"
        " sign-in service (signInServices)."
    )
    async def auth_login(self, info: Info, input: LoginInput) -> LoginPayload:
        await info.context.spend("anonymous", by_address=True)
        settings = info.context.settings
        limits = LoginLimits.of(settings)
        async with unit_of_work(info.context.sessions) as session:
            result = await auth_service.login(
                session,
                email=input.email,
                password=input.password,
                address=info.context.address,
                limits=limits,
                token_ttl=settings.token_ttl,
            )
        if result is LoginFailure.rate_limited:
            minutes = int(settings.login_window.total_seconds() // 60)
            raise RateLimited(f"Too many sign-in attempts. Wait {minutes} minutes and try again.")
        if result is LoginFailure.bad_credentials:
            raise Unauthenticated(BAD_CREDENTIALS)
        if result is LoginFailure.sso_only:
            raise Forbidden(SSO_ONLY)
        return LoginPayload(token=result.token, expires_at=result.expires_at, me=MeType.from_actor(result.actor))

    @strawberry.mutation(description="Sign out: the token stops working at once, on every server.")
    async def auth_logout(self, info: Info) -> bool:
        actor = info.context.require_actor()
        async with unit_of_work(info.context.sessions) as session:
            await auth_service.logout(session, actor)
        return True
