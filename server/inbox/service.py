"""Use cases for a user's own notifications: the inbox, marking read, acknowledging escalations,
delivery preferences and the items of a digest. The live subscription is server/inbox/live.py.

A notification holds references, never content: every read path shows a notification only while the
recipient may still see the record it is about (someone who left the team stops seeing that family's
notifications at once), and renders the words of its subject at that moment through the enforcement
point (server/inbox/content.py), so a consent withdrawn or an override ended hides them at once
in the inbox, the replay, live delivery and the digest.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.digest import DIGEST_KIND
from notifications.events import ESCALATION_KINDS, KINDS, notice_kind
from notifications.models import Delivery, Notification, NotificationPreference
from server import pagination
from server.access.actor import Act, Actor
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import utcnow
from server.errors import BadUserInput, NotFound

MAX_IDS = 100
NOT_FOUND = "No notification with that id."


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
                access.family_filter(col(Notification.family_id), Act.read, Kind(notice)),
            )
            for notice, kinds in kinds_by_notice.items()
        ),
        Notification.kind == DIGEST_KIND,
    )


def _mine(access: AccessControl) -> ColumnElement[bool]:
    return sa.and_(Notification.recipient_user_id == access.actor.user_id, _visible(access))


async def inbox(
    session: AsyncSession, access: AccessControl, *, first: int, after: str | None, unread_only: bool
) -> pagination.Page[Notification]:
    """Newest first."""
    pagination.check_first(first)
    statement = select(Notification).where(_mine(access))
    if after is not None:
        (last_id,) = pagination.decode(after, int)
        statement = statement.where(col(Notification.id) < last_id)
    if unread_only:
        statement = statement.where(col(Notification.read_at).is_(None))
    rows = list((await session.exec(statement.order_by(col(Notification.id).desc()).limit(first + 1))).all())
    return pagination.Page.of(rows, first)


def cursor(row: Notification) -> str:
    return pagination.encode(row.id)


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


async def mark_read_about(
    session: AsyncSession, user_id: uuid.UUID, *, subject_kind: Kind, subject_id: uuid.UUID
) -> None:
    """Mark read every notification of `user_id` about one piece of content (their notifications of an
    escalation, once they have acknowledged it): what they have dealt with no longer waits in their inbox."""
    await session.exec(
        sa.update(Notification)
        .where(
            col(Notification.recipient_user_id) == user_id,
            col(Notification.subject_kind) == subject_kind.value,
            col(Notification.subject_id) == subject_id,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=utcnow())
    )


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


def parse_notification_id(value: str | None, field: str) -> int | None:
    if value is None:
        return None
    try:
        notification_id = int(value)
    except ValueError:
        raise BadUserInput(f"{field} is not a notification id.", field=field) from None
    if notification_id < 0:
        raise BadUserInput(f"{field} is not a notification id.", field=field)
    return notification_id
