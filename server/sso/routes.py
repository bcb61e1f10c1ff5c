"""The browser's side of a sign-in through a provider (server/sso/flow.py has the steps):

  GET  /auth/oidc/<provider>/start     -> 303 to the provider, with a cookie binding the sign-in to this browser
  GET  /auth/oidc/<provider>/callback  -> 303 to /#/sign-in/complete with a one-time hand-over cookie,
                                          or a page saying what went wrong (nothing signed in)
  POST /auth/oidc/session              -> {token, expiresAt}: the session token, once, for that cookie

The token is never in a URL and never in a cookie: the web page collects it with a same-origin request and
keeps it in the tab's sessionStorage, as after a password sign-in (web/js/session.js).
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server import ratelimit
from server.db.engine import unit_of_work
from server.errors import RateLimited
from server.sso import flow
from server.sso.client import Problem, ProviderClient, SignInProblem
from server.sso.pages import problem_page
from server.state import AppState

log = logging.getLogger("taf.sso")

BROWSER_COOKIE = "taf_sso_browser"
HANDOVER_COOKIE = "taf_sso_handover"
COOKIE_PATH = "/auth/oidc"
COMPLETE_PAGE = "/#/sign-in/complete"


def routes() -> list[Route]:
    return [
        Route("/auth/oidc/session", hand_over, methods=["POST"]),
        Route("/auth/oidc/{provider}/start", start, methods=["GET"]),
        Route("/auth/oidc/{provider}/callback", callback, methods=["GET"]),
    ]


async def start(request: Request) -> Response:
    state, client = _state(request), _client(request)
    if client is None:
        return problem_page(Problem.unknown_provider, None)
    try:
        await _spend(request, state)
    except RateLimited:
        return problem_page(Problem.too_many_attempts, client.provider.name)
    chosen = flow.new_secrets()
    try:
        url = await client.authorization_url(state=chosen.state, nonce=chosen.nonce, code_verifier=chosen.code_verifier)
    except SignInProblem as refused:  # nothing is stored for a provider that cannot be reached
        return await _refuse(request, client, refused)
    browser = request.cookies.get(BROWSER_COOKIE) or flow.new_secret()  # one per browser: several tabs may sign in
    async with unit_of_work(state.sessions) as session:
        await flow.begin(session, client.provider, chosen, browser=browser)
    response = RedirectResponse(url, status_code=303)
    _set_cookie(response, state, BROWSER_COOKIE, browser, max_age=int(flow.SIGN_IN_TTL.total_seconds()))
    return response


async def callback(request: Request) -> Response:
    state, client = _state(request), _client(request)
    if client is None:
        return problem_page(Problem.unknown_provider, None)
    returned_state = request.query_params.get("state", "")
    if not returned_state:
        return await _refuse(request, client, SignInProblem(Problem.bad_state, "no state"))
    try:
        async with unit_of_work(state.sessions) as session:  # committed first: the state is used up now
            sign_in = await flow.consume(session, client.provider, state=returned_state)
        flow.check_returned(sign_in, browser=request.cookies.get(BROWSER_COOKIE))
        if request.query_params.get("iss", client.provider.issuer) != client.provider.issuer:  # RFC 9207
            raise SignInProblem(Problem.wrong_issuer, "the callback's iss parameter")
        if request.query_params.get("error") or not request.query_params.get("code"):
            raise SignInProblem(Problem.cancelled, request.query_params.get("error", "no code"))
        identity = await client.identify(
            code=request.query_params["code"], code_verifier=sign_in.code_verifier, nonce=sign_in.nonce
        )
        async with unit_of_work(state.sessions) as session:
            handover = await flow.admit(session, client.provider, sign_in.id, identity, address=_address(request))
    except SignInProblem as refused:
        return await _refuse(request, client, refused)
    response = RedirectResponse(COMPLETE_PAGE, status_code=303)
    response.delete_cookie(BROWSER_COOKIE, path=COOKIE_PATH)
    _set_cookie(response, state, HANDOVER_COOKIE, handover, max_age=int(flow.HANDOVER_TTL.total_seconds()))
    return response


async def hand_over(request: Request) -> Response:
    state = _state(request)
    handover = request.cookies.get(HANDOVER_COOKIE)
    try:
        if not handover:
            raise SignInProblem(Problem.handover_failed, "no cookie")
        async with unit_of_work(state.sessions) as session:
            success = await flow.hand_over(
                session, handover=handover, token_ttl=state.settings.token_ttl, address=_address(request)
            )
    except SignInProblem as refused:
        async with unit_of_work(state.sessions) as session:
            await flow.record_refusal(session, None, refused.problem, address=_address(request))
        message = "This sign-in has already been collected, or took too long."
        response: Response = JSONResponse({"error": {"code": "UNAUTHENTICATED", "message": message}}, status_code=401)
    else:
        response = JSONResponse({"token": success.token, "expiresAt": success.expires_at.isoformat()})
    response.headers["cache-control"] = "no-store"
    response.delete_cookie(HANDOVER_COOKIE, path=COOKIE_PATH)
    return response


async def _refuse(request: Request, client: ProviderClient, refused: SignInProblem) -> Response:
    log.warning("sign-in through %s refused: %s", client.provider.id, refused)
    async with unit_of_work(_state(request).sessions) as session:
        await flow.record_refusal(session, client.provider.id, refused.problem, address=_address(request))
    return problem_page(refused.problem, client.provider.name)


async def _spend(request: Request, state: AppState) -> None:
    """Each start stores a sign-in: counted against the address's anonymous budget, like authLogin."""
    settings = state.settings
    budget = ratelimit.Budget(
        "anonymous", settings.rate_anonymous_per_window, settings.rate_window_seconds, "attempts from your address"
    )
    await ratelimit.spend(state.sessions, budget, f"address:{_address(request)}")


def _set_cookie(response: Response, state: AppState, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back to us, not on cross-site requests
        secure=state.settings.public_origin.startswith("https://"),
    )


def _state(request: Request) -> AppState:
    return request.app.state.taf


def _client(request: Request) -> ProviderClient | None:
    return _state(request).sso_clients.get(request.path_params.get("provider", ""))


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
