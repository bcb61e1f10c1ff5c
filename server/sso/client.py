"""Talking to one OpenID Connect provider, through authlib: discovery, the authorization URL (code flow
with PKCE S256, `state` and `nonce`), the code exchange, and the ID token's signature (the provider's
published keys) and claims (issuer, audience, expiry, nonce). No JOSE is written here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import StarletteOAuth2App
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)

from server.sso.providers import OidcProvider

CLOCK_SKEW_SECONDS = 60  # tolerated difference between our clock and the provider's
TIMEOUT_SECONDS = 10.0


class Problem(StrEnum):
    """Why a sign-in through a provider did not happen; each has its own page (server/sso/pages.py)."""

    unknown_provider = "unknown_provider"
    too_many_attempts = "too_many_attempts"
    provider_unavailable = "provider_unavailable"
    cancelled = "cancelled"  # the provider sent an error instead of a code (the user said no, ...)
    bad_state = "bad_state"  # no sign-in of ours has this state: forged, or from another server
    replayed_state = "replayed_state"  # this sign-in has already come back once
    expired_state = "expired_state"
    other_browser = "other_browser"  # the callback came to a browser that did not start the sign-in
    code_refused = "code_refused"  # the provider's token endpoint refused the code
    wrong_issuer = "wrong_issuer"
    bad_signature = "bad_signature"
    expired_token = "expired_token"  # noqa: S105 (a reason, not a secret)
    wrong_audience = "wrong_audience"
    bad_nonce = "bad_nonce"
    invalid_token = "invalid_token"  # noqa: S105
    unknown_subject = "unknown_subject"  # nobody here is linked to this (issuer, subject)
    disabled_user = "disabled_user"
    agency_not_served = "agency_not_served"  # the linked account's agency does not sign in through this provider
    handover_failed = "handover_failed"


class SignInProblem(Exception):
    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail  # for the server log only


@dataclass(frozen=True)
class Identity:
    """Who the provider vouched for, from a validated ID token."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool


class ProviderClient:
    """One per configured provider for the life of the process: it keeps the discovery document and the
    provider's keys (fetched again when a token names a key it does not know, as after a key rotation)."""

    def __init__(self, provider: OidcProvider, redirect_uri: str) -> None:
        self.provider = provider
        self.redirect_uri = redirect_uri
        self._app = StarletteOAuth2App(
            None,
            name=provider.id,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": " ".join(provider.scopes),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic" if provider.client_secret else "none",
                "timeout": TIMEOUT_SECONDS,
                "follow_redirects": False,
            },
        )

    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        await self._metadata()
        try:
            found = await self._app.create_authorization_url(
                self.redirect_uri, state=state, nonce=nonce, code_verifier=code_verifier
            )
        except RuntimeError as error:  # no authorization_endpoint in the discovery document
            raise SignInProblem(Problem.provider_unavailable, str(error)) from None
        return found["url"]

    async def identify(self, *, code: str, code_verifier: str, nonce: str) -> Identity:
        """Exchange the code (with the PKCE verifier) and validate the ID token it brings."""
        await self._metadata()
        try:
            token = await self._app.fetch_access_token(self.redirect_uri, code=code, code_verifier=code_verifier)
        except (httpx2.HTTPError, ValueError) as error:
            raise SignInProblem(Problem.provider_unavailable, f"token endpoint: {error!r}") from None
        except AuthlibBaseError as error:
            raise SignInProblem(Problem.code_refused, f"token endpoint: {error!r}") from None
        if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
            raise SignInProblem(Problem.invalid_token, "no id_token in the token response")
        claims = await self._validated(token, nonce)
        return Identity(
            issuer=claims["iss"],
            subject=claims["sub"],
            email=claims.get("email") if isinstance(claims.get("email"), str) else None,
            email_verified=claims.get("email_verified") is True,
        )

    async def _validated(self, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        # iss and aud against our configuration (not only against the discovery document); exp, iat, nonce,
        # azp and at_hash by authlib's CodeIDToken; the signature against the provider's published keys.
        options = {
            "iss": {"essential": True, "value": self.provider.issuer},
            "aud": {"essential": True, "value": self.provider.client_id},
            "sub": {"essential": True},
        }
        try:
            return dict(await self._app.parse_id_token(token, nonce, claims_options=options, leeway=CLOCK_SKEW_SECONDS))
        except (httpx2.HTTPError, ValueError, RuntimeError) as error:  # the keys could not be fetched
            raise SignInProblem(Problem.provider_unavailable, f"keys: {error!r}") from None
        except (BadSignatureError, InvalidKeyIdError) as error:
            raise SignInProblem(Problem.bad_signature, repr(error)) from None
        except ExpiredTokenError as error:
            raise SignInProblem(Problem.expired_token, repr(error)) from None
        except ClaimError as error:
            raise SignInProblem(_CLAIM_PROBLEMS.get(error.claim, Problem.invalid_token), repr(error)) from None
        except JoseError as error:
            raise SignInProblem(Problem.invalid_token, repr(error)) from None

    async def _metadata(self) -> dict[str, Any]:
        """The discovery document, fetched once; it must name the configured issuer (OpenID Connect
        Discovery 1.0, section 4.3), or nothing from this provider is believed."""
        try:
            metadata = await self._app.load_server_metadata()
        except (httpx2.HTTPError, ValueError) as error:
            raise SignInProblem(Problem.provider_unavailable, f"discovery: {error!r}") from None
        if metadata.get("issuer") != self.provider.issuer:
            self._app.server_metadata.clear()  # try again next time: it may be a passing misconfiguration
            raise SignInProblem(
                Problem.provider_unavailable, f"discovery names issuer {metadata.get('issuer')!r}, not ours"
            )
        return metadata


_CLAIM_PROBLEMS = {
    "iss": Problem.wrong_issuer,
    "aud": Problem.wrong_audience,
    "azp": Problem.wrong_audience,
    "nonce": Problem.bad_nonce,
}
