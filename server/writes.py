"""The write guard: every use case that changes a family's record (its team, plan, meetings, consent,
escalations, ...) starts here, so that it decides on the family as it is while the change is made.

And the batched write: rows a change adds whose ids and values are known before they are written (the
item itself, its first version, the audit event, the idempotency key's result) are queued with `later`
and written by `flush` in one statement, a data-modifying CTE per row, instead of one round trip each.
Foreign keys are checked at the end of that statement, so a queued row may refer to another queued row.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import UpdateBase
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox, transaction
from notifications.dispatcher import DISPATCH_LOCK, Fanout, dispatch_values, dispatch_written_with
from server.access.actor import Act
from server.access.facts import locked_facts, row_locked_with_facts, row_read_with_facts, with_locked_facts
from server.access.kinds import Kind
from server.access.pep import FAMILY_NOT_FOUND, AccessControl
from server.audit.models import CHAIN_LOCK
from server.db.prepared import Prepared, prepared, rows_in
from server.errors import Conflict, NotFound
from server.family.models import Family, FamilyStatus

T = TypeVar("T", bound=SQLModel)


# Built once (TECH-NOTES 9): every guarded write starts with it.
_LOCK_FAMILY = (
    select(Family)
    .where(Family.id == sa.bindparam("locked_family_id", type_=sa.Uuid))
    .with_for_update()
    .execution_options(populate_existing=True)
)
# The same, FOR SHARE: for changes that only add to the family's record (`lock_and_require(shared=True)`).
_SHARE_FAMILY = (
    select(Family)
    .where(Family.id == sa.bindparam("locked_family_id", type_=sa.Uuid))
    .with_for_update(read=True)
    .execution_options(populate_existing=True)
)
# SHARE_STATUS: the same lock FOR SHARE reading only what the guard needs of the family (its status) and the version
# of the row it locked (its xmin), as the text array [status, version], or null with no such family: the lock of a
# statement that reads the family's facts with it (`facts.with_locked_facts`), for `share_and_require`, or in one
# that takes the lock first (`shared_by`).
# READ_STATUS is the same without the lock: the first statement of a change written optimistically
# (`write_optimistically`), whose batched write then takes the lock on the row of that version only.
READ_STATUS = (
    sa.select(sa.literal_column("ARRAY[family.status::text, family.xmin::text]"))
    .select_from(Family.__table__)  # type: ignore[attr-defined]
    .where(Family.__table__.c.id == sa.bindparam("locked_family_id", type_=sa.Uuid))  # type: ignore[attr-defined]
)
SHARE_STATUS = READ_STATUS.with_for_update(read=True)
_SHARE_WITH_FACTS = with_locked_facts(SHARE_STATUS.scalar_subquery())
_READ_WITH_FACTS = with_locked_facts(READ_STATUS.scalar_subquery())


async def lock_and_require(
    session: AsyncSession,
    access: AccessControl,
    act: Act,
    kind: Kind,
    family_id: uuid.UUID,
    *,
    open_only: bool = True,
    seen_as: Kind = Kind.family,
    shared: bool = False,
) -> Family:
    """Lock the family row, then decide: a decision taken before waiting for the lock could rest on a
    team that a concurrent change (a hand-over of the lead, say) has since altered. Then, unless
    `open_only` is False, CONFLICT if the family's record is closed (read-only until re-opened). The lock's
    statement reads the family too: the row as it is once locked, in one round trip.

    `shared` takes the lock FOR SHARE, for a change that only adds rows no decision or guarded check rests
    on (a contribution): such changes then run side by side in one family, while each still waits for, and
    is waited for by, every change holding the lock FOR UPDATE (the team, the status, consents, erasure),
    so its decision still follows the lock. A change that reads or alters what other guarded writes decide
    on, or that updates the family row later, takes it exclusively (the default)."""
    locking = _SHARE_FAMILY if shared else _LOCK_FAMILY
    family = (await session.exec(locking, params={"locked_family_id": family_id})).first()
    await access.require(session, act, kind, family_id, seen_as=seen_as)
    assert family is not None  # visible families exist
    if open_only:
        require_not_closed(family)
    return family


async def share_and_require(
    session: AsyncSession, access: AccessControl, act: Act, kind: Kind, family_id: uuid.UUID
) -> None:
    """`lock_and_require(shared=True)` (open families only) for a change that needs nothing of the family once
    decided: the lock a Core select of the status on the transaction's connection, no `Family` loaded through the
    session (its ORM execution cost more than the statement; bench/README.md, ContributionAdd on a Core connection)."""
    known = transaction.state(session, _Shared).statuses
    if family_id not in known:  # else locked by an earlier statement of this transaction (`shared_by`)
        sent = {"locked_family_id": family_id, **access.facts_values(family_id)}
        if optimistic_engine(session) is not None:
            await read_unlocked(session, access, family_id, _READ_WITH_FACTS, sent)
        else:
            connection = await transaction.connection(session)
            ((locked, promptly, *facts),) = await rows_in(connection, _SHARE_WITH_FACTS, sent)
            shared_by(session, access, family_id, locked, promptly, facts)
    status = known[family_id]
    await access.require(session, act, kind, family_id)  # on the facts read with the lock, if they still hold
    assert status is not None  # visible families exist
    require_open_status(status)


@dataclass(slots=True)
class _Shared:
    statuses: dict[uuid.UUID, FamilyStatus | None] = field(default_factory=dict)


class Changed(Exception):
    """A change written optimistically wrote nothing: the family's row is no longer the one it decided on, or its
    idempotency key was claimed meanwhile (`again`: worth another optimistic attempt), or it cannot be written that
    way (a replay, a write the guard cannot hold back, a database error): it is run again under the family's lock."""

    def __init__(self, *, again: bool) -> None:
        super().__init__("the family changed while the change was decided" if again else "written under the lock")
        self.again = again


