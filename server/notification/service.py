"""Use cases for a user's own notifications: the inbox, marking read, acknowledging escalations,
delivery preferences, and the live stream with its checks at delivery time.

A notification holds references, never content: every read path shows a notification only while the
recipient may still see the record it is about (someone who left the team stops seeing that family's
notifications at once), and renders the words of its subject at that moment through the enforcement
point (server/notification/content.py), so a consent withdrawn or an override ended hides them at once
in the inbox, the replay, live delivery and the digest. The stream re-checks the sign-in before every
delivery.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

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
from server.notification import content
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


async def digest_items(
    session: AsyncSession, access: AccessControl, digests: list[tuple[int, list[int]]]
) -> dict[int, list[Notification]]:
    """The held notifications each digest (id, the ids it lists) carried, in order, as the caller may see
    them now: one statement for every digest asked about."""
    wanted = {item for _, items in digests for item in items}
    if not wanted:
        return {digest_id: [] for digest_id, _ in digests}
    statement = select(Notification).where(_mine(access), col(Notification.id).in_(wanted))
    found = {row.id: row for row in (await session.exec(statement)).all()}
    return {digest_id: [found[item] for item in items if item in found] for digest_id, items in digests}


def digest_item_ids(payload: dict) -> list[int]:
    """The ids a digest's payload lists (its references to the held notifications)."""
    ids = []
    for item in payload.get("items") or []:
        try:
            ids.append(int(item["id"]))
        except (KeyError, TypeError, ValueError):
            continue
    return ids


async def _rendered(
    session: AsyncSession, access: AccessControl, records: list[Record], subjects: content.Subjects | None = None
) -> list[Record]:
    """The records with their subjects' words as this reader may read them now (records about no content
    are handed on as they are)."""
    refs = [content.ref_of(record) for record in records if record.subject_kind is not None]
    if not refs:
        return records
    if subjects is None:
        subjects = await content.load(session, refs)
    decided = await content.decide(session, access, subjects, refs)
    return [
        replace(record, rendered=decided[content.ref_of(record)]) if record.subject_kind is not None else record
        for record in records
    ]


def fan_out_check(enforcer: PolicyEnforcer, sessions: SessionFactory, sign_ins: SignedInSockets) -> AdmitMany:
    """The bus's check at fan-out, for every subscriber of a drain at once: nothing for a sign-in that
    ended, only what each recipient may still see, with every (recipient, family) pair's facts read fresh
    in one statement, and the words of each subject rendered for each recipient from one load of the
    subjects (one statement per kind of subject)."""

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
            refs = [content.ref_of(r) for _, records in batches for r in records if r.subject_kind is not None]
            subjects = await content.load(session, refs) if refs else {}
            allowed = []
            for actor, records in batches:
                if not isinstance(actor, Actor):
                    allowed.append([])
                    continue
                ended = sign_ins.has_ended(actor.token_id)
                access = accesses[actor.user_id]
                admitted = [r for r in records if not ended and await _may_see(session, access, r)]
                allowed.append(await _rendered(session, access, admitted, subjects))
            return allowed

    return admit_many


async def _may_see(session: AsyncSession, access: AccessControl, record: Record) -> bool:
    if record.kind == DIGEST_KIND:  # its items are checked for this recipient when it is read
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
    reconnect and every probe interval). Whether the recipient may still see each family, and what they
    may read of each subject, is read fresh: for the replay here, for live records by the bus's fan-out
    check (`fan_out_check`) for every subscriber at once. Without `sign_ins` or a bus check, every batch
    is checked here, in the table. Each record comes with its subject rendered (`Record.rendered`).
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
            admitted = [record for record in records if await _may_see(session, access, record)]
            return await _rendered(session, access, admitted)

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
