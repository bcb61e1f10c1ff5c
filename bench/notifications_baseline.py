"""The baseline of the notification burst (bench/notifications_burst.py --target baseline): the same job
done by hand, with no GraphQL library and no policy layer, the practical limit of the burst.

One process per instance (uvicorn --factory bench.notifications_baseline:create_app; BENCH_BASELINE_DSN
is a plain postgresql:// DSN). It serves:

- `POST /graphql`: the burst's TeamMemberAdd body (the query text is ignored, `variables.input` read).
  The bearer token is checked with one indexed query, then one transaction inserts the team membership,
  one `notification` row per member of the family's active team but the actor (the recipients the real
  app notifies), and NOTIFYs a wake-up on CHANNEL.
- `/graphql` websockets: the part of graphql-transport-ws the burst client speaks. `connection_init`
  with `payload.token` (checked once) -> `connection_ack`; `subscribe` with `variables.after` -> the
  caller's rows after that cursor, then live ones, as `next` messages with the fields of the
  Notifications document; `ping` -> `pong`; `complete` ends a subscription.
- one asyncpg LISTEN connection per process: on a wake-up it reads the new rows of every connected
  recipient with one query (`id > last_seen`) and queues them on those recipients' sockets.

What it skips, so that the comparison says what the real stack costs:

- GraphQL: no parsing, validation or execution of documents, no Strawberry types or resolvers.
- The policy layer: no decision that the actor may manage the family's team, and no per-recipient
  filtering of the notice or its payload (every active team member gets the same copy).
- The outbox and dispatcher: the notification rows are written in the mutation's own transaction (their
  outbox_id is NULL), not by a dispatcher reading a committed outbox event and locking the batch.
- Preferences (every row is `live`, none is held for the daily digest), the checks that recipients are
  active staff, the audit trail, the family row lock and the closed-family check.
- Revocation: a socket is never re-checked after `connection_init` (no sign-out or expiry notices, no
  sweeps), and a slow socket is never dropped (its queue is unbounded; the real app ends the stream).
- Robustness: no reconnect of the LISTEN connection, no access log, no error shapes beyond a message.

Ids follow commit order, as in the real app, because the notification rows are inserted under a
transaction-scoped advisory lock (held from the insert to the commit): a reader that has seen id N has
seen every committed id below N, so `id > last_seen` misses nothing and a client's cursor is exact.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bench.baseline import AUTH
from bench.data.sessions import token_hash

log = logging.getLogger(__name__)

CHANNEL = "taf_baseline_notification"  # not the app's channels: the two never run on one database at once
ORDER_LOCK = 0x7AF_B45E  # pg_advisory_xact_lock key that orders notification ids by commit
PROTOCOL = "graphql-transport-ws"

INSERT_MEMBERSHIP = """
INSERT INTO team_membership (id, family_id, agency_id, user_id, role, agency_role, contact_in_hours,
                             contact_out_of_hours, valid_from, created_at)
SELECT $1, $2, u.agency_id, u.id, 'contributor', $4, '', '', now(), now() FROM app_user u WHERE u.id = $3
RETURNING agency_id"""
# The lock is taken just before the notification rows get their ids and held to the commit, so that ids
# follow commit order; the NOTIFY is only sent at commit, so it may share the round trip.
LOCK_AND_NOTIFY = "SELECT pg_advisory_xact_lock($1), pg_notify($2, '')"
INSERT_NOTIFICATIONS = """
INSERT INTO notification (recipient_user_id, kind, family_id, urgent, delivery, payload, created_at)
SELECT t.user_id, 'team_member_added', $1, false, 'live', $3::jsonb, clock_timestamp()
FROM team_membership t WHERE t.family_id = $1 AND t.valid_to IS NULL AND t.user_id <> $2"""
COLUMNS = "id, recipient_user_id, kind, family_id, urgent, payload, created_at, read_at, acknowledged_at"
REPLAY = f"""SELECT {COLUMNS} FROM notification
             WHERE recipient_user_id = $1 AND id > $2 AND delivery = 'live' ORDER BY id"""
NEW_ROWS = f"""SELECT {COLUMNS} FROM notification
               WHERE id > $1 AND recipient_user_id = ANY($2::uuid[]) AND delivery = 'live' ORDER BY id"""
TOP_ID = "SELECT coalesce(max(id), 0) FROM notification"


def node(row: asyncpg.Record) -> dict[str, Any]:
    """A row as the Notifications document selects it (NotificationFields), in GraphQL's field names."""
    return {
        "id": str(row["id"]),
        "kind": row["kind"],
        "familyId": str(row["family_id"]),
        "urgent": row["urgent"],
        "payload": json.loads(row["payload"]),  # asyncpg hands jsonb over as text
        "createdAt": row["created_at"].isoformat(),
        "readAt": row["read_at"] and row["read_at"].isoformat(),
        "acknowledgedAt": row["acknowledged_at"] and row["acknowledged_at"].isoformat(),
    }


