"""Statements prepared once: built and compiled to their SQL text the first time they are asked for, then run
with their values as parameters, so that asyncpg prepares each text once per connection. Used by the compiled
reads (server/api/compiled.py), by domain reads whose statement text depends only on who asks
(server/chronology/service.py, server/outcomes_report/figures.py), and by a write's own statements in its
transaction (`rows_in`: the facts, the idempotency claim, the family's shared lock, the batched write)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlalchemy.sql.visitors import replacement_traverse
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import driver


class Prepared:
    """A statement built once, with named bind parameters for every value, compiled once to its SQL text: each
    run sends that text with the values (asyncpg prepares it once per connection), without building the
    statement again or walking it for SQLAlchemy's cache key."""

    def __init__(self, statement: sa.Select | sa.Insert, dialect: Dialect, *, inline: bool = False) -> None:
        statement = replacement_traverse(statement, {}, _in_as_any)
        if inline:
            statement = replacement_traverse(statement, {}, _inline(dialect))
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        if "__[POSTCOMPILE_" in self.sql:
            raise ValueError("a statement to prepare once cannot hold parameters SQLAlchemy expands when it runs")
        self.names = tuple(compiled.positiontup or ())
        # The statement's own constants that could not be written into its text (see `_inline`), bound as
        # SQLAlchemy binds them; the rest are the parameters each run gives.
        binds = compiled.binds
        self.constants = {name: binds[name].effective_value for name in self.names if not binds[name].required}
        # Columns an INSERT (or UPDATE) leaves out whose default (or onupdate) Python makes: SQLAlchemy's execution
        # makes each value as it runs, so does `rows_in` (a claim's `created_at`, say), unless the run gives one.
        made = [(column, column.default) for column in compiled.insert_prefetch]
        made += [(column, column.onupdate) for column in compiled.update_prefetch]
        key = compiled._within_exec_param_key_getter if made else None
        self._made = tuple((key(column), default) for column, default in made if key and default is not None)
        # What SQLAlchemy's execution would do to the values and the rows, for `rows_in`: each parameter's type's
        # bind processing (a JSON value written out, say) and each column's result processing (an enum's text
        # made the enum), as the statement's types say.
        self._bind_processors = tuple(compiled._bind_processors.get(name) for name in self.names)
        columns = compiled._result_columns
        self.keys = tuple(column.keyname for column in columns)
        self._row = namedtuple("Row", self.keys, rename=True)  # type: ignore[misc]  # `all_alone`'s rows
        processors = tuple(column.type._cached_result_processor(dialect, None) for column in columns)
        self._result_processors = processors if any(processors) else None

    async def first(self, session: AsyncSession, values: dict[str, Any]) -> Any:
        return (await self._run(session, values)).first()

    async def first_alone(self, engine: AsyncEngine, values: dict[str, Any]) -> Any:
        """`first` for a statement that is a whole piece of a request's work on the database (a read; the rate
        budget's count, server/ratelimit.py), with no session and no transaction around it (autocommit: one
        statement reads one snapshot), so one round trip where a session's is three (BEGIN, the statement, ROLLBACK
        or COMMIT), and none of the session's machinery: on the read connections of the app serving with `engine`
        (server/db/driver.py, no SQLAlchemy at all), else on a pooled connection."""
        given = {**self.constants, **values}
        arguments = tuple(given[name] for name in self.names)
        return await driver.fetchrow_alone(engine, self.sql, *arguments)

    async def all_alone(self, engine: AsyncEngine, values: dict[str, Any]) -> list[Any]:
        """Every row, each with its columns as attributes (`keys`), of a statement that is a whole read of a request's
        work, sent as `first_alone` sends one."""
        given = {**self.constants, **values}
        records = await driver.fetch_alone(engine, self.sql, *(given[name] for name in self.names))
        return [self._row._make(record) for record in records]

    async def rows_in(self, connection: AsyncConnection, values: dict[str, Any]) -> list[Sequence[Any]]:
        """The statement's rows (each read by position; `keys` names the columns of a Core statement), sent in the
        transaction of `connection` (notifications/transaction.py `connection`) straight to asyncpg: none of
        SQLAlchemy's execution (its context, cursor and result: ~0.25 ms of CPU a statement, bench/README.md "A
        write's statements straight to asyncpg"), the values and rows processed as its types say all the same."""
        records = await _fetch_in(connection, self.sql, self._arguments(values))
        return [self._processed(record) for record in records] if self._result_processors else records

    async def row_alone(self, engine: AsyncEngine, values: dict[str, Any]) -> Sequence[Any] | None:
        """The first row, or None, of a statement sent alone as `first_alone` sends it (autocommit: a data-modifying
        statement commits on its own), its values and row processed as `rows_in` processes them."""
        record = await driver.fetchrow_alone(engine, self.sql, *self._arguments(values))
        return record if record is None or not self._result_processors else self._processed(record)

    async def rows_alone(self, engine: AsyncEngine, values: dict[str, Any]) -> list[Sequence[Any]]:
        """Every row (each read by position) of a statement sent alone as `first_alone` sends it, its values and
        rows processed as `rows_in` processes them."""
        records = await driver.fetch_alone(engine, self.sql, *self._arguments(values))
        return [self._processed(record) for record in records] if self._result_processors else records

    def _arguments(self, values: dict[str, Any]) -> list[Any]:
        """The statement's parameters in order: its constants, `values`, the defaults Python makes for what `values`
        leaves out; each processed by its type's bind processing."""
        given = {**self.constants, **values}
        for name, default in self._made:
            if name not in values:
                given[name] = default.arg(None) if default.is_callable else default.arg
        return [
            given[name] if process is None else process(given[name])
            for name, process in zip(self.names, self._bind_processors, strict=True)
        ]

    def _processed(self, record: Sequence[Any]) -> tuple[Any, ...]:
        processors = self._result_processors
        assert processors is not None
        return tuple(
            value if process is None else process(value) for process, value in zip(processors, record, strict=True)
        )

    async def all(self, session: AsyncSession, values: dict[str, Any]) -> list[Any]:
        return list((await self._run(session, values)).all())

    async def _run(self, session: AsyncSession, values: dict[str, Any]) -> Any:
        given = {**self.constants, **values}
        connection = await session.connection()
        return await connection.exec_driver_sql(self.sql, tuple(given[name] for name in self.names))


