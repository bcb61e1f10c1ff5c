"""The live subscription: a user's notifications after a cursor, then live, each checked when it is
delivered (the sign-in still current, the family still visible to them, the words of its subject
rendered as they may read them now), for one stream or, at the bus's fan-out, for every subscriber of
this process at once.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace

from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import stream
from notifications.bus import AdmitMany, Bus, Dropped, Record
from notifications.digest import DIGEST_KIND
from notifications.events import notice_kind
from server.access.actor import Act, Actor
from server.access.enforcer import PolicyEnforcer
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.audit import service as audit
from server.auth import service as auth_service
from server.db.engine import SessionFactory, unit_of_work
from server.errors import Unauthenticated, Unavailable
from server.inbox import content
from server.inbox.sockets import SignedInSockets

SESSION_ENDED = "Your session has ended. Sign in again to receive notifications."
DELIVERED_LIVE = "websocket"  # the audit's address for reads delivered over a subscription


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
        await _audit_reads(sessions, accesses.values())
        return allowed

    return admit_many


async def _audit_reads(sessions: SessionFactory, accesses: Iterable[AccessControl]) -> None:
    """The words of another agency's content delivered over a socket are reads like any other: audited
    with their facts, so the access log and the IG audit log see them."""
    reading = [access for access in accesses if access.reads]
    if not reading:
        return
    async with unit_of_work(sessions) as session:
        for access in reading:
            reads = dict(access.reads)
            access.reads.clear()
            await audit.record_request(session, access.actor, reads, [], DELIVERED_LIVE)


async def _may_see(session: AsyncSession, access: AccessControl, record: Record) -> bool:
    if record.kind == DIGEST_KIND:  # its items are checked for this recipient when it is read
        return True
    return await access.can(session, Act.read, Kind(notice_kind(record.kind)), record.family_id)


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
        access = AccessControl(enforcer, actor)
        async with sessions() as session:
            await signed_in(session)
            await access.load_facts(session, list({r.family_id for r in records if r.kind != DIGEST_KIND}))
            admitted = [record for record in records if await _may_see(session, access, record)]
            rendered = await _rendered(session, access, admitted)
        await _audit_reads(sessions, [access])
        return rendered

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
