"""Forgetting a family: its notifications, their place in daily digests, its outbox events and its timers,
for the server's erasure of a family's records (in the erasure's transaction).

A digest holds references to the held notifications it carried (their ids and families) and counts
by kind: the family's references are taken out and the counts lowered, and a digest left empty goes."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.digest import DIGEST_KIND, DROPPED
from notifications.models import Notification, NotificationPreference, OutboxEvent, Timer


async def forget_family(session: AsyncSession, family_id: uuid.UUID, users: list[uuid.UUID]) -> dict[str, int]:
    """Remove everything this package holds about the family, and about `users` (accounts that go with
    it); return how many rows of each table were removed or rewritten."""
    # Timers, then the outbox, then notifications: each DELETE waits for a timer firing or a dispatch that
    # holds the rows, so what they wrote (an outbox event, notifications) has committed by the next one.
    removed = {
        "timer": await _delete(session, sa.delete(Timer).where(Timer.event["family_id"].astext == str(family_id))),
        "notification_outbox": await _delete(session, sa.delete(OutboxEvent).where(OutboxEvent.family_id == family_id)),
    }
    removed["notification_digest"] = await _take_out_of_digests(session, family_id)
    about = sa.or_(col(Notification.family_id) == family_id, col(Notification.recipient_user_id).in_(users))
    removed["notification"] = await _delete(session, sa.delete(Notification).where(about))
    removed["notification_preference"] = await _delete(
        session, sa.delete(NotificationPreference).where(col(NotificationPreference.user_id).in_(users))
    )
    return removed


async def _delete(session: AsyncSession, statement: sa.Delete) -> int:
    return (await session.exec(statement)).rowcount


async def _take_out_of_digests(session: AsyncSession, family_id: uuid.UUID) -> int:
    carried = select(Notification.digested_in, Notification.id, Notification.kind).where(
        Notification.family_id == family_id,
        col(Notification.digested_in).is_not(None),
        Notification.digested_in != DROPPED,
    )
    by_digest: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for digest_id, notification_id, kind in (await session.exec(carried)).all():
        by_digest[digest_id].append((notification_id, kind))
    for digest_id, gone in by_digest.items():
        digest = await session.get(Notification, digest_id, with_for_update=True)
        if digest is None or digest.kind != DIGEST_KIND:
            continue
        payload = _without(digest.payload, {str(notification_id) for notification_id, _ in gone}, gone)
        if payload["total"] <= 0:
            await session.delete(digest)
        else:
            digest.payload = payload
            session.add(digest)
    await session.flush()
    return len(by_digest)


def _without(payload: dict, ids: set[str], gone: list[tuple[int, str]]) -> dict:
    counts = Counter(payload.get("counts", {}))
    counts.subtract(Counter(kind for _, kind in gone))
    return {
        **payload,
        "total": payload.get("total", 0) - len(gone),
        "counts": {kind: count for kind, count in sorted(counts.items()) if count > 0},
        "items": [item for item in payload.get("items", []) if item.get("id") not in ids],
    }