class Client:
    """One websocket. Every frame goes through its queue and one writer task, so frames never interleave
    and a slow socket never holds up the fan-out to the others."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.writer = asyncio.create_task(self._write())

    def send(self, message: dict[str, Any]) -> None:
        self.queue.put_nowait(json.dumps(message, separators=(",", ":")))

    async def _write(self) -> None:
        with suppress(WebSocketDisconnect, RuntimeError, OSError):
            while True:
                await self.websocket.send_text(await self.queue.get())

    def close(self) -> None:
        self.writer.cancel()


@dataclass(eq=False)
class Stream:
    """One subscription: delivers each id once and in order, after the cursor it was opened with."""

    client: Client
    subscription_id: str
    user_id: uuid.UUID
    last_id: int
    backlog: list[tuple[int, dict]] | None = field(default_factory=list)  # live rows during the replay

    def offer(self, row_id: int, item: dict) -> None:
        if self.backlog is not None:
            self.backlog.append((row_id, item))
        else:
            self.deliver(row_id, item)

    def deliver(self, row_id: int, item: dict) -> None:
        if row_id <= self.last_id:  # already sent (by the replay, or before a resume)
            return
        self.last_id = row_id
        message = {"id": self.subscription_id, "type": "next", "payload": {"data": {"notifications": item}}}
        self.client.send(message)


class Hub:
    """This process's subscriptions by recipient, fed by one LISTEN connection."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.streams: dict[uuid.UUID, set[Stream]] = {}
        self.last_seen = 0
        self.listening = asyncio.Event()
        self._wake = asyncio.Event()

    async def run(self, dsn: str) -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.add_listener(CHANNEL, lambda *_: self._wake.set())
            self.last_seen = await connection.fetchval(TOP_ID)
            self.listening.set()
            while True:
                await self._wake.wait()
                self._wake.clear()  # wake-ups during the query coalesce into one more round
                await self._fan_out(connection)
        finally:
            await connection.close()

    async def _fan_out(self, connection: asyncpg.Connection) -> None:
        users = list(self.streams)
        if not users:  # nobody to tell: only move the position on
            self.last_seen = max(self.last_seen, await connection.fetchval(TOP_ID))
            return
        rows = await connection.fetch(NEW_ROWS, self.last_seen, users)
        for row in rows:
            item = node(row)
            for stream in self.streams.get(row["recipient_user_id"], ()):
                stream.offer(row["id"], item)
        if rows:
            self.last_seen = rows[-1]["id"]

    async def subscribe(self, client: Client, subscription_id: str, user_id: uuid.UUID, after: int | None) -> Stream:
        """Register first, then replay: a row committed meanwhile is in the replay or in the backlog (or
        both, and then sent once)."""
        stream = Stream(client, subscription_id, user_id, self.last_seen if after is None else after)
        self.streams.setdefault(user_id, set()).add(stream)
        for row in await self.pool.fetch(REPLAY, user_id, stream.last_id):
            stream.deliver(row["id"], node(row))
        backlog, stream.backlog = stream.backlog or [], None
        for row_id, item in backlog:
            stream.deliver(row_id, item)
        return stream

    def drop(self, stream: Stream) -> None:
        streams = self.streams.get(stream.user_id)
        if streams is not None:
            streams.discard(stream)
            if not streams:
                del self.streams[stream.user_id]


def _errors(message: str, status: int = 200) -> Response:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