async def _fetch_in(connection: AsyncConnection, sql: str, arguments: list[Any]) -> list[Any]:
    """Send `sql` on the asyncpg connection under `connection`, in its transaction: begun first if SQLAlchemy's
    adapter has not begun it yet (it does so at a connection's first statement), one statement at a time as the
    adapter sends its own. The engine's cursor events are told, so every listener (the tests' statement counts)
    sees it; a database error is raised as SQLAlchemy's `DBAPIError` over the adapter's, as from `execute`."""
    sync = connection.sync_connection
    adapted = (await connection.get_raw_connection()).dbapi_connection
    events = sync._has_events or sync.engine._has_events
    if events:
        sync.dispatch.before_cursor_execute(sync, None, sql, arguments, None, False)
    async with adapted._execute_mutex:
        try:
            if adapted._transaction is None:
                await adapted._start_transaction()
            records = await adapted._connection.fetch(sql, *arguments)
        except Exception as error:
            raise _dbapi_error(sync, adapted, sql, arguments, error) from error
    if events:
        sync.dispatch.after_cursor_execute(sync, None, sql, arguments, None, False)
    return records


def _dbapi_error(sync: Any, adapted: Any, sql: str, arguments: list[Any], error: Exception) -> Exception:
    """The error SQLAlchemy's execution would raise for `error`: the adapter's DBAPI error for it (BEGIN's is one
    already) as a `DBAPIError`, marked invalidated when it says the connection is gone (a restart: UNAVAILABLE,
    server/api/errors.py); an error the adapter has no DBAPI error for, as it is."""
    dbapi = sync.dialect.loaded_dbapi
    translated: Exception = error
    if not isinstance(error, dbapi.Error):
        try:
            adapted._handle_exception(error)  # raises the adapter's DBAPI error for it, or the error itself
        except Exception as raised:
            translated = raised
    if not isinstance(translated, dbapi.Error):
        return error
    cut = sync.dialect.is_disconnect(translated, adapted, None)
    return sa.exc.DBAPIError.instance(
        sql, arguments, translated, dbapi.Error, connection_invalidated=cut, dialect=sync.dialect
    )


