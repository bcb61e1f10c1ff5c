"""Use cases for a user's own notifications: the inbox, marking read, acknowledging escalations,
delivery preferences, and the live stream with its checks at delivery time.

A notification's payload was filtered for its recipient when it was made. On top of that, every read
path shows a notification only while the recipient may still see what it is about (someone who left
the team stops seeing that family's notifications at once), and the stream re-checks the sign-in
before every delivery.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import stream
from notifications.bus import AdmitMany, Bus, Dropped, Record
from notifications.digest import DIGEST_KIND
from notifications.events import ESCALATION_KINDS, KINDS, notice_kind
from notifications.models import Delivery, Notification, NotificationPreference
from server.access.actor import Act, Actor
from server.access.enforcer import PolicyEnforcer
from server.access.pep import AccessControl
from server.auth import service as auth_service
from server.db.columns import utcnow
from server.db.engine import SessionFactory
from server.errors import BadUserInput, NotFound, Unauthenticated, Unavailable
from server.notification.sockets import SignedInSockets

MAX_PAGE = 100
MAX_IDS = 100
NOT_FOUND = "No notification with that id."
SESSION_ENDED = "Your session has ended. Sign in again to receive notifications."


@dataclass(frozen=True)
class InboxPage:
    notifications: list[Notification]
    has_next: bool


def _visible(access: AccessControl) -> ColumnElement[bool]:
    """The SQL form of 'may still see what the notification is about', per notice kind. A digest is about
    no single family: its items were checked for its recipient when it was compiled."""
    kinds_by_notice: dict[str, list[str]] = defaultdict(list)
    for kind in KINDS:
        kinds_by_notice[notice_kind(kind)].append(kind)
    return sa.or_(
        *(
            sa.and_(
                col(Notification.kind).in_(kinds),
                access.family_filter(col(Notification.family_id), Act.read, notice),
            )
            for notice, kinds in kinds_by_notice.items()
        ),
        Notification.kind == DIGEST_KIND,
    )


def _mine(access: AccessControl) -> ColumnElement[bool]:
    return sa.and_(Notification.recipient_user_id == access.actor.user_id, _visible(access))


async def inbox(
    session: AsyncSession, access: AccessControl, *, first: int, after: int | None, unread_only: bool
) -> InboxPage:
    """Newest first; `after` is the id of the last notification of the previous page."""
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE}.", field="first")
    statement = select(Notification).where(_mine(access))
    if after is not None:
        statement = statement.where(col(Notification.id) < after)
    if unread_only:
        statement = statement.where(col(Notification.read_at).is_(None))
    rows = list((await session.exec(statement.order_by(col(Notification.id).desc()).limit(first + 1))).all())
    return InboxPage(rows[:first], len(rows) > first)


async def unread_count(session: AsyncSession, access: AccessControl) -> int:
    statement = select(sa.func.count()).where(_mine(access), col(Notification.read_at).is_(None))
    return (await session.exec(statement)).one()


async def mark_read(session: AsyncSession, access: AccessControl, *, ids: list[int]) -> list[Notification]:
    """Mark the caller's notifications read; ids that are not theirs are ignored, as if they did not exist."""
    if len(ids) > MAX_IDS:
        raise BadUserInput(f"Mark at most {MAX_IDS} notifications at once.", field="ids")
    statement = select(Notification).where(_mine(access), col(Notification.id).in_(ids)).with_for_update()
    rows = list((await session.exec(statement.order_by(col(Notification.id)))).all())
    now = utcnow()
    for row in rows:
        row.read_at = row.read_at or now
    await session.flush()
    return rows


async def acknowledge(session: AsyncSession, access: AccessControl, *, notification_id: int) -> Notification:
    statement = select(Notification).where(_mine(access), Notification.id == notification_id).with_for_update()
    row = (await session.exec(statement)).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    if row.kind not in ESCALATION_KINDS:
        raise BadUserInput("Only escalation notifications are acknowledged; mark others read.", field="id")
    now = utcnow()
    row.acknowledged_at = row.acknowledged_at or now
    row.read_at = row.read_at or now
    await session.flush()
    return row


async def preferences(session: AsyncSession, actor: Actor) -> dict[str, Delivery]:
    """Every kind, with the caller's choice (live unless they chose the daily digest)."""
    statement = select(NotificationPreference).where(NotificationPreference.user_id == actor.user_id)
    chosen = {row.kind: Delivery(row.delivery) for row in (await session.exec(statement)).all()}
    return {kind: chosen.get(kind, Delivery.live) for kind in KINDS}