async def _member_add(pool: asyncpg.Pool, token: str, data: dict[str, Any]) -> Response:
    family_id, user_id = uuid.UUID(data["familyId"]), uuid.UUID(data["userId"])
    membership_id = uuid.uuid4()
    async with pool.acquire() as connection:
        actor = await connection.fetchrow(AUTH, token_hash(token))
        if actor is None:
            return _errors("Sign in first.", 401)
        try:
            async with connection.transaction():
                role = data.get("contact", {}).get("agencyRole", "")
                agency_id = await connection.fetchval(INSERT_MEMBERSHIP, membership_id, family_id, user_id, role)
                if agency_id is None:
                    raise LookupError("No such worker.")
                event = {
                    "type": "team_member_added",
                    "family_id": str(family_id),
                    "actor_user_id": str(actor["id"]),
                    "membership_id": str(membership_id),
                    "user_id": str(user_id),
                    "agency_id": str(agency_id),
                }
                await connection.execute(LOCK_AND_NOTIFY, ORDER_LOCK, CHANNEL)
                await connection.execute(INSERT_NOTIFICATIONS, family_id, actor["id"], json.dumps(event))
        except (LookupError, asyncpg.IntegrityConstraintViolationError) as error:
            return _errors(str(error))
    return JSONResponse({"data": {"teamMemberAdd": {"id": str(membership_id)}}})


async def _authenticate(pool: asyncpg.Pool, payload: Any) -> uuid.UUID | None:
    token = payload.get("token") if isinstance(payload, dict) else None
    if not isinstance(token, str):
        return None
    row = await pool.fetchrow(AUTH, token_hash(token))
    return row["id"] if row else None


async def _converse(websocket: WebSocket, hub: Hub, client: Client, streams: dict[str, Stream]) -> None:
    """The graphql-transport-ws messages the burst client sends, until it goes away."""
    user_id: uuid.UUID | None = None
    while True:
        message = json.loads(await websocket.receive_text())
        kind = message.get("type")
        if kind == "ping":
            client.send({"type": "pong"})
        elif kind == "connection_init":
            user_id = await _authenticate(hub.pool, message.get("payload"))
            if user_id is None:
                await websocket.close(4403, "Forbidden")
                return
            client.send({"type": "connection_ack"})
        elif kind == "subscribe":
            if user_id is None:
                await websocket.close(4401, "Unauthorized")
                return
            after = (message["payload"].get("variables") or {}).get("after")
            cursor = None if after is None else int(after)
            streams[message["id"]] = await hub.subscribe(client, message["id"], user_id, cursor)
        elif kind == "complete" and message.get("id") in streams:
            hub.drop(streams.pop(message["id"]))


def _report_crash(task: asyncio.Task) -> None:
    """The listener is not restarted (a bench server): say so loudly rather than go quiet."""
    if not task.cancelled() and task.exception() is not None:
        log.error("the LISTEN loop ended: no more live notifications", exc_info=task.exception())


def create_notifications_baseline(dsn: str, pool_size: int = 10) -> Starlette:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette):
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=pool_size)
        hub = state["hub"] = Hub(pool)
        listener = asyncio.create_task(hub.run(dsn))
        listener.add_done_callback(_report_crash)
        try:
            yield
        finally:
            listener.cancel()
            with suppress(asyncio.CancelledError):
                await listener
            await pool.close()

    async def mutation(request: Request) -> Response:
        body = json.loads(await request.body())
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return await _member_add(state["hub"].pool, token, body["variables"]["input"])

    async def ready(request: Request) -> Response:
        return Response(status_code=200 if state["hub"].listening.is_set() else 503)

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol=PROTOCOL)
        hub: Hub = state["hub"]
        client, streams = Client(websocket), {}
        try:
            await _converse(websocket, hub, client, streams)
        except WebSocketDisconnect:
            pass
        finally:
            for stream in streams.values():
                hub.drop(stream)
            client.close()

    routes = [
        Route("/graphql", mutation, methods=["POST"]),
        WebSocketRoute("/graphql", socket),
        Route("/readyz", ready),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def create_app() -> Starlette:
    """uvicorn --factory bench.notifications_baseline:create_app (BENCH_BASELINE_DSN: postgresql:// DSN)."""
    return create_notifications_baseline(os.environ["BENCH_BASELINE_DSN"])