def _in_as_any(element: Any) -> Any:
    """`x IN (constants)` as `x = ANY (array)`: SQLAlchemy writes the former's list when it executes a statement
    (an "expanding" parameter), which text sent as it is cannot do; the latter is one parameter."""
    if not isinstance(element, BinaryExpression) or not isinstance(element.right, BindParameter):
        return None
    if not element.right.expanding or element.operator not in (operators.in_op, operators.not_in_op):
        return None
    values = sa.literal(list(element.right.value), ARRAY(sa.String()))
    return element.left == sa.any_(values) if element.operator is operators.in_op else element.left != sa.all_(values)


def _inline(dialect: Dialect) -> Callable[[Any], Any]:
    """The statement's own constants (JSON keys, formats, enum values such as a role or a status) written into
    its text as typed literals, not sent as parameters: they are the same on every run of the text (it is built
    once per key, and nothing can name them to give them anew), and PostgreSQL plans with them. A generic plan
    (the one PostgreSQL keeps for a prepared statement once it costs no more than planning each run anew) can
    then use a partial index whose predicate names such a value, and each run binds a handful of values instead
    of sixty. The values each run gives (no value when built) stay parameters, each read through a sub-select
    (`(SELECT CAST($1 AS UUID))`): every plan is then costed without knowing them, a custom plan as the generic
    one, so PostgreSQL keeps the generic plan after its five custom ones. Known to a custom plan, the caller's own
    counts (the caseload's actor: 266 families) could make it cost a little less than the generic plan, and then
    every run was planned anew, ~1.7 ms of 3.3 (bench/README.md, "The caseload's plan kept whatever the
    statistics")."""
    compiler = dialect.statement_compiler(dialect, None)

    def replace(element: Any) -> Any:
        if isinstance(element, BindParameter) and element.required and not element.expanding:
            return sa.select(sa.cast(element, element.type)).scalar_subquery()
        # Only anonymous binds (a literal, a comparison's constant): a bind the code named may be given anew
        # in a run's values, which override its value at build (`constants` below).
        if not isinstance(element, BindParameter) or element.required or element.expanding or not element.unique:
            return None
        try:
            text = compiler.render_literal_value(element.effective_value, element.type)
            dialect.type_compiler_instance.process(element.type)  # a type a CAST can name
        except Exception:  # a JSON path index, a type with no literal form: it stays a parameter
            return None
        return sa.cast(sa.literal_column(text), element.type)

    return replace


_PREPARED: dict[Hashable, Prepared] = {}


def prepared(
    key: Hashable, dialect: Dialect, build: Callable[[], sa.Select | sa.Insert], *, inline: bool = False
) -> Prepared:
    """The statement `build` returns, built and compiled the first time `key` is asked for; with `inline`, its
    constants written into its text (`_inline`: so far for the caseload, whose plans were checked)."""
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = Prepared(build(), dialect, inline=inline)
    return found


async def rows_in(connection: AsyncConnection, statement: sa.Executable, values: dict[str, Any]) -> list[Sequence[Any]]:
    """`Prepared.rows_in` for a statement built once (a module's constant, kept for the process: it is known by its
    identity), compiled the first time it is sent."""
    return await _constant(statement, connection.dialect).rows_in(connection, values)


async def rows_alone(engine: AsyncEngine, statement: sa.Executable, values: dict[str, Any]) -> list[Sequence[Any]]:
    """`Prepared.rows_alone` for a statement built once, as `rows_in` knows it."""
    return await _constant(statement, engine.dialect).rows_alone(engine, values)


def _constant(statement: sa.Executable, dialect: Dialect) -> Prepared:
    return prepared(("rows_in", id(statement)), dialect, lambda: statement)  # type: ignore[arg-type,return-value]
