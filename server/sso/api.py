from __future__ import annotations

from datetime import datetime
from functools import partial

import strawberry

from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, parse_id
from server.sso import service as sso_service
from server.sso.models import IdentityLink
from server.sso.providers import OidcProvider


@strawberry.type(
    name="SignInService",
    description="An organisation's sign-in service (OpenID Connect) that staff of some agencies sign in with.",
)
class SignInServiceType:
    id: str = strawberry.field(description="Its name in configuration and in addresses.")
    name: str = strawberry.field(description='For people: the button reads "Sign in with <name>".')
    start_path: str = strawberry.field(
        description="Where the browser goes (a full-page navigation, not a fetch) to sign in with it."
    )

    @classmethod
    def from_provider(cls, provider: OidcProvider) -> SignInServiceType:
        return cls(id=provider.id, name=provider.name, start_path=f"/auth/oidc/{provider.id}/start")


@strawberry.type(
    name="IdentityLink", description="A staff account's subject at a sign-in service: that subject signs in as it."
)
class IdentityLinkType:
    id: strawberry.ID
    issuer: str = strawberry.field(description="The sign-in service's issuer, as its ID tokens give it.")
    subject: str = strawberry.field(description="The `sub` the sign-in service knows the person by.")
    created_at: datetime
    row: strawberry.Private[IdentityLink]

    @strawberry.field(description="The configured sign-in service of this issuer; null if none is configured now.")
    def service(self, info: Info) -> SignInServiceType | None:
        provider = next((p for p in info.context.settings.oidc_providers if p.issuer == self.issuer), None)
        return SignInServiceType.from_provider(provider) if provider else None

    @classmethod
    def from_row(cls, row: IdentityLink) -> IdentityLinkType:
        return cls(
            id=strawberry.ID(str(row.id)), issuer=row.issuer, subject=row.subject, created_at=row.created_at, row=row
        )


@strawberry.input(description="Link a staff account to its subject at a sign-in service.")
class IdentityLinkAddInput:
    user_id: strawberry.ID
    service: str = strawberry.field(description="The sign-in service's id (signInServices).")
    subject: str = strawberry.field(
        description="The `sub` claim the service puts in the person's ID tokens (1-255 characters); ask the"
        " service's administrators. Never an e-mail address unless the service uses those as subjects."
    )


@strawberry.input(description="Remove a link: that subject no longer signs in as the account.")
class IdentityLinkRemoveInput:
    link_id: strawberry.ID


@strawberry.input(description="Whether an agency's staff sign in only through a sign-in service.")
class AgencySignInSetInput:
    agency_id: strawberry.ID
    sso_only: bool = strawberry.field(
        description="True: password sign-in is refused for its staff (authLogin answers FORBIDDEN)."
    )


@strawberry.type
class SsoQuery:
    @strawberry.field(
        description="The sign-in services staff may sign in with, besides an e-mail address and password."
        " Needs no sign-in."
    )
    def sign_in_services(self, info: Info) -> list[SignInServiceType]:
        return [SignInServiceType.from_provider(provider) for provider in info.context.settings.oidc_providers]

    @strawberry.field(description="A staff account's links to sign-in services. Administrators only (FORBIDDEN).")
    async def identity_links(self, info: Info, user_id: strawberry.ID) -> list[IdentityLinkType]:
        async with info.context.read() as session:
            rows = await sso_service.links_of(session, info.context.access, user_id=parse_id(user_id, "userId"))
        return [IdentityLinkType.from_row(row) for row in rows]


@strawberry.type
class SsoMutation:
    @strawberry.mutation(
        description="Link a staff account to its subject at a sign-in service. Administrators only. The service"
        " must sign in staff of the account's agency (BAD_USER_INPUT); a subject or account already linked to"
        " the service is CONFLICT."
    )
    async def identity_link_add(self, info: Info, input: IdentityLinkAddInput) -> IdentityLinkType:
        user_id = parse_id(input.user_id, "userId")
        row = await mutate(
            info,
            partial(
                sso_service.link,
                providers=info.context.settings.oidc_providers,
                user_id=user_id,
                provider_id=input.service,
                subject=input.subject,
            ),
            audit=lambda _: {"userId": str(user_id), "service": input.service},
        )
        return IdentityLinkType.from_row(row)

    @strawberry.mutation(description="Remove a link to a sign-in service. Administrators only.")
    async def identity_link_remove(self, info: Info, input: IdentityLinkRemoveInput) -> IdentityLinkType:
        row = await mutate(
            info,
            partial(sso_service.unlink, link_id=parse_id(input.link_id, "linkId")),
            audit=lambda row: {"userId": str(row.user_id)},
        )
        return IdentityLinkType.from_row(row)

    @strawberry.mutation(
        description="Set whether an agency's staff sign in only through a sign-in service. Administrators only."
    )
    async def agency_sign_in_set(self, info: Info, input: AgencySignInSetInput) -> AgencyType:
        agency_id = parse_id(input.agency_id, "agencyId")
        row = await mutate(
            info,
            partial(sso_service.set_sso_only, agency_id=agency_id, sso_only=input.sso_only),
            audit=lambda _: {"agencyId": str(agency_id), "ssoOnly": input.sso_only},
        )
        return AgencyType.from_row(row)
