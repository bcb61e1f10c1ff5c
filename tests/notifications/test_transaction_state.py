"""notifications/transaction.py: typed state kept for one transaction, never trusted in the next."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from notifications import transaction


@dataclass
class Seen:
    ids: list[int] = field(default_factory=list)


@dataclass
class Flag:
    on: bool = False


async def test_state_is_one_per_kind_within_a_transaction_and_fresh_in_the_next(sessions):
    async with sessions() as session:
        # given state written in a transaction
        async with session.begin():
            transaction.state(session, Seen).ids.append(1)
            transaction.state(session, Flag).on = True
            # then the same transaction reads it back, each kind its own
            assert transaction.state(session, Seen).ids == [1]
            assert transaction.state(session, Flag).on
            await session.exec(sa.text("SELECT 1"))
            assert transaction.state(session, Seen).ids == [1]
        # when the session goes on to another transaction
        async with session.begin():
            # then it starts afresh
            assert transaction.state(session, Seen).ids == []
            assert not transaction.state(session, Flag).on
