"""The benchmarks' statement counter (bench/wire.py) counts on the wire what the app's own engine sends:
the same number as a before_cursor_execute listener on that engine, executemany counted once, and each
statement with the text and parameter values that EXPLAIN needs."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import asyncpg
import httpx
import uvicorn
from sqlalchemy import event

from bench.api import ask
from bench.data.generator import Generator
from bench.data.plan import Plan
from bench.data.sessions import mint_tokens
from bench.database import dsn, migrate, recreate
from bench.explain import arguments
from bench.servers import free_port
from bench.wire import Tap, besides, of_request
from server.app import create_app
from server.config import Environment, Settings


async def test_the_tap_counts_what_the_engine_sends(server_url: str):
    # given a toy data set, and the app (in this process, so that its engine can be watched too) behind a tap
    url = await recreate(server_url, "taf_bench_wire")
    await migrate(url)
    connection = await asyncpg.connect(dsn(url))
    try:
        generator = Generator(connection, Plan.at(0.002), seed=11)
        await generator.generate(lambda message: None)
    finally:
        await connection.close()
    meta = generator.world.summary()
    actor, writer = uuid.UUID(meta["actor_user_id"]), uuid.UUID(meta["writer_user_id"])
    tokens = await mint_tokens(dsn(url), [actor, writer])
    tap = Tap(url)
    tapped_url = await tap.start()
    app = create_app(Settings(database_url=tapped_url, environment=Environment.production, demo_data=False))
    server = uvicorn.Server(uvicorn.Config(app, port=free_port(), log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.config.port}", timeout=60) as client:
            requests = [
                ("FamilyContributions", {"familyId": meta["family_a_id"], "first": 100}, tokens[actor]),
                ("Caseload", {"first": 20}, tokens[actor]),
                ("TeamMemberAdd", _newcomer(meta, generator), tokens[writer]),  # a write, and the team notified
            ]
            for name, variables, token in requests[:2]:  # warm the pool's connections
                await ask(client, name, variables, token)

            # when each request runs with both counting
            runs = []
            for name, variables, token in requests:
                sent: list[str] = []

                def heard(conn, cursor, statement, parameters, context, executemany, sent=sent) -> None:
                    sent.append(statement)

                event.listen(app.state.taf.engine.sync_engine, "before_cursor_execute", heard)
                try:
                    with tap.recording() as statements:
                        await ask(client, name, variables, token)
                finally:
                    event.remove(app.state.taf.engine.sync_engine, "before_cursor_execute", heard)
                runs.append((sent, statements))
        # a client's executemany (the app's writes no longer send one) goes through the same tap
        direct = await asyncpg.connect(dsn(tapped_url))
        listener = await asyncpg.connect(dsn(tapped_url))
        try:
            with tap.recording() as many:
                await direct.executemany("SELECT $1::int", [(1,), (2,), (3,)])
            # and savepoints sent as statements, and what a LISTENing connection reads, are seen but set aside
            await listener.add_listener("taf_wire_test", lambda *_: None)
            with tap.recording() as mixed:
                async with direct.transaction():
                    await direct.fetch("SAVEPOINT wire_test")
                    await direct.fetchval("SELECT 41")
                    await direct.fetch("RELEASE SAVEPOINT wire_test")
                await listener.fetchval("SELECT 42")
        finally:
            await direct.close()
            await listener.close()
    finally:
        server.should_exit = True
        await task
        await tap.close()

    # then the tap saw every statement the engine sent (concurrent resolvers send theirs in any order; the
    # background loops, which share the database, may add theirs)
    for sent, statements in runs:
        tapped = Counter(" ".join(statement.sql.split()) for statement in statements)
        assert not Counter(" ".join(statement.split()) for statement in sent) - tapped, (sent, tapped)
    # and an executemany is one statement of several executions
    assert [(s.sql, s.executions) for s in many] == [("SELECT $1::int", 3)]
    # and a request's statements leave out transaction control and the live delivery's reads, counted apart
    assert [s.sql for s in mixed] == ["SAVEPOINT wire_test", "SELECT 41", "RELEASE SAVEPOINT wire_test", "SELECT 42"]
    assert [s.sql for s in of_request(mixed)] == ["SELECT 41"]
    assert besides(mixed) == {"transaction control": 2, "live delivery (LISTEN connection)": 1}
    # and a statement's parameters decode to the values sent: the page's family id
    connection = await asyncpg.connect(dsn(url))
    try:
        page = next(s for s in runs[0][1] if s.sql.startswith("WITH") and "page AS" in s.sql)  # the compiled read
        assert uuid.UUID(meta["family_a_id"]) in await arguments(connection, page)
    finally:
        await connection.close()


def _newcomer(meta: dict, generator: Generator) -> dict:
    world = generator.world
    family = world.writer_family
    outsider = next(user for user in range(len(world.user_ids)) if user not in world.teams[family])
    return {
        "input": {
            "familyId": meta["writer_family_id"],
            "userId": str(world.user_ids[outsider]),
            "contact": {"agencyRole": "Family support worker"},
        }
    }
