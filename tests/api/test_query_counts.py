"""N+1 is a test (STYLE.md R23): statements per request must not grow with the items returned."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from server.db import driver
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_family, create_user


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def sent(statement):  # a statement on the app's read connections (server/db/driver.py)
        statements.append(statement)

    reads = driver.reads(engine)
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    if reads is not None:
        reads.observers.append(sent)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        if reads is not None:
            reads.observers.remove(sent)


async def caseload_statements(gql, app, sessions, families: int) -> int:
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    colleague = await create_user(sessions, agency=await create_agency(sessions))
    for _ in range(families):
        await create_family(sessions, lead=lead, contributors=(colleague,))
    token = await sign_in(gql, lead)
    with counting(app.state.taf.engine) as statements:
        page = await gql.data("Caseload", {"first": 50}, token=token)
        family = page["families"]["nodes"][0]["id"]
        await gql.data("Family", {"id": family}, token=token)
    assert len(page["families"]["nodes"]) == families
    return len(statements)


async def test_caseload_and_family_statements_do_not_grow_with_the_caseload(gql, app, sessions):
    assert await caseload_statements(gql, app, sessions, 2) == await caseload_statements(gql, app, sessions, 20)
