"""A write's statements sent straight to asyncpg in the session's transaction (server/db/prepared.py `rows_in`): in
that transaction even as its first statement, values and rows processed as SQLAlchemy's execution would, defaults
Python makes made, refusals raised as SQLAlchemy's errors, and every statement seen by the engine's listeners."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from notifications import transaction
from server.audit.models import AuditEvent, AuditOutcome
from server.clock import utcnow
from server.db.engine import unit_of_work
from server.db.prepared import Prepared
from server.family.models import Family, FamilyStatus
from server.idempotency import IdempotencyKey
from tests.builders import create_agency, create_family, create_user

_KEYS = IdempotencyKey.__table__
# An INSERT leaving out created_at, whose default Python makes.
_ADD_KEY = sa.insert(_KEYS).values(
    user_id=sa.bindparam("user_id", type_=sa.Uuid()),
    key=sa.bindparam("key", type_=sa.String()),
    action=sa.bindparam("action", type_=sa.String()),
)


class _Stop(Exception):
    pass


async def _keys(sessions, user_id: uuid.UUID) -> list[tuple]:
    async with sessions() as session:
        statement = sa.select(_KEYS.c.key, _KEYS.c.created_at).where(_KEYS.c.user_id == user_id)
        return list((await session.exec(statement)).all())


async def test_a_first_statement_is_in_the_transaction_and_rolls_back_with_it(sessions):
    # given a worker
    user = await create_user(sessions, agency=await create_agency(sessions))
    add = Prepared(_ADD_KEY, sessions.kw["bind"].dialect)

    # when a key is added by the transaction's first statement, and the transaction then fails
    with pytest.raises(_Stop):
        async with unit_of_work(sessions) as session:
            connection = await transaction.connection(session)
            await add.rows_in(connection, {"user_id": user.id, "key": "rolled-back", "action": "test"})
            raise _Stop

    # then nothing of it stays; and one committed has its created_at made as it ran
    assert await _keys(sessions, user.id) == []
    before = utcnow()
    async with unit_of_work(sessions) as session:
        connection = await transaction.connection(session)
        await add.rows_in(connection, {"user_id": user.id, "key": "committed", "action": "test"})
    ((key, created_at),) = await _keys(sessions, user.id)
    assert key == "committed" and before <= created_at <= utcnow()


async def test_a_refusal_is_raised_as_sqlalchemys_error_and_the_transaction_rolls_back(sessions):
    # given a worker's key
    user = await create_user(sessions, agency=await create_agency(sessions))
    add = Prepared(_ADD_KEY, sessions.kw["bind"].dialect)
    async with unit_of_work(sessions) as session:
        await add.rows_in(await transaction.connection(session), {"user_id": user.id, "key": "once", "action": "a"})

    # when another key and the same key again are added in one transaction
    with pytest.raises(IntegrityError) as raised:
        async with unit_of_work(sessions) as session:
            connection = await transaction.connection(session)
            await add.rows_in(connection, {"user_id": user.id, "key": "other", "action": "a"})
            await add.rows_in(connection, {"user_id": user.id, "key": "once", "action": "a"})

    # then the refusal is SQLAlchemy's, over the driver's (as the domain's refusal handlers read it), and the
    # other key was rolled back with it
    assert isinstance(raised.value.orig.__cause__, asyncpg.UniqueViolationError)
    assert [key for key, _ in await _keys(sessions, user.id)] == ["once"]


async def test_values_and_rows_are_processed_as_their_types_say(sessions):
    # given a family
    lead = await create_user(sessions, agency=await create_agency(sessions))
    family = await create_family(sessions, lead=lead)
    dialect = sessions.kw["bind"].dialect
    status = Prepared(
        sa.select(Family.__table__.c.status).where(Family.__table__.c.id == sa.bindparam("id", type_=sa.Uuid())),
        dialect,
    )
    events = AuditEvent.__table__
    audit = Prepared(
        sa.insert(events)
        .values(
            action="test",
            outcome=sa.bindparam("outcome", type_=events.c.outcome.type),
            detail=sa.bindparam("detail", type_=events.c.detail.type),
        )
        .returning(events.c.outcome, events.c.detail),
        dialect,
    )

    # when its status is read, and an audit event with a JSON detail written, in one transaction
    async with unit_of_work(sessions) as session:
        connection = await transaction.connection(session)
        ((read,),) = await status.rows_in(connection, {"id": family.id})
        ((outcome, detail),) = await audit.rows_in(
            connection, {"outcome": AuditOutcome.denied, "detail": {"marker": "rows_in", "n": [1, 2]}}
        )

    # then the enum comes back as the enum, and the JSON as written
    assert isinstance(read, FamilyStatus) and read is FamilyStatus(family.status)
    assert outcome is AuditOutcome.denied and detail == {"marker": "rows_in", "n": [1, 2]}
    assert audit.keys == ("outcome", "detail")


async def test_the_engines_listeners_see_each_statement(sessions):
    # given a listener on the engine's cursor events, as the tests' statement counts are
    user = await create_user(sessions, agency=await create_agency(sessions))
    engine = sessions.kw["bind"]
    add = Prepared(_ADD_KEY, engine.dialect)
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        # when a key is added straight to asyncpg
        async with unit_of_work(sessions) as session:
            await add.rows_in(await transaction.connection(session), {"user_id": user.id, "key": "seen", "action": "a"})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)

    # then the listener saw its text
    assert add.sql in seen