ClaimBuild = Callable[[str, sa.ColumnElement[bool]], sa.Insert]  # (prefix, condition) -> the claim, RETURNING its id


@dataclass(frozen=True, slots=True)
class _RowRead:
    """The row of a family's record a change written optimistically alters (`share_family_of`), as it was read."""

    table: sa.Table
    row_id: uuid.UUID
    version: str  # its xmin


@dataclass(slots=True)
class _Optimistic:
    engine: AsyncEngine | None = None
    family_id: uuid.UUID | None = None
    version: str | None = None  # the family's row as the decision read it (its xmin)
    claim: tuple[ClaimBuild, dict[str, Any]] | None = None
    row: _RowRead | None = None
    fanout: Fanout | None = None  # the change's events are dispatched by its statement (else it runs under the lock)


def write_optimistically(session: AsyncSession, engine: AsyncEngine, fanout: Fanout | None = None) -> None:
    """Write this transaction's change optimistically: for a change that only adds to one family's record, decided
    as `share_and_require` decides (server/api/mutation.py `run_mutation(shares_family=True)`). The family is read
    without a lock, with its facts and its row's version, in a statement alone (`read_unlocked`); `flush` then
    writes the change, its audit event and its idempotency key's claim in one statement alone, which takes the
    family's lock FOR SHARE only on the row of that version and writes nothing otherwise (`Changed`). So the change
    is written on the family as decided, as under the lock, in two statements and round trips where BEGIN, the
    lock, the write and COMMIT take four.

    With `fanout`, the events the change appends are written by that statement too, already dispatched, with their
    notifications (`_flush_unlocked`); without, a change that appends an event is run under the lock."""
    optimistic = transaction.state(session, _Optimistic)
    optimistic.engine, optimistic.fanout = engine, fanout


def optimistic_engine(session: AsyncSession) -> AsyncEngine | None:
    return transaction.state(session, _Optimistic).engine


async def read_unlocked(
    session: AsyncSession,
    access: AccessControl,
    family_id: uuid.UUID,
    statement: sa.Select,
    values: dict[str, Any],
    *,
    before: int = 0,
) -> Sequence[Any]:
    """`shared_by` told by `statement` (`facts.with_locked_facts` over READ_STATUS, after `before` columns of its
    own) sent alone: the family's status and facts as of one snapshot, and its row's version kept for `flush`'s
    lock. Returns those first columns."""
    optimistic = transaction.state(session, _Optimistic)
    assert optimistic.engine is not None and optimistic.family_id in (None, family_id)
    built = prepared(("read_unlocked", id(statement)), optimistic.engine.dialect, lambda: statement)
    row = await built.row_alone(optimistic.engine, values)
    assert row is not None  # one row, whatever the family
    locked, _promptly, *facts = row[before:]
    # No lock was waited for: the status, the version and the facts are of one snapshot, however long it took.
    shared_by(session, access, family_id, locked, True, facts)
    optimistic.family_id, optimistic.version = family_id, locked[1] if locked is not None else None
    return row[:before]


def claim_later(session: AsyncSession, build: ClaimBuild, params: dict[str, Any]) -> None:
    """The idempotency key's claim of a change written optimistically, made by `flush`'s statement before the change's
    rows, which it writes only if the claim was made: `build(prefix, condition)` with `params` (named without the
    prefix) claims the key where `condition` holds, RETURNING the claim's id, and nothing on a conflict."""
    transaction.state(session, _Optimistic).claim = (build, params)


