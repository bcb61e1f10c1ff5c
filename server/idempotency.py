"""Idempotency keys for mutations that create things: a client that retries after a timeout (not
knowing whether its first attempt committed) gets the item it created, not a second one."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import transaction
from server import writes
from server.access.facts import with_locked_facts
from server.access.pep import AccessControl
from server.clock import utcnow
from server.db.columns import created_at_field
from server.db.prepared import rows_in
from server.errors import BadUserInput, Conflict


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    user_id: uuid.UUID = Field(foreign_key="app_user.id")
    key: str = Field(max_length=100)
    action: str = Field(max_length=80)
    result_id: uuid.UUID | None = None
    # sha256 of the request's canonical arguments (payload_hash below); null for keys claimed before it was kept
    payload_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = created_at_field()


def check_key(key: str) -> str:
    if not 8 <= len(key) <= 100 or "\x00" in key:
        raise BadUserInput("idempotencyKey must be 8 to 100 characters (a UUID is ideal).", field="idempotencyKey")
    return key


DIFFERENT_REQUEST = (
    "That idempotencyKey was already used for a different request (another mutation, or other values)."
    " A retry must repeat the first request exactly; a new request needs a new key."
)


def payload_hash(arguments: dict[str, Any]) -> str:
    """A fingerprint of a request's arguments as the client sent them (variables resolved), leaving out
    the key itself and absent or null values, so a retry matches whatever JSON key order or explicit
    nulls the client's serializer produces."""
    canonical = json.dumps(_without_key(arguments), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _without_key(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_key(v) for k, v in value.items() if k != "idempotencyKey" and v is not None}
    if isinstance(value, list):
        return [_without_key(item) for item in value]
    return value


_TABLE = IdempotencyKey.__table__  # type: ignore[attr-defined]


def _bound(name: str, column: str) -> sa.BindParameter:
    return sa.bindparam(name, type_=_TABLE.c[column].type)


# Built once (TECH-NOTES 9): a request claims with values only. Named apart from the columns, which an INSERT's
# own parameters take.
_CLAIM = (
    insert(_TABLE)
    .values(
        user_id=_bound("claim_user_id", "user_id"),
        key=_bound("claim_key", "key"),
        action=_bound("claim_action", "action"),
        payload_hash=_bound("claim_payload_hash", "payload_hash"),
    )
    .on_conflict_do_nothing(constraint="uq_idempotency_key_user_key")
    .returning(_TABLE.c.id)
)

# The claim of a change written optimistically (writes.claim_later): made with the change, where its guard holds.
_CLAIMED_COLUMNS = ("user_id", "key", "action", "payload_hash", "result_id", "created_at")


def _claim_where(prefix: str, condition: sa.ColumnElement[bool]) -> sa.Insert:
    row = sa.select(*(_bound(prefix + name, name) for name in _CLAIMED_COLUMNS)).where(condition)
    return (
        insert(_TABLE)
        .from_select(_CLAIMED_COLUMNS, row, include_defaults=False)
        .on_conflict_do_nothing(constraint="uq_idempotency_key_user_key")
        .returning(_TABLE.c.id)
    )


# Whether the key was claimed before, with the family's status and facts read without its lock: the first statement
# of a change written optimistically (`claim` with `sharing`, writes.write_optimistically).
_EXISTING = (
    sa.select(_TABLE.c.id)
    .where(_TABLE.c.user_id == _bound("claim_user_id", "user_id"), _TABLE.c.key == _bound("claim_key", "key"))
    .scalar_subquery()
    .label("existing")
)
_READ_SHARING = with_locked_facts(writes.READ_STATUS.scalar_subquery(), _EXISTING)

# The claim, then the family's lock FOR SHARE (writes.share_and_require's) and the facts read with it, in one
# statement: `claim(sharing=...)`.
_CLAIMED = _CLAIM.cte("claimed")
_CLAIM_SHARING = with_locked_facts(
    writes.SHARE_STATUS.scalar_subquery(), sa.select(_CLAIMED.c.id).scalar_subquery().label("claimed")
).add_cte(_CLAIMED)


async def claim(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    key: str,
    action: str,
    payload: str | None = None,
    sharing: uuid.UUID | None = None,
    access: AccessControl | None = None,
) -> uuid.UUID | None:
    """Claim the key in this transaction. Returns None when it is new (go ahead and create), or the id
    created under it before by the same request (same mutation, same `payload` hash); a different request
    under the key is CONFLICT. A concurrent attempt with the same key waits here until the first commits
    (then replays it) or rolls back (then proceeds itself).

    `sharing` is the family a change about to be made locks FOR SHARE first (`writes.share_and_require`): the
    claim's statement takes that lock after the claim (its subqueries run in order) and tells the guard the
    family's status and `access`'s facts in the family (`writes.shared_by`), two round trips fewer. A replay or a
    CONFLICT holds that shared lock needlessly until it ends; nothing waits on it but changes holding the family
    exclusively."""
    values = {"claim_user_id": user_id, "claim_key": check_key(key), "claim_action": action}
    if sharing is not None and writes.optimistic_engine(session) is not None:
        assert access is not None, "a claim that reads the family's facts reads those of the one deciding"
        sent = {**values, "locked_family_id": sharing, **access.facts_values(sharing)}
        (existing,) = await writes.read_unlocked(session, access, sharing, _READ_SHARING, sent, before=1)
        if existing is not None:
            raise writes.Changed(again=False)  # a replay or a CONFLICT: answered under the lock
        claim = {"user_id": user_id, "key": values["claim_key"], "action": action, "payload_hash": payload}
        writes.claim_later(session, _claim_where, {**claim, "created_at": utcnow()})
        return None
    # Straight to asyncpg in the transaction (Prepared.rows_in): the claim is a request's first statement, there is
    # nothing for the ORM to flush or load, and SQLAlchemy's execution costs more than the statement's own work.
    connection = await transaction.connection(session)
    if sharing is None:
        if await rows_in(connection, _CLAIM, {**values, "claim_payload_hash": payload}):
            return None
    else:
        assert access is not None, "a claim that takes the family's lock reads the facts of the one deciding"
        sent = {**values, "claim_payload_hash": payload, "locked_family_id": sharing, **access.facts_values(sharing)}
        ((claimed, locked, promptly, *facts),) = await rows_in(connection, _CLAIM_SHARING, sent)
        writes.shared_by(session, access, sharing, locked, promptly, facts)
        if claimed is not None:
            return None
    row = (
        await session.exec(
            sa.select(IdempotencyKey.action, IdempotencyKey.result_id, IdempotencyKey.payload_hash).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        )
    ).one()
    same_payload = row.payload_hash is None or payload is None or row.payload_hash == payload
    if row.action != action or row.result_id is None or not same_payload:
        raise Conflict(DIFFERENT_REQUEST)
    return row.result_id


async def record_result(session: AsyncSession, *, user_id: uuid.UUID, key: str, result_id: uuid.UUID) -> None:
    await session.exec(result_statement(user_id=user_id, key=key, result_id=result_id))


def result_statement(*, user_id: uuid.UUID, key: str, result_id: uuid.UUID) -> sa.Update:
    """What the claimed key created, for a retry to return (written with the change: `result_later`)."""
    return sa.update(_TABLE).where(_TABLE.c.user_id == user_id, _TABLE.c.key == key).values(result_id=result_id)


def result_later(session: AsyncSession, *, user_id: uuid.UUID, key: str, result_id: uuid.UUID) -> None:
    """`result_statement`, queued for the change's batched write (server/writes.py), built once per request shape."""
    if writes.claimed_later(session, "result_id", result_id):
        return  # the key is claimed optimistically, with its result, by the change's own statement
    params = {"user_id": user_id, "key": key, "result_id": result_id}
    writes.shaped_later(session, "idempotency_result", _result_update, params)


def _result_update(prefix: str) -> sa.Update:
    where = (_TABLE.c.user_id == _bound(f"{prefix}user_id", "user_id"), _TABLE.c.key == _bound(f"{prefix}key", "key"))
    return sa.update(_TABLE).where(*where).values(result_id=_bound(f"{prefix}result_id", "result_id"))
