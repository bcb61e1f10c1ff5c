"""The Strawberry view on Starlette: builds the typed context and authenticates the caller."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from datetime import timedelta
from typing import Any

import asyncpg
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.types import ExecutionResult

from server.api.audit import flush as flush_audit
from server.api.compiled import RawData, answer, compiled_reads
from server.api.compiled_writes import answer_write, compiled_writes
from server.api.context import Context
from server.api.errors import formatted_with_code, with_codes
from server.api.loaders import Loaders
from server.auth import service as auth_service
from server.state import AppState

log = logging.getLogger("taf.api.view")
_DATABASE_UNREACHABLE = (
    DBAPIError,
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)

WS_TOO_MANY_MESSAGES = 4429  # graphql-transport-ws leaves 4400-4499 to the server; 429 as in HTTP


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_from_connection_params(params: dict[str, Any]) -> str | None:
    """`{"Authorization": "Bearer <token>"}` (as an HTTP header would say it) or `{"token": "<token>"}`."""
    header = params.get("Authorization") or params.get("authorization")
    if isinstance(header, str):
        return bearer_token(header)
    token = params.get("token")
    return token if isinstance(token, str) and token else None


class KeepAliveHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with server pings once acknowledged: proxies keep the socket open and clients
    notice a dead server. (Strawberry's keep_alive option drives only the legacy graphql-ws protocol.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinger: asyncio.Task | None = None
        self._signed_in: uuid.UUID | None = None
        self._recent: deque[float] = deque()  # arrival times of the messages of the last second
        self._flooded = False

    async def handle_message(self, message: Any) -> None:
        """At most TAF_WS_MAX_MESSAGES_PER_SECOND client messages in any one second; a client that sends
        more is closed with 4429 "Too many messages" (it may reconnect and resume from its cursor)."""
        if self._flooded:
            return
        limit = self.view.state.settings.ws_max_messages_per_second  # type: ignore[attr-defined]
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        self._recent.append(now)
        if len(self._recent) > limit:
            self._flooded = True
            await self.websocket.close(
                code=WS_TOO_MANY_MESSAGES, reason=f"Too many messages (at most {limit} a second)"
            )
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._pinger is None:
            state: AppState = self.view.state  # type: ignore[attr-defined]
            self._pinger = asyncio.create_task(self._ping(state.settings.ws_keepalive_seconds))
            actor = self.context.actor
            if actor is not None and actor.token_id is not None:
                # Signing out (on any instance) closes this socket at once, even when nothing is flowing.
                self._signed_in = actor.token_id
                state.notifications.sockets.add(actor.token_id, self._close_signed_out)

    async def _close_signed_out(self) -> None:
        with contextlib.suppress(Exception):  # already closing or closed: nothing to do
            await self.websocket.close(code=4403, reason="Signed out")

    async def _ping(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.send_message({"type": "ping"})

    async def send_message(self, message: Any) -> None:
        if message.get("type") == "error":  # protocol-level errors (limits, validation) get codes too
            message = {**message, "payload": [formatted_with_code(error) for error in message["payload"]]}
        await super().send_message(message)

    async def shutdown(self) -> None:
        if self._signed_in is not None:
            self.view.state.notifications.sockets.discard(self._signed_in, self._close_signed_out)  # type: ignore[attr-defined]
        if self._pinger is not None:
            self._pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._pinger
        await super().shutdown()


class TafGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = KeepAliveHandler

    def __init__(self, state: AppState) -> None:
        settings = state.settings
        super().__init__(
            state.schema,
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=False,  # queries over GET could be triggered cross-site
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],  # not the legacy graphql-ws
            allowed_origins=[settings.public_origin],
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        )
        self.state = state
        trusted = state.schema.trusted.by_hash  # type: ignore[attr-defined]
        self.compiled = compiled_reads(trusted) if settings.compiled_reads else {}
        self.compiled_writes = compiled_writes(trusted, state.schema._schema) if settings.compiled_writes else {}

    def encode_json(self, data: object) -> str | bytes:
        """A compiled read's answer is JSON from PostgreSQL already: written out, not decoded and encoded."""
        if isinstance(data, dict) and isinstance(data.get("data"), RawData) and len(data) == 1:
            return '{"data":' + data["data"].json + "}"
        return super().encode_json(data)

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """A persisted operation is named by its hash (server/api/persisted.py); its text is put in its place."""
        try:
            trusted = self.state.schema.trusted.resolve(request_data.query, request_data.extensions)  # type: ignore[attr-defined]
        except GraphQLError as error:
            return ExecutionResult(data=None, errors=[error])
        # Queries only over POST (allow_queries_via_get=False): a GET goes to Strawberry, which refuses it.
        compiled = None
        if request_adapter.method == "POST":
            written = await answer_write(
                self.compiled_writes, trusted, request_data.operation_name, request_data.variables, context
            )
            if written is not None:
                await flush_audit(context)
                return written
            compiled = await answer(
                self.compiled, trusted, request_data.operation_name, request_data.variables, context
            )
        if compiled is not None:
            await flush_audit(context)
            return ExecutionResult(data=compiled, errors=None)  # type: ignore[arg-type]
        if trusted is not None and request_data.query is None:
            request_data = GraphQLRequestData(
                query=trusted.text,
                variables=request_data.variables,
                operation_name=request_data.operation_name,
                extensions=request_data.extensions,
                protocol=request_data.protocol,
            )
        return await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)

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
            engine=state.engine,
            enforcer=state.enforcer,
            loaders=Loaders(state.sessions, lambda: context.access, state.settings),
            bus=state.notifications.bus,
            sign_ins=state.notifications.sockets,
            fanout=state.notifications.fanout,
        )
        if request.scope["type"] == "http":
            await self._authenticate(context, bearer_token(request.headers.get("authorization")))
        return context

    async def on_ws_connect(self, context: Context) -> dict[str, object]:
        """Authenticate the socket in connection_init; a bad or expired token closes it with 4403."""
        token = token_from_connection_params(context.connection_params or {})
        await self._authenticate(context, token)
        if context.actor is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "reason": context.token_problem.value})
        return {"userId": str(context.actor.user_id)}

    async def _authenticate(self, context: Context, token: str | None) -> None:
        try:
            found = await auth_service.authenticate(self.state.token_check, token)
        except _DATABASE_UNREACHABLE as error:
            # The database is down (or a connection it cut mid-statement is still settling, which asyncpg reports as
            # another operation in progress): every field that needs a signed-in user answers UNAVAILABLE. Logged by
            # its kind only (no statement, no token), so that an operator can tell an outage from a lost connection.
            log.warning("the token check could not reach the database: %s", type(error).__name__)
            context.database_down = True
            return
        if isinstance(found, auth_service.TokenProblem):
            context.token_problem = found
        else:
            context.actor = found