def claimed_later(session: AsyncSession, name: str, value: Any) -> bool:
    """Give the optimistic claim's parameter `name` (what the key created, known once the change is made); False when
    this transaction claims no key optimistically."""
    claim = transaction.state(session, _Optimistic).claim
    if claim is None:
        return False
    claim[1][name] = value
    return True


def shared_by(
    session: AsyncSession,
    access: AccessControl,
    family_id: uuid.UUID,
    locked: list[str] | None,
    promptly: bool,
    facts: Sequence[Any],
) -> None:
    """The family was locked FOR SHARE by a statement of this transaction, `facts.with_locked_facts` with
    `SHARE_STATUS` as its lock (`locked`, `promptly` and `facts` its columns from the lock's): `share_and_require`
    then decides without a statement of its own. The decision still follows the lock: on the facts read with it if
    they are the family's as the lock found it (`facts.locked_facts`), else on facts read by a later statement (a
    snapshot taken once the lock was granted)."""
    status = FamilyStatus(locked[0]) if locked is not None else None
    transaction.state(session, _Shared).statuses[family_id] = status
    found = locked_facts(locked[1] if locked is not None else None, promptly, facts, access.actor.agency_id)
    if found is not None:
        access.given_facts(found)


async def lock_and_require_reading(
    session: AsyncSession,
    access: AccessControl,
    act: Act,
    kind: Kind,
    family_id: uuid.UUID,
    statement: sa.Select,
) -> sa.Row:
    """As `lock_and_require` (open families only), with `statement` as the lock's: a select of the Family first,
    then rows outer-joined to it that the family's lock does not protect (a worker, their agency: their snapshot
    predates the lock's wait, as it would in a statement of their own). Decided before anything read is used."""
    locked = statement.where(Family.id == family_id).with_for_update(of=Family)
    found = (await session.exec(locked.execution_options(populate_existing=True))).first()  # type: ignore[call-overload]
    await access.require(session, act, kind, family_id)
    assert found is not None  # visible families exist
    require_not_closed(found[0])
    return found


async def lock_family_of(session: AsyncSession, model: type[T], row_id: uuid.UUID) -> tuple[T, Family] | None:
    """A row of a family's record (`model` has a family_id) and its family, the family locked, in one statement;
    None when there is no such row. The caller decides after this, on the family as it is once locked."""
    statement = _LOCKS_OF.get(model)
    if statement is None:
        statement = _LOCKS_OF[model] = (
            select(model, Family)
            .join(Family, Family.id == model.family_id)  # type: ignore[attr-defined]
            .where(model.id == sa.bindparam("locked_row_id", type_=sa.Uuid))  # type: ignore[attr-defined]
            .with_for_update(of=Family)
            .execution_options(populate_existing=True)
        )
    found = (await session.exec(statement, params={"locked_row_id": row_id})).first()  # type: ignore[call-overload]
    return (found[0], found[1]) if found is not None else None


_LOCKS_OF: dict[type, sa.Select] = {}  # `lock_family_of`'s statements, built once (TECH-NOTES 9)


async def share_family_of(
    session: AsyncSession, access: AccessControl, table: sa.Table, row_id: uuid.UUID
) -> tuple[dict[str, Any], FamilyStatus] | None:
    """A row of a family's record (`table` has a family_id) locked FOR UPDATE, its family FOR SHARE (the family
    first, as every exclusive change of the row takes them: no deadlock), for a change that alters only that row
    and what hangs from it, nothing another guarded write decides on (`lock_and_require`'s `shared`): such changes
    to different rows of one family run side by side, changes to the same row one after the other, each on the row
    as the one before left it; every change holding the family FOR UPDATE still waits for them and is waited for.

    One Core statement on the transaction's connection (`facts.row_locked_with_facts`), which also reads the
    caller's facts in the family: decisions on the family then take no statement of their own when those facts are
    the family's as the lock found it (`shared_by`). Returns the row's values by column (as its columns' types make
    them) and the family's status, or None when there is no such row. The caller decides after this."""
    sent = {"locked_row_id": row_id, **access.facts_values(None)}
    optimistic = transaction.state(session, _Optimistic)
    if optimistic.engine is not None:
        return await _read_row_unlocked(session, access, optimistic, table, sent)
    connection = await transaction.connection(session)
    shared = _shared_lock_of(table, connection.dialect)
    found = await rows_in(connection, shared.statement, sent)
    if not found:
        return None
    (row,) = found
    values = shared.values(row)
    locked, promptly, *facts = row[len(shared.names) :]
    shared_by(session, access, values["family_id"], locked, promptly, facts)
    return values, FamilyStatus(locked[0])


