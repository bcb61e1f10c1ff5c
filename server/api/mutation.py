"""How every mutation runs: its domain call in one transaction, recorded in the audit log, and, for a
mutation that creates something, idempotent. A resolver names the domain call and what the audit log
should say of its result; this module does the rest, the same way for all of them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from graphql import GraphQLSchema, Undefined
from graphql.utilities import coerce_input_value
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import outbox
from notifications.dispatcher import dispatch_appended
from server import idempotency, writes
from server.access.pep import AccessControl
from server.api.context import Context
from server.api.scalars import Info
from server.audit import service as audit_service
from server.audit.models import AuditOutcome
from server.db.engine import unit_of_work
from server.errors import Forbidden, NotFound
from server.family.models import Family

T = TypeVar("T")

Call = Callable[[AsyncSession, AccessControl], Awaitable[T]]
Replay = type[T] | Callable[[AsyncSession, AccessControl, uuid.UUID], Awaitable[T]]


async def mutate(
    info: Info,
    call: Call[T],
    *,
    family_id: uuid.UUID | None = None,
    audit: Callable[[T], dict[str, Any]] | None = None,
    idempotency_key: str | None = None,
    replay: Replay[T] | None = None,
    then: Callable[[AsyncSession, AccessControl, T], Awaitable[Any]] | None = None,
    keeps_facts: bool = False,
) -> Any:
    """Run `call(session, access)` in one transaction and record it in the audit log under the
    mutation's name, about `family_id` (or the family of what the call returned), with `audit(result)`
    as the detail. A refusal (FORBIDDEN, NOT_FOUND) rolls the change back and is recorded as denied, in
    a transaction of its own.

    With an idempotency key, a retry does not call again: it returns what the first attempt created,
    loaded by `replay` (the domain's lookup by id, or the model of the created row, shown only while
    the caller may see its family). `then(session, access, result)`, if given, runs in the same
    transaction on either, and its value is returned instead. The events the change caused are
    dispatched last, so their notifications commit with it.

    The family's facts the request read (its team, consents, overrides, ...) are forgotten at the end, as
    the change may have altered them, unless the mutation says with `keeps_facts` that it cannot (a
    meeting's minutes, say): then the answer is decided on the facts read under the family's lock, and
    not read again."""
    return await run_mutation(
        info.context,
        info.field_name,
        call,
        payload=partial(mutation_payload, info),
        family_id=family_id,
        audit=audit,
        idempotency_key=idempotency_key,
        replay=replay,
        then=then,
        keeps_facts=keeps_facts,
    )


async def run_mutation(
    context: Context,
    action: str,
    call: Call[T],
    *,
    payload: Callable[[], str],
    family_id: uuid.UUID | None = None,
    audit: Callable[[T], dict[str, Any]] | None = None,
    idempotency_key: str | None = None,
    replay: Replay[T] | None = None,
    then: Callable[[AsyncSession, AccessControl, T], Awaitable[Any]] | None = None,
    keeps_facts: bool = False,
    shares_family: bool = False,
    shares_row: bool = False,
) -> Any:
    """`mutate` for the mutation field `action`, with the hash of its arguments made by `payload()` (only when it
    has an idempotency key): what a compiled write (server/api/compiled_writes.py) runs without a resolver's info.

    `shares_family`: the call starts with `writes.share_and_require` on `family_id`, whose lock the idempotency
    key's claim then takes in its own statement (`idempotency.claim`'s `sharing`). Such a change is written
    optimistically first (`writes.write_optimistically`), and again, then under the family's lock, should the family
    change between its decision and its write.

    `shares_row`: the call starts with `writes.share_family_of` (a meeting's draft minutes added to or published),
    and is written optimistically the same way when it has no idempotency key, its guard the row's version with the
    family's. With a key it runs under the locks at once: the key's claim would have to know the family before the
    row is read. The events of a change written optimistically are dispatched by its statement, with the server's
    `fanout` (with none, it runs under the lock)."""
    assert idempotency_key is None or replay is not None, f"{action}: an idempotent mutation needs replay"
    attempt = partial(
        _attempt,
        context,
        action,
        call,
        payload=payload,
        family_id=family_id,
        audit=audit,
        idempotency_key=idempotency_key,
        replay=replay,
        then=then,
        keeps_facts=keeps_facts,
        shares_family=shares_family,
    )
    optimistic = shares_family or (shares_row and idempotency_key is None)
    if optimistic and context.engine is not None:
        for _ in range(_OPTIMISTIC_ATTEMPTS):
            try:
                return await attempt(optimistic=context.engine)
            except writes.Changed as changed:
                if not changed.again:
                    break
    return await attempt(optimistic=None)


_OPTIMISTIC_ATTEMPTS = 2


async def _attempt(
    context: Context,
    action: str,
    call: Call[T],
    *,
    payload: Callable[[], str],
    family_id: uuid.UUID | None,
    audit: Callable[[T], dict[str, Any]] | None,
    idempotency_key: str | None,
    replay: Replay[T] | None,
    then: Callable[[AsyncSession, AccessControl, T], Awaitable[Any]] | None,
    keeps_facts: bool,
    shares_family: bool,
    optimistic: AsyncEngine | None,
) -> Any:
    """One run of `run_mutation`'s change, optimistically on `optimistic`'s connections if given."""
    actor, access = context.require_actor(), context.access
    committed = False
    try:
        async with unit_of_work(context.sessions) as session:
            if optimistic is not None:
                writes.write_optimistically(session, optimistic, context.fanout)
            if context.fanout is not None:
                outbox.dispatch_at_commit(session)
            detail: dict[str, Any] = {}
            replayed_id = None
            if idempotency_key is not None:
                replayed_id = await idempotency.claim(
                    session,
                    user_id=actor.user_id,
                    key=idempotency_key,
                    action=action,
                    payload=payload(),
                    sharing=family_id if shares_family else None,
                    access=access,
                )
                detail["idempotencyKeyReplayed"] = replayed_id is not None
            if replayed_id is not None:
                result = await _replayed(session, access, replay, replayed_id)  # type: ignore[arg-type]
            else:
                result = await call(session, access)
                detail |= audit(result) if audit else {}
                if idempotency_key is not None:
                    created = _about(result).id
                    idempotency.result_later(session, user_id=actor.user_id, key=idempotency_key, result_id=created)
            family_id = family_id or _family_of(_about(result))
            audit_service.record_later(
                session, actor, action, family_id=family_id, detail=detail, address=context.address
            )
            await writes.flush(session)  # the change's queued rows, its audit event and its key's result at once
            outcome = await then(session, access, result) if then else result
            if context.fanout is not None:
                await dispatch_appended(session, context.fanout)
        committed = True
        return outcome
    except (Forbidden, NotFound) as refusal:
        access.denials.clear()  # this one event records the refusal
        async with unit_of_work(context.sessions) as session:
            await audit_service.record(
                session,
                actor,
                action,
                family_id=family_id,
                outcome=AuditOutcome.denied,
                detail={"code": refusal.code},
                address=context.address,
            )
        raise
    finally:
        if not (committed and keeps_facts):
            access.forget()
        context.loaders.forget()


def mutation_payload(info: Info) -> str:
    """The mutation's arguments with their defaults filled in, hashed: a retry must repeat them. Values
    sent as variables arrive coerced already (defaults included); values written inline in the document
    arrive as written, so they are coerced by their type here (which cannot re-coerce a coerced value)."""
    (field,) = info.selected_fields
    return payload_of(info.schema._schema, info.field_name, field.arguments)


def payload_of(schema: GraphQLSchema, field_name: str, sent: dict[str, Any]) -> str:
    """`mutation_payload` of the mutation field `field_name` given its arguments `sent` (variables resolved)."""
    definition = schema.mutation_type.fields[field_name]  # type: ignore[union-attr]
    arguments = {}
    for name, value in sent.items():
        coerced = coerce_input_value(value, definition.args[name].type)
        arguments[name] = value if coerced is Undefined else coerced
    return idempotency.payload_hash(arguments)


def _about(result: Any) -> Any:
    """The row a change's result is about: itself, or the first part of a pair (a meeting and the item
    added to it, an invitation and its family member)."""
    return result[0] if isinstance(result, tuple) else result


def _family_of(row: Any) -> uuid.UUID | None:
    return row.id if isinstance(row, Family) else getattr(row, "family_id", None)


async def _replayed(session: AsyncSession, access: AccessControl, replay: Replay[T], row_id: uuid.UUID) -> T:
    if not isinstance(replay, type):
        return await replay(session, access, row_id)
    row = await session.get(replay, row_id)
    if row is None:
        raise NotFound("That item no longer exists.")
    await access.require_visible_family(session, _family_of(row))  # type: ignore[arg-type]
    return row
