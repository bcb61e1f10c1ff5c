"""SQL statements per request, counted where the app meets PostgreSQL: a tap on the wire protocol.

The app is started with DATABASE_URL pointing at the tap, which passes every byte on, both ways, and reads
the messages as they go by. A statement is one round trip of the extended query protocol that executes:
Bind and Execute, once or (executemany) several times, closed by Sync. That is what one `execute` of the
app's database driver sends, so counting round trips counts what the app asked of PostgreSQL. Not counted:
preparing a statement (Parse, Describe); transaction control, whether sent as simple queries (BEGIN, COMMIT,
ROLLBACK) or, as the driver sends SAVEPOINT and RELEASE, as statements; and what a connection that LISTENs runs
(a LISTEN marks it), the live delivery reading what was committed once per wake-up, whatever the
commits it covers, not part of any one request. `of_request` leaves those out and `besides` counts them apart.
Each statement keeps its text (from Parse), its parameters' types (from the server's ParameterDescription) and
its first Bind's values, so that bench/explain.py can EXPLAIN it as it was sent.

The tap knows nothing of the app but the PostgreSQL protocol (version 3). It declines TLS (the app's driver
then does without) and speaks plainly to PostgreSQL too, so the server must accept a plain connection: the
embedded one does, and so does a server on this machine as usually set up.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

from bench.servers import APP, app_environment, uvicorn_server

SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104
_TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END", "ABORT"}


@dataclass
class Statement:
    sql: str
    parameter_types: list[int]  # type OIDs
    formats: list[int]  # per parameter: 0 text, 1 binary
    values: list[bytes | None]  # the first Bind's
    executions: int = 0  # more than one: executemany
    listening: bool = False  # sent on a connection that LISTENs

    @property
    def transaction_control(self) -> bool:
        return self.sql.lstrip().split(" ", 1)[0].upper() in _TRANSACTION_CONTROL


@dataclass
class _Session:
    """What one client connection has prepared and bound so far."""

    prepared: dict[str, tuple[str, list[int]]] = field(default_factory=dict)  # name -> (sql, parameter types)
    describing: deque[str] = field(default_factory=deque)  # statements whose ParameterDescription is due
    bound: tuple[str, list[int], list[bytes | None]] | None = None
    round_trip: Statement | None = None
    listening: bool = False


class Tap:
    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        socket_dir = url.query.get("host")
        self.upstream_socket = f"{socket_dir}/.s.PGSQL.{url.port or 5432}" if socket_dir else None
        self.upstream = (url.host or "127.0.0.1", url.port or 5432)
        self.database_url = database_url
        self.recording_into: list[Statement] | None = None
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        """Listen on a free local port; returns the URL the app is to use instead of `database_url`."""
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        url = make_url(self.database_url).difference_update_query(["host"]).set(host="127.0.0.1", port=port)
        return url.render_as_string(hide_password=False)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    @contextmanager
    def recording(self) -> Iterator[list[Statement]]:
        """The statements every connection completes meanwhile."""
        statements: list[Statement] = []
        self.recording_into = statements
        try:
            yield statements
        finally:
            self.recording_into = None

    async def _serve(self, client: asyncio.StreamReader, to_client: asyncio.StreamWriter) -> None:
        if self.upstream_socket:
            server, to_server = await asyncio.open_unix_connection(self.upstream_socket)
        else:
            server, to_server = await asyncio.open_connection(*self.upstream)
        session = _Session()
        pumps = [
            asyncio.create_task(self._from_client(client, to_client, to_server, session)),
            asyncio.create_task(self._from_server(server, to_client, session)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            for writer in (to_client, to_server):
                writer.close()
                with contextlib.suppress(OSError, ConnectionError):
                    await writer.wait_closed()

    async def _from_client(self, client, to_client, to_server, session: _Session) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # the start-up packet has no type byte; decline TLS and GSS encryption, pass the rest on
                (length,) = struct.unpack("!i", await client.readexactly(4))
                body = await client.readexactly(length - 4)
                if struct.unpack("!i", body[:4])[0] not in (SSL_REQUEST, GSSENC_REQUEST):
                    to_server.write(struct.pack("!i", length) + body)
                    break
                to_client.write(b"N")
                await to_client.drain()
            while True:
                header = await client.readexactly(5)
                payload = await client.readexactly(struct.unpack("!i", header[1:])[0] - 4)
                self._client_message(header[:1], payload, session)
                to_server.write(header + payload)
                await to_server.drain()

    async def _from_server(self, server, to_client, session: _Session) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                header = await server.readexactly(5)
                payload = await server.readexactly(struct.unpack("!i", header[1:])[0] - 4)
                if header[:1] == b"t" and session.describing:  # ParameterDescription
                    name = session.describing.popleft()
                    count = struct.unpack("!h", payload[:2])[0]
                    types = list(struct.unpack(f"!{count}I", payload[2 : 2 + 4 * count]))
                    session.prepared[name] = (session.prepared.get(name, ("", []))[0], types)
                elif header[:1] == b"Z":  # ReadyForQuery: every Describe before it is answered or abandoned
                    session.describing.clear()
                to_client.write(header + payload)
                await to_client.drain()

    def _client_message(self, kind: bytes, payload: bytes, session: _Session) -> None:
        if kind == b"Q" and payload.lstrip()[:6].upper() == b"LISTEN":
            session.listening = True
        elif kind == b"P":  # Parse: name, query, declared parameter types
            name, rest = _string(payload)
            sql, rest = _string(rest)
            session.listening = session.listening or sql.lstrip()[:6].upper() == "LISTEN"
            count = struct.unpack("!h", rest[:2])[0]
            session.prepared[name] = (sql, list(struct.unpack(f"!{count}I", rest[2 : 2 + 4 * count])))
        elif kind == b"D" and payload[:1] == b"S":  # Describe a statement: its ParameterDescription follows
            session.describing.append(_string(payload[1:])[0])
        elif kind == b"B":
            session.bound = _bind(payload)
        elif kind == b"E" and session.bound is not None:
            if session.round_trip is None:
                name, formats, values = session.bound
                sql, types = session.prepared.get(name, ("", []))
                session.round_trip = Statement(sql, types, formats, values, listening=session.listening)
            session.round_trip.executions += 1
        elif kind == b"S":  # Sync closes the round trip
            if session.round_trip is not None and self.recording_into is not None:
                self.recording_into.append(session.round_trip)
            session.round_trip = None


def _string(data: bytes) -> tuple[str, bytes]:
    end = data.index(b"\0")
    return data[:end].decode(), data[end + 1 :]


def _bind(payload: bytes) -> tuple[str, list[int], list[bytes | None]]:
    """Bind: portal, statement, parameter format codes (none: all text; one: for all), values."""
    _portal, rest = _string(payload)
    statement, rest = _string(rest)
    count = struct.unpack("!h", rest[:2])[0]
    codes = list(struct.unpack(f"!{count}h", rest[2 : 2 + 2 * count]))
    rest = rest[2 + 2 * count :]
    (parameters,) = struct.unpack("!h", rest[:2])
    rest, values = rest[2:], []
    for _ in range(parameters):
        (length,) = struct.unpack("!i", rest[:4])
        values.append(None if length < 0 else rest[4 : 4 + length])
        rest = rest[4 + max(length, 0) :]
    formats = codes if len(codes) == parameters else [codes[0] if codes else 0] * parameters
    return statement, formats, values


@asynccontextmanager
async def app_behind_tap(url: str) -> AsyncIterator[tuple[str, Tap]]:
    """The app (one uvicorn worker) on the database at `url`, through a tap: its base URL and the tap."""
    tap = Tap(url)
    tapped = await tap.start()
    try:
        async with uvicorn_server(APP, 1, app_environment(tapped)) as (port, _process):
            yield f"http://127.0.0.1:{port}", tap
    finally:
        await tap.close()


MOST_RUNS = 8


def of_request(statements: list[Statement]) -> list[Statement]:
    """The statements a request asked of PostgreSQL: not transaction control, not the live delivery's."""
    return [s for s in statements if not (s.transaction_control or s.listening)]


def besides(statements: list[Statement]) -> dict[str, int]:
    """What the wire carried besides `of_request`'s statements, by kind (none: an empty dict)."""
    kinds = {
        "transaction control": sum(s.transaction_control and not s.listening for s in statements),
        "live delivery (LISTEN connection)": sum(s.listening for s in statements),
    }
    return {kind: count for kind, count in kinds.items() if count}


def fewest(runs: list[list[Statement]]) -> list[Statement]:
    """Of several runs of one request, the one with the fewest statements: the app's background work
    (timers every second, the dispatcher's poll) shares the database and can only ever add to a run."""
    return min(runs, key=len)


def settled(runs: list[list[Statement]]) -> bool:
    """Whether a request has run often enough to trust `fewest`: its fewest statements seen twice, or
    MOST_RUNS runs."""
    least = len(fewest(runs)) if runs else 0
    return len(runs) >= MOST_RUNS or sum(len(run) == least for run in runs) >= 2