async def _read_row_unlocked(
    session: AsyncSession, access: AccessControl, optimistic: _Optimistic, table: sa.Table, sent: dict[str, Any]
) -> tuple[dict[str, Any], FamilyStatus] | None:
    """`share_family_of` for a change written optimistically (`write_optimistically`): the row, its family and the
    caller's facts read without a lock, in a statement alone, all of one snapshot; the row's version and its family's
    kept for `flush`'s guard, which then locks both only as they were read."""
    assert optimistic.engine is not None and optimistic.family_id is None, "one row, read once"
    shared = _shared_lock_of(table, optimistic.engine.dialect)
    row = await shared.unlocked.row_alone(optimistic.engine, sent)
    if row is None:
        return None
    values = shared.values(row)
    locked, _promptly, *facts, row_version = row[len(shared.names) :]
    shared_by(session, access, values["family_id"], locked, True, facts)
    optimistic.family_id, optimistic.version = values["family_id"], locked[1]
    optimistic.row = _RowRead(table, values["id"], row_version)
    return values, FamilyStatus(locked[0])


def _shared_lock_of(table: sa.Table, dialect: Dialect) -> _SharedLock:
    shared = _SHARED_LOCKS_OF.get(table)
    if shared is None:
        shared = _SHARED_LOCKS_OF[table] = _SharedLock(table, dialect)
    return shared


