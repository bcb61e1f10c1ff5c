"""Batch loads for the notification type: the words of every notification's subject on a page, and the
items of its digests, each in a constant number of statements (server/inbox/content.py)."""

from __future__ import annotations

from collections.abc import Callable

from notifications.models import Notification
from server.access.pep import AccessControl
from server.db.engine import SessionFactory
from server.inbox import content, service


async def content_by_ref(
    sessions: SessionFactory, access: Callable[[], AccessControl], refs: list[content.Ref]
) -> list[content.Content]:
    async with sessions() as session:
        found = await content.render(session, access(), refs)
    return [found[ref] for ref in refs]


async def items_by_digest(
    sessions: SessionFactory, access: Callable[[], AccessControl], digests: list[tuple[int, tuple[int, ...]]]
) -> list[list[Notification]]:
    async with sessions() as session:
        found = await service.digest_items(session, access(), [(digest_id, list(ids)) for digest_id, ids in digests])
    return [found[digest_id] for digest_id, _ in digests]
