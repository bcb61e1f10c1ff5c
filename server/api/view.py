"""The Strawberry view on Starlette: builds the typed context and authenticates the caller."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from server.api.context import Context
from server.api.errors import with_codes
from server.api.loaders import Loaders
from server.auth import service as auth_service
from server.state import AppState


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class TafGraphQL(GraphQL[Context, None]):
    def __init__(self, state: AppState) -> None:
        settings = state.settings
        super().__init__(
            state.schema,
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=False,  # queries over GET could be triggered cross-site
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],  # not the legacy graphql-ws
            allowed_origins=[settings.public_origin],
        )
        self.state = state

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:
            with_codes(result.errors)
        return process_result(result)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = self.state
        context = Context(
            request=request,
            response=response,
            settings=state.settings,
            sessions=state.sessions,
            enforcer=state.enforcer,
            loaders=Loaders(state.sessions),
        )
        if request.scope["type"] == "http":
            token = bearer_token(request.headers.get("authorization"))
            async with state.sessions() as session:
                found = await auth_service.authenticate(session, token)
            if isinstance(found, auth_service.TokenProblem):
                context.token_problem = found
            else:
                context.actor = found
        return context