class _SharedLock:
    """`share_family_of`'s statements for one table (locked, and read for an optimistic write), and what makes each
    of the row's values as SQLAlchemy's execution would (an enum's text made the enum)."""

    def __init__(self, table: sa.Table, dialect: Dialect) -> None:
        self.statement = row_locked_with_facts(table)
        self.unlocked = Prepared(row_read_with_facts(table), dialect)
        self.names = tuple(column.name for column in table.c)
        self.processors = tuple(column.type._cached_result_processor(dialect, None) for column in table.c)

    def values(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row's own columns by name, as their types make them."""
        return {
            name: value if process is None or value is None else process(value)
            for name, process, value in zip(self.names, self.processors, row, strict=False)
        }


_SHARED_LOCKS_OF: dict[sa.Table, _SharedLock] = {}  # built once per table


def require_not_closed(family: Family) -> None:
    require_open_status(family.status)


def require_open_status(status: FamilyStatus) -> None:
    if status is FamilyStatus.closed:
        raise Conflict("This family's record is closed. Reopen it before changing it.")


async def require_open(session: AsyncSession, family_id: uuid.UUID) -> Family:
    family = await session.get(Family, family_id)
    if family is None:
        raise NotFound(FAMILY_NOT_FOUND)
    require_not_closed(family)
    return family


Matched = Callable[[bool], Awaitable[None]]
Build = Callable[[str], UpdateBase]  # a statement whose parameters' names start with the given prefix
Guarded = Callable[[str, sa.ColumnElement[bool]], UpdateBase]  # the same, writing only where the condition holds


@dataclass(frozen=True, slots=True)
class _Write:
    """A queued statement: `build(prefix)` with `params` (named without the prefix). Writes of the same `shape`
    build the same statement, so a flush of known shapes is built once and reused (None: built for this one)."""

    shape: Hashable | None
    build: Build
    params: dict[str, Any]
    # The same statement writing only where a condition holds (an optimistic write's guard), if it can be built
    guarded: Guarded | None = None
    # For a checked write (`matched`): SQL that holds exactly when the statement would match, for a change written
    # optimistically, whose one statement writes nothing unless every checked write would match (`_guarded`)
    precondition: Callable[[str], sa.ColumnElement[bool]] | None = None


@dataclass(slots=True)
class Read:
    """A row read by the batched write's statement (`read_later`): its columns by name once flushed; None when
    it matched no row, or was not flushed (the change was replayed or refused)."""

    values: dict[str, Any] | None = None


Refusal = Callable[[DBAPIError], None]  # raises the domain's error for a database refusal it knows, else returns


@dataclass(slots=True)
class _Queued:
    writes: list[_Write] = field(default_factory=list)
    checks: list[tuple[int, Matched]] = field(default_factory=list)  # (write's index, told whether it matched)
    reads: list[tuple[_Write, Read]] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def on_refusal(session: AsyncSession, refusal: Refusal) -> None:
    """Have `flush` pass a database error of its statement to `refusal` first, which may raise the domain's own
    (a trigger's refusal as CONFLICT, say) for a write queued rather than executed inside the caller's handler."""
    transaction.state(session, _Queued).refusals.append(refusal)


def later(session: AsyncSession, statement: UpdateBase, *, matched: Matched | None = None) -> None:
    """Queue an INSERT or UPDATE whose result the caller does not need, for this transaction's `flush`. The
    queued statements run on one snapshot: none may change a row another of them changes. With `matched`, the
    statement has a RETURNING clause, and `flush` awaits `matched(whether it returned a row)` once written:
    it raises to refuse the change (a stale version, say), and the unit of work rolls all of it back."""
    _queue(session, _Write(None, lambda _prefix: statement, {}), matched)


def shaped_later(
    session: AsyncSession,
    shape: Hashable,
    build: Build,
    params: dict[str, Any],
    *,
    matched: Matched | None = None,
    guarded: Guarded | None = None,
    precondition: Callable[[str], sa.ColumnElement[bool]] | None = None,
) -> None:
    """As `later`, for a statement that `build(prefix)` makes with bind parameters named `prefix + name` and
    their values in `params` (by name): `shape` names what `build` makes, whatever the values, so that the
    flush's statement is built once per combination of shapes rather than per request (TECH-NOTES 9).

    A change written optimistically (`write_optimistically`) can hold it back if `guarded(prefix, condition)`
    builds it writing only where `condition` holds; a checked one (`matched`) if also `precondition(prefix)` is
    SQL that holds exactly when it would match."""
    _queue(session, _Write(shape, build, params, guarded, precondition), matched)


def read_later(
    session: AsyncSession, shape: Hashable, build: Callable[[str], sa.Select], params: dict[str, Any]
) -> Read:
    """Read at most one row with this transaction's `flush`, instead of a statement of its own: `build(prefix)` and
    `params` as for `shaped_later`. It sees the transaction as it was before the flush (not the rows it writes):
    for what the change's answer needs and the change does not alter (the caller's agency, say)."""
    read = Read()
    transaction.state(session, _Queued).reads.append((_Write(shape, build, params), read))
    return read


def insert_later(session: AsyncSession, table: sa.Table, values: dict[str, Any]) -> None:
    """Queue the INSERT of one row of `table` given in full (every column that has no database default)."""
    names = tuple(values)
    shape = ("insert", table, names)
    write = _Write(shape, partial(_insert_of, table, names), values, partial(_insert_where, table, names))
    _queue(session, write, None)


def add_later(session: AsyncSession, row: SQLModel) -> None:
    """Queue the INSERT of a new row built in full in Python (its id and timestamps by their factories): the
    caller keeps the object, which the session never tracks."""
    table = row.__table__  # type: ignore[attr-defined]
    insert_later(session, table, {column.name: getattr(row, column.name) for column in table.columns})


def _queue(session: AsyncSession, write: _Write, matched: Matched | None) -> None:
    queued = transaction.state(session, _Queued)
    if matched is not None:
        queued.checks.append((len(queued.writes), matched))
    queued.writes.append(write)


def _insert_of(table: sa.Table, names: tuple[str, ...], prefix: str) -> sa.Insert:
    return sa.insert(table).values({name: sa.bindparam(prefix + name, type_=table.c[name].type) for name in names})


def _insert_where(table: sa.Table, names: tuple[str, ...], prefix: str, condition: sa.ColumnElement[bool]) -> sa.Insert:
    """`_insert_of`'s row, written only where `condition` holds (INSERT ... SELECT ... WHERE)."""
    row = sa.select(*(sa.bindparam(prefix + name, type_=table.c[name].type) for name in names)).where(condition)
    return sa.insert(table).from_select(names, row, include_defaults=False)


async def flush(session: AsyncSession) -> None:
    """Write what was queued in one statement, with the events a transaction that dispatches at commit appended
    (notifications/outbox.py: each takes the outbox lock before its row is made, and the statement returns their
    ids, in order, for the dispatch). A constraint it breaks fails the whole statement, so the transaction
    (rolled back by its unit of work) saves none of it. The queued rows, the checks of what matched and the
    events' ids are one statement's body, built once per shape of flush (`_statement`)."""
    queued = transaction.state(session, _Queued)
    queue, checks, reads, refusals = queued.writes, queued.checks, queued.reads, queued.refusals
    queued.writes, queued.checks, queued.reads, queued.refusals = [], [], [], []
    events = outbox.take_unwritten(session)
    if not queue and not events and not reads:
        return
    optimistic = transaction.state(session, _Optimistic)
    if optimistic.family_id is not None:
        await _flush_unlocked(session, optimistic, queue, tuple(index for index, _ in checks), events, reads)
        return
    params: dict[str, Any] = {}
    for index, write in enumerate(queue):
        params.update({f"w{index}_{name}": value for name, value in write.params.items()})
    for index, (payload, event) in enumerate(events):
        params.update(outbox.event_params(payload, event, f"e{index}_"))
    for index, (write, _) in enumerate(reads):
        params.update({f"r{index}_{name}": value for name, value in write.params.items()})
    connection = await transaction.connection(session)  # a Core statement: no ORM execution (pending rows flushed)
    statement = _statement(
        queue, tuple(index for index, _ in checks), len(events), [write for write, _ in reads], connection.dialect
    )
    try:
        rows, keys = await _run(connection, statement, params)
    except DBAPIError as error:
        for refusal in refusals:
            refusal(error)
        raise
    if not events and not checks and not reads and len(queue) == 1:
        return
    (row,) = rows
    values = list(row)
    outbox.written(session, events, values[len(checks) : len(checks) + len(events)])
    _read(reads, dict(zip(keys, values, strict=True)), len(checks) + len(events))
    for (_, matched), found in zip(checks, values, strict=False):
        await matched(found)


async def _flush_unlocked(
    session: AsyncSession,
    optimistic: _Optimistic,
    queue: list[_Write],
    checked: tuple[int, ...],
    events: list[tuple[dict, Any]],
    reads: list[tuple[_Write, Read]],
) -> None:
    """`flush` for a change written optimistically (`write_optimistically`): its rows, after its key's claim, written
    by one statement alone only if it locks the family's row of the version decided on (the guard), every checked
    write would match (its precondition) and, with a key, it claims it; `Changed` when it wrote nothing: to be
    decided again when the guard found a newer row or the key claimed, else to be run under the lock, which answers
    the check that failed. Its events are written by the same statement, already dispatched, with their
    notifications (`_told_in`)."""
    if any(write.guarded is None for write in queue) or any(queue[i].precondition is None for i in checked):
        raise Changed(again=False)  # a statement the guard cannot hold back
    assert optimistic.engine is not None
    claim, row = optimistic.claim, optimistic.row
    params: dict[str, Any] = {"guard_family_id": optimistic.family_id, "guard_version": optimistic.version}
    if events:
        params.update(await _told_in(session, optimistic, events))
    if row is not None:
        params.update({"guard_row_id": row.row_id, "guard_row_version": row.version})
    params.update({f"c_{name}": value for name, value in claim[1].items()} if claim else {})
    for index, write in enumerate(queue):
        params.update({f"w{index}_{name}": value for name, value in write.params.items()})
    for index, (write, _) in enumerate(reads):
        params.update({f"r{index}_{name}": value for name, value in write.params.items()})
    shapes = (tuple(write.shape for write in queue), tuple(write.shape for write, _ in reads))
    guarded_row = row.table if row is not None else None
    key = ("unlocked", *shapes, checked, claim[0] if claim else None, guarded_row, len(events))
    statement = _SHAPED.get(key)
    if statement is None:
        if len(_SHAPED) >= _SHAPED_MOST:
            _SHAPED.clear()
        readings = [write for write, _ in reads]
        built = _guarded(queue, checked, readings, claim[0] if claim else None, guarded_row, len(events))
        statement = _SHAPED[key] = Prepared(built, optimistic.engine.dialect)
    assert isinstance(statement, Prepared)
    try:
        found = await statement.row_alone(optimistic.engine, params)
    except (
        asyncpg.PostgresError,
        DBAPIError,
    ) as error:  # refused, so rolled back: run under the lock, which answers it
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            raise  # the connection was lost: whether the statement committed is unknown, so it is not run again
        raise Changed(again=False) from error
    assert found is not None
    written, refused = found[:2]
    if not written:
        raise Changed(again=not refused)
    _read(reads, dict(zip(statement.keys, found, strict=True)), 2)


async def _told_in(session: AsyncSession, optimistic: _Optimistic, events: list[tuple[dict, Any]]) -> dict[str, Any]:
    """The values of the events and their notifications, for `_flush_unlocked`'s statement: who is told of each is
    decided as a dispatch at commit decides it (`Fanout`), on what is read alone now (the family's team: a change to
    it moves the family's row on, so the guard holds the statement back if it changed since the decision). Anything
    that fails here runs the change under the lock, whose dispatch then answers it as its own."""
    if optimistic.fanout is None:
        raise Changed(again=False)
    try:
        rows = await optimistic.fanout.rows_for(session, events)
    except Exception as error:
        raise Changed(again=False) from error
    values = dispatch_values(rows, "d_")
    for index, (payload, event) in enumerate(events):
        values.update(outbox.event_params(payload, event, f"e{index}_"))
    return values


# The family's row, locked FOR SHARE only if it is still the version the change decided on: the guard of a change
# written optimistically.
_GUARD = (
    sa.select(Family.__table__.c.id)  # type: ignore[attr-defined]
    .where(
        Family.__table__.c.id == sa.bindparam("guard_family_id", type_=sa.Uuid),  # type: ignore[attr-defined]
        sa.literal_column("family.xmin::text") == sa.bindparam("guard_version", type_=sa.String),
    )
    .with_for_update(read=True)
)


# With a row of the family's record the change alters (`share_family_of`): that row FOR UPDATE and its family FOR
# SHARE, the family first as `share_family_of`'s lock takes them, only if both are still the versions decided on.
_ROW_GUARD = """SELECT r.id FROM {table} r JOIN family f ON f.id = r.family_id
    WHERE r.id = :guard_row_id AND r.xmin::text = :guard_row_version
      AND f.id = :guard_family_id AND f.xmin::text = :guard_version
    FOR SHARE OF f FOR UPDATE OF r"""


def _row_guard(table: sa.Table) -> sa.TextualSelect:
    return (
        sa.text(_ROW_GUARD.format(table=table.name))
        .bindparams(
            sa.bindparam("guard_row_id", type_=sa.Uuid),
            sa.bindparam("guard_row_version", type_=sa.String),
            sa.bindparam("guard_family_id", type_=sa.Uuid),
            sa.bindparam("guard_version", type_=sa.String),
        )
        .columns(sa.column("id", sa.Uuid))
    )


def _guarded(
    queue: list[_Write],
    checked: tuple[int, ...],
    reads: list[_Write],
    claim: ClaimBuild | None,
    row: sa.Table | None = None,
    events: int = 0,
) -> sa.Select:
    """`_built`'s statement for `_flush_unlocked`: the guard (the family's row, or a row of its record and the
    family's, as they were read), then the key's claim where the guard locked the row and every checked write's
    precondition holds, then each write where the claim was made (or the guard and the preconditions held);
    selecting whether they were written, whether a precondition refused them, then each read's columns.

    With `events`: once made, the locks a change that dispatches at commit takes (`_DISPATCHING_LOCKS`), then each
    event written already dispatched, its notifications and their NOTIFY (`dispatch_written_with`)."""
    guard = (_GUARD if row is None else _row_guard(row)).cte("guard")
    ctes: list[sa.CTE] = [guard]
    held = sa.exists(sa.select(guard.c.id))
    checks = sa.and_(sa.true(), *(queue[index].precondition(f"w{index}_") for index in checked))  # type: ignore[misc]
    made: sa.ColumnElement[bool] = sa.and_(held, checks) if checked else held
    if claim is not None:
        claimed = claim("c_", made).cte("claimed")
        ctes.append(claimed)
        made = sa.exists(sa.select(claimed.c.id))
    if events:
        locks = _DISPATCHING_LOCKS.where(made).cte("locks")
        ctes.append(locks)
        made = sa.exists(sa.select(locks.c.outbox))
    guarded = [write.guarded(f"w{index}_", made) for index, write in enumerate(queue)]  # type: ignore[misc]
    ctes += [statement.cte(f"w{index}") for index, statement in enumerate(guarded)]
    refused = sa.and_(held, sa.not_(checks)) if checked else sa.false()
    returned: list[sa.ColumnElement[Any]] = [made.label("written"), refused.label("refused")]
    if events:
        ctes += [outbox.event_insert(f"e{index}_", dispatched_where=made).cte(f"e{index}") for index in range(events)]
        insert, notify = dispatch_written_with("e", events, "told", "d_")
        told = insert.columns(sa.column("one", sa.Integer)).cte("told")
        notified = notify.columns(sa.column("notified")).cte("notified")
        ctes += [told, notified]
        returned.append(sa.select(sa.func.count()).select_from(notified).scalar_subquery().label("notified"))
    return _with_reads(returned, reads).add_cte(*ctes)


# The advisory locks of a change that dispatches at commit, in the order it takes them: the outbox's and the audit
# chain's in its batched write, then the dispatch's. A statement that writes its events and notifications takes them
# first, in that order, so that it never holds the dispatch's lock while it waits for one a change under the lock
# holds as it waits for the dispatch's (the chain's trigger and the event's insert take theirs again: held already).
_DISPATCHING_LOCKS = sa.select(
    *(
        sa.func.pg_advisory_xact_lock(sa.literal(key, sa.BigInteger)).label(name)
        for name, key in (("outbox", outbox.OUTBOX_LOCK), ("chain", CHAIN_LOCK), ("dispatch", DISPATCH_LOCK))
    )
)


def _read(reads: list[tuple[_Write, Read]], columns: Any, first: int) -> None:
    """Give each read its row: the statement's columns after the checks and the events', each read's named
    `r<index>_<column>`, all null when it matched nothing (the outer join)."""
    names = list(columns.keys())[first:]
    for index, (_, read) in enumerate(reads):
        prefix = f"r{index}_"
        mine = {name.removeprefix(prefix): columns[name] for name in names if name.startswith(prefix)}
        read.values = mine if any(value is not None for value in mine.values()) else None


async def _run(
    connection: AsyncConnection, statement: sa.Executable | Prepared, params: dict[str, Any]
) -> tuple[Sequence[Sequence[Any]], Sequence[str]]:
    """The flush statement's rows and their columns' names."""
    if isinstance(statement, Prepared):
        return await statement.rows_in(connection, params), statement.keys
    result = await connection.execute(statement, params)
    return (result.all(), list(result.keys())) if result.returns_rows else ([], [])


_SHAPED: dict[Hashable, sa.Executable | Prepared] = {}  # flush statements by shape; few (one per kind of change)
_SHAPED_MOST = 512  # a bound, should some caller's shapes vary without end


def _statement(
    queue: list[_Write], checked: tuple[int, ...], events: int, reads: list[_Write], dialect: Dialect
) -> sa.Executable | Prepared:
    """The flush's statement: of a known shape, built and compiled once (Prepared: sent straight to asyncpg in
    the transaction, as its values and rows are the same for every flush of the shape); else built for this one."""
    shapes = tuple(write.shape for write in queue)
    read_shapes = tuple(read.shape for read in reads)
    if None in shapes or None in read_shapes:
        return _built(queue, checked, events, reads)
    key = (shapes, checked, events, read_shapes)
    statement = _SHAPED.get(key)
    if statement is None:
        if len(_SHAPED) >= _SHAPED_MOST:
            _SHAPED.clear()
        statement = _SHAPED[key] = _prepared(_built(queue, checked, events, reads), dialect)
    return statement


def _prepared(statement: sa.Executable, dialect: Dialect) -> sa.Executable | Prepared:
    try:
        return Prepared(statement, dialect)  # type: ignore[arg-type]
    except ValueError:  # a parameter SQLAlchemy expands as it runs (an IN list): run by SQLAlchemy
        return statement


def _built(queue: list[_Write], checked: tuple[int, ...], events: int, reads: list[_Write]) -> sa.Executable:
    """The flush's statement: the single write itself, or a data-modifying CTE per write and per event, selecting
    whether each checked write returned a row, then the events' ids in order, then each read's columns (each
    read a subquery outer-joined on true, so that one that matches nothing leaves the row as it is)."""
    statements = [write.build(f"w{index}_") for index, write in enumerate(queue)]
    if not events and not checked and not reads and len(statements) == 1:
        return statements[0]
    ctes = [statement.cte(f"w{index}") for index, statement in enumerate(statements)]
    ids = [outbox.event_insert(f"e{index}_").cte(f"e{index}") for index in range(events)]
    returned = [sa.exists(sa.select(ctes[index])).label(f"matched{index}") for index in checked]
    returned += [sa.select(cte.c.id).scalar_subquery().label(f"event{index}") for index, cte in enumerate(ids)]
    return _with_reads(returned, reads).add_cte(*ctes, *ids)


def _with_reads(returned: list[sa.ColumnElement[Any]], reads: list[_Write]) -> sa.Select:
    """A select of `returned`, then each read's columns (each read a subquery outer-joined on true, so that one that
    matches nothing leaves the row as it is)."""
    if not reads:
        return sa.select(*(returned or [sa.literal(1)]))
    joined: sa.FromClause = sa.select(sa.literal(1).label("one")).subquery("one")
    for index, read in enumerate(reads):
        subquery = read.build(f"r{index}_").limit(1).subquery(f"r{index}")
        joined = joined.outerjoin(subquery, sa.true())
        returned = [*returned, *(column.label(f"r{index}_{column.name}") for column in subquery.c)]
    return sa.select(*returned).select_from(joined)
