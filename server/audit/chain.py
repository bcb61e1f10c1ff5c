"""Verifying the audit log's hash chain (the chaining itself happens in the database, see the baseline migration)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

_BROKEN_LINKS = sa.text(
    """
    SELECT chain_position FROM (
        SELECT e.chain_position, e.hash, e.prev_hash,
               sha256(e.prev_hash || audit_event_content(e)) AS recomputed,
               lag(e.hash) OVER (ORDER BY e.chain_position) AS previous_hash,
               lag(e.chain_position) OVER (ORDER BY e.chain_position) AS previous_position
        FROM audit_event e
    ) link
    WHERE link.hash <> link.recomputed
       OR link.prev_hash <> coalesce(link.previous_hash, '\\x'::bytea)
       OR link.chain_position <> coalesce(link.previous_position, 0) + 1
    ORDER BY chain_position
    LIMIT 20
    """
)


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_at: list[int]  # chain positions where an event was changed, removed or inserted out of chain

    @property
    def intact(self) -> bool:
        return not self.broken_at


async def verify(session: AsyncSession) -> ChainReport:
    count = (await session.exec(sa.text("SELECT count(*) FROM audit_event"))).one()[0]
    broken = [row[0] for row in (await session.exec(_BROKEN_LINKS)).all()]
    return ChainReport(events=count, broken_at=broken)