async def set_preference(session: AsyncSession, actor: Actor, *, kind: str, delivery: Delivery) -> None:
    if kind == DIGEST_KIND:
        raise BadUserInput("The daily digest itself is always delivered live.", field="kind")
    if kind not in KINDS:
        raise BadUserInput("Unknown notification kind.", field="kind")
    values = {"user_id": actor.user_id, "kind": kind, "delivery": delivery.value, "updated_at": utcnow()}
    await session.exec(
        insert(NotificationPreference)
        .values(values)
        .on_conflict_do_update(
            index_elements=["user_id", "kind"],
            set_={"delivery": delivery.value, "updated_at": values["updated_at"]},
        )
    )


def fan_out_check(enforcer: PolicyEnforcer, sessions: SessionFactory, sign_ins: SignedInSockets) -> AdmitMany:
    """The bus's check at fan-out, for every subscriber of a drain at once: nothing for a sign-in that
    ended, and only what each recipient may still see, with every (recipient, family) pair's facts read
    fresh in one statement."""

    async def admit_many(batches: list[tuple[object, list[Record]]]) -> list[list[Record]]:
        accesses: dict[uuid.UUID, AccessControl] = {}
        pairs = []
        for actor, records in batches:
            if not isinstance(actor, Actor):  # not a subscription of ours: deny by default
                continue
            access = accesses.setdefault(actor.user_id, AccessControl(enforcer, actor))
            pairs += [(access, record.family_id) for record in records if record.kind != DIGEST_KIND]
        async with sessions() as session:
            await AccessControl.load_facts_of_many(session, pairs)
            allowed = []
            for actor, records in batches:
                if not isinstance(actor, Actor):
                    allowed.append([])
                    continue
                ended = sign_ins.has_ended(actor.token_id)
                access = accesses[actor.user_id]
                allowed.append([r for r in records if not ended and await _may_see(session, access, r)])
            return allowed

    return admit_many


async def _may_see(session: AsyncSession, access: AccessControl, record: Record) -> bool:
    if record.kind == DIGEST_KIND:  # its items were checked for this recipient when it was compiled
        return True
    return await access.can(session, Act.read, notice_kind(record.kind), record.family_id)


async def follow(
    sessions: SessionFactory,
    enforcer: PolicyEnforcer,
    bus: Bus,
    actor: Actor,
    *,
    after: int,
    sign_ins: SignedInSockets | None = None,
) -> AsyncIterator[Record]:
    """The caller's notifications after a cursor, then live, each checked at delivery time.

    The sign-in is read from the table when the subscription starts. After that, this process's record
    of its sockets' sign-ins (`sign_ins`) answers in memory: it learns of a sign-out at once from every
    instance's notices, and of an expiry or a missed notice from its sweeps of the table (on every LISTEN
    reconnect and every probe interval). Whether the recipient may still see each family is read fresh:
    for the replay here, for live records by the bus's fan-out check (`fan_out_check`) for every
    subscriber at once. Without `sign_ins` or a bus check, every batch is checked here, in the table.
    """
    async with sessions() as session:
        if not await auth_service.still_signed_in(session, actor):
            raise Unauthenticated(SESSION_ENDED)

    async def signed_in(session: AsyncSession) -> None:
        if sign_ins is not None:
            if sign_ins.has_ended(actor.token_id):
                raise Unauthenticated(SESSION_ENDED)
        elif not await auth_service.still_signed_in(session, actor):
            raise Unauthenticated(SESSION_ENDED)

    async def admit(records: list[Record]) -> list[Record]:
        async with sessions() as session:
            await signed_in(session)
            access = AccessControl(enforcer, actor)
            await access.load_facts(session, list({r.family_id for r in records if r.kind != DIGEST_KIND}))
            return [record for record in records if await _may_see(session, access, record)]

    async def admitted_by_the_bus(records: list[Record]) -> list[Record]:
        if sign_ins is not None and sign_ins.has_ended(actor.token_id):
            raise Unauthenticated(SESSION_ENDED)
        return records

    live = admitted_by_the_bus if sign_ins is not None and bus.admit is not None else admit
    try:
        async for record in stream.follow(
            bus, sessions, actor.user_id, after=after, admit=admit, admit_live=live, admission=actor
        ):
            yield record
    except Dropped:
        raise Unavailable(
            "You fell behind the live stream. Subscribe again with `after` set to the last id you received."
        ) from None


def parse_cursor(value: str | None, field: str) -> int | None:
    if value is None:
        return None
    try:
        cursor = int(value)
    except ValueError:
        raise BadUserInput(f"{field} is not a notification id.", field=field) from None
    if cursor < 0:
        raise BadUserInput(f"{field} is not a notification id.", field=field)
    return cursor
