"""The compiled reads' driver connections (server/db/driver.py): a compiled read runs its statement on one of the
app's own connections, not a pooled one; more concurrent reads than it has connections are all answered (the rest
on pooled connections); a connection PostgreSQL closed is replaced; and a statement is planned once per connection
however long its text (the chronology's is ~80 kB, beyond asyncpg's default limit for keeping a plan)."""

from __future__ import annotations

import asyncio
import hashlib

import sqlalchemy as sa
from sqlalchemy import event

from server.agency.models import Agency
from server.app import READ_CONNECTIONS
from server.db import driver
from server.db.prepared import Prepared
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.db_helpers import end_connections
from tests.graphql_client import operation_documents


def by_hash(name: str, variables: dict) -> dict:
    """The persisted request of a trusted document, which the compiled path answers."""
    digest = hashlib.sha256(operation_documents()[name].encode()).hexdigest()
    return {
        "operationName": name,
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
    }


async def ask(http, token: str, name: str, variables: dict) -> dict:
    response = await http.post("/graphql", json=by_hash(name, variables), headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_a_compiled_read_runs_on_the_apps_read_connections_not_the_pool(gql, http, app, sessions):
    # given a lead professional signed in, and the statements the pool and the read connections send counted apart
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead, fresh=True)
    engine, reads = app.state.taf.engine, driver.reads(app.state.taf.engine)
    pooled: list[str] = []
    sent: list[str] = []

    def on_pool(conn, cursor, statement, parameters, context, executemany):
        pooled.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_pool)
    reads.observers.append(sent.append)
    try:
        # when they read their family's chronology, compiled
        data = await ask(http, token, "FamilyChronology", {"familyId": str(area.family.id), "first": 20})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_pool)
        reads.observers.remove(sent.append)

    # then the compiled statement went on a read connection, and no statement of the read on the pool
    assert data["family"]["chronology"]["totalCount"] > 0
    assert any("json_build_object" in statement for statement in sent)
    assert not any("json_build_object" in statement for statement in pooled)
    assert 1 <= reads.open_connections <= READ_CONNECTIONS


async def test_more_concurrent_reads_than_connections_are_all_answered(gql, http, app, sessions):
    # given a lead professional signed in
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead, fresh=True)

    # when far more compiled reads than the app has read connections arrive at once
    family = str(area.family.id)
    answers = await asyncio.gather(*(ask(http, token, "Family", {"id": family}) for _ in range(3 * READ_CONNECTIONS)))

    # then every one is answered, and no more read connections were opened than allowed
    assert all(answer["family"]["id"] == family for answer in answers)
    assert driver.reads(app.state.taf.engine).open_connections <= READ_CONNECTIONS


async def test_a_read_connection_postgres_closed_is_replaced(gql, http, app, sessions):
    # given compiled reads answered on the read connections
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead, fresh=True)
    family = str(area.family.id)
    assert (await ask(http, token, "Family", {"id": family}))["family"]["id"] == family

    # when PostgreSQL ends every connection whose last statement was a compiled read
    assert await end_connections(sessions, "WITH facts AS%")

    # then the next reads are answered all the same
    for _ in range(3):
        assert (await ask(http, token, "Family", {"id": family}))["family"]["id"] == family


async def test_a_long_statement_is_planned_once_per_connection(gql, http, app, sessions):
    # given the chronology read a dozen times, one at a time (so on one read connection)
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead, fresh=True)
    for _ in range(12):
        await ask(http, token, "FamilyChronology", {"familyId": str(area.family.id), "first": 20})

    # then the connection kept its statement prepared (asyncpg would not keep a text over 15 kB by default)
    reads = driver.reads(app.state.taf.engine)
    kept = await reads.fetchrow(
        "SELECT count(*), max(length(statement)) FROM pg_prepared_statements WHERE statement LIKE '%chronology%'"
    )
    assert kept is not None and kept[0] >= 1 and kept[1] > 15 * 1024


async def test_every_row_of_a_statement_alone_on_the_read_connections_and_on_the_pool(gql, http, app, sessions):
    # given agencies, a statement reading all of them, and the app serving (its read connections registered)
    await create_area(sessions)
    agencies = Agency.__table__
    statement = Prepared(
        sa.select(agencies.c.id, agencies.c.name).order_by(agencies.c.name, agencies.c.id), sessions.kw["bind"].dialect
    )
    reads = driver.reads(app.state.taf.engine)
    sent: list[str] = []
    reads.observers.append(sent.append)
    try:
        # when it is read alone with the app's engine, and with an engine that has no read connections (the pool's)
        on_reads = await statement.all_alone(app.state.taf.engine, {})
    finally:
        reads.observers.remove(sent.append)
    on_pool = await statement.all_alone(sessions.kw["bind"], {})

    # then both have every row, their columns by name, and the first went on a read connection
    assert len(on_reads) >= 2 and on_reads == on_pool
    assert [row.name for row in on_reads] == sorted(row.name for row in on_reads)
    assert sent == [statement.sql]


async def test_the_caseload_keeps_one_generic_plan(gql, http, app, sessions):
    # given a lead professional of a few families, signed in
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead, fresh=True)

    # when they ask for their caseload a dozen times, one at a time (so on one read connection)
    for _ in range(12):
        await ask(http, token, "Caseload", {"first": 20})

    # then PostgreSQL planned it for the first runs only and kept the generic plan: each value the run gives is read
    # through a sub-select (server/db/prepared.py `_inline`), so no custom plan is costed below the generic one
    reads = driver.reads(app.state.taf.engine)
    plans = await reads.fetchrow(
        "SELECT sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements WHERE statement LIKE 'WITH page AS%'"
    )
    assert plans is not None and plans[0] >= 6 and plans[1] <= 6, plans


async def test_every_statement_on_the_read_connections_keeps_its_generic_plan(gql, http, app, sessions):
    # given a team member signed in, reading their family's pages a few times, one at a time
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague, fresh=True)
    family = str(area.family.id)
    for _ in range(8):
        await ask(http, token, "Family", {"id": family})
        await ask(http, token, "FamilyContributions", {"familyId": family, "first": 100})
        await ask(http, token, "FamilyChronology", {"familyId": family, "first": 100})

    # then no run was planned for its values: the read connections keep each statement's generic plan whatever the
    # statistics say (server/db/engine.py `driver_connection`), so a custom plan that costs out a little cheaper
    # cannot have every run planned anew (2 ms a run for FamilyContributions, bench/README.md)
    reads = driver.reads(app.state.taf.engine)
    mode = await reads.fetchrow("SELECT current_setting('plan_cache_mode')")
    plans = await reads.fetchrow(
        "SELECT sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements WHERE statement LIKE 'WITH facts%'"
    )
    assert mode is not None and mode[0] == "force_generic_plan"
    assert plans is not None and plans[0] >= 8 and plans[1] == 0, plans
