"""Who must know of an event, and which of them may be told: the callables the server injects into the
notification dispatcher. Every decision goes through the policy enforcement point, for each recipient as
if they had asked themselves: a person is told of an event only if they may read the record it is about.
What they may read of its content is decided when they read it (server/inbox/content.py): the
notification itself holds no content.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import transaction
from notifications.digest import Visible
from notifications.dispatcher import DigestChoices, Prepare, Told
from notifications.events import (
    ActionAssigned,
    ActionDone,
    ActionDueSoon,
    ActionOverdue,
    AgreementExpiring,
    AssessmentOverdue,
    EscalationTimedOut,
    Event,
    FollowUpDue,
    OverrideUsed,
    ReviewDue,
    notice_kind,
)
from notifications.models import Notification
from server import writes
from server.access.actor import Act, Actor
from server.access.enforcer import PolicyEnforcer
from server.access.facts import TEAM_FACTS_LEAD, FamilyFacts, team_facts_query, team_member_facts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.access.rules import active_membership
from server.auth.service import actor_from
from server.cover.service import covering_deputies
from server.db.prepared import rows_alone, rows_in
from server.sharing_agreement.audience import expiring_parties
from server.team.models import TeamMembership, TeamRole
from server.user.models import SystemRole, User, UserKind

ACTION_EVENTS = (ActionAssigned, ActionDueSoon, ActionOverdue, ActionDone)
LEAD_REMINDERS = (ReviewDue, AssessmentOverdue)  # the lead's to arrange, and the covering deputy's


@dataclass(frozen=True, slots=True)
class _Member:
    """A worker on a family's team, as who must know reads them."""

    user_id: uuid.UUID
    agency_id: uuid.UUID
    role: TeamRole


@dataclass(slots=True)
class _Batch:
    """What the events dispatched in one transaction share, read once for all of them: each family's team
    (by `prepare`) and each recipient's enforcement point, whose facts of a family are then read once per
    batch, not once per event."""

    teams: dict[uuid.UUID, list[_Member]] = field(default_factory=dict)
    recipients: dict[uuid.UUID, AccessControl | None] = field(default_factory=dict)
    # Each team member's facts of their family as a decision without an item reads them (facts.team_member_facts),
    # by (user, family): what `may_be_told` decides on. Not given to their enforcement point, which would then hold
    # facts of the family without the sets an item decision reads.
    family_level: dict[tuple[uuid.UUID, uuid.UUID], FamilyFacts] = field(default_factory=dict)


async def recipients(session: AsyncSession, event: Event) -> list[uuid.UUID]:
    """Who must know, from the records as they are when the event is dispatched. While a family's lead
    professional is away, its deputy lead is told what the lead is told of escalations and actions."""
    team = await _team(session, event.family_id)
    leads = [m for m in team if m.role is TeamRole.lead_professional]
    lead_ids = [m.user_id for m in leads]
    if isinstance(event, EscalationTimedOut):
        covering = await covering_deputies(session, event.family_id)
        managers = await _staff(session, SystemRole.manager, agency_ids=[m.agency_id for m in leads])
        return list(dict.fromkeys([*lead_ids, *covering, *managers]))
    if isinstance(event, FollowUpDue):
        return lead_ids
    if isinstance(event, LEAD_REMINDERS):
        return list(dict.fromkeys([*lead_ids, *await covering_deputies(session, event.family_id)]))
    if isinstance(event, ACTION_EVENTS):
        covering = await covering_deputies(session, event.family_id)
        return list(dict.fromkeys([event.owner_user_id, *lead_ids, *covering]))
    if isinstance(event, OverrideUsed):
        return lead_ids + await _staff(session, SystemRole.ig_officer)
    if isinstance(event, AgreementExpiring):
        return await _staff(session, SystemRole.ig_officer, agency_ids=await expiring_parties(session, event))
    return [m.user_id for m in team]


def batch_preparer(enforcer: PolicyEnforcer) -> Prepare:
    async def prepare(session: AsyncSession, events: list[Event]) -> None:
        """For a batch of events in one transaction: every family's team with each member's account and
        facts of the family in one statement; any other recipient in one, and their facts in one. The
        per-event calls then decide from these, exactly as they would have decided reading them one by one
        in this transaction."""
        await _read_teams(session, enforcer, list({event.family_id for event in events}))
        wanted = [(event, await recipients(session, event)) for event in events]
        accesses = {
            access.actor.user_id: access
            for access in await _recipients_access(session, enforcer, list({u for _, users in wanted for u in users}))
        }
        known = transaction.state(session, _Batch).family_level
        pairs = [
            (accesses[u], event.family_id)
            for event, users in wanted
            for u in users
            if u in accesses and (u, event.family_id) not in known
        ]
        await AccessControl.load_facts_of_many(session, pairs)

    return prepare


async def _read_teams(session: AsyncSession, enforcer: PolicyEnforcer, families: list[uuid.UUID]) -> None:
    """The families' teams, each member's enforcement point (an active staff account's) and its facts, and the
    kinds each takes in the daily digest (for the dispatcher, `DigestChoices`)."""
    batch = transaction.state(session, _Batch)
    batch.teams = {family_id: [] for family_id in families}
    choices = transaction.state(session, DigestChoices).known
    statement, params = team_facts_query(families, enforcer.closed_read_period)
    for row in await _team_rows(session, statement, params):
        family_id, user_id, agency_id, role, name, kind, system_role, own_agency, member, active, digest = row[
            :TEAM_FACTS_LEAD
        ]
        batch.teams[family_id].append(_Member(user_id, agency_id, TeamRole(role)))
        choices[user_id] = frozenset(digest)
        if user_id not in batch.recipients:
            actor = Actor(user_id, name, kind, system_role or "family", own_agency, member)
            staff = active and kind == UserKind.staff.value
            batch.recipients[user_id] = AccessControl(enforcer, actor) if staff else None
        if batch.recipients[user_id] is not None:
            batch.family_level[(user_id, family_id)] = team_member_facts(row)


async def _team_rows(session: AsyncSession, statement: sa.TextClause, params: dict) -> list[Sequence[Any]]:
    """The team statement's rows: in the transaction, or, for a change written optimistically (whose statements are
    each sent alone, server/writes.py `write_optimistically`), alone too."""
    engine = writes.optimistic_engine(session)
    if engine is None:
        return await rows_in(await transaction.connection(session), statement, params)
    return await rows_alone(engine, statement, params)


def told(enforcer: PolicyEnforcer) -> Told:
    async def may_be_told(session: AsyncSession, event: Event, users: list[uuid.UUID]) -> list[uuid.UUID]:
        """Those of the recipients who may read the record the event is about (its notice kind): a decision about
        the family, on a team member's facts read with the team (`_read_teams`), else on the recipient's own."""
        kind, family_id = Kind(event.notice_kind), event.family_id
        known = transaction.state(session, _Batch).family_level
        told = []
        for access in await _recipients_access(session, enforcer, users):
            facts = known.get((access.actor.user_id, family_id))
            if facts is None:
                facts = await access.facts(session, family_id)
            if access.decide(Act.read, kind, facts).allowed:
                told.append(access.actor.user_id)
        return told

    return may_be_told


async def _recipients_access(
    session: AsyncSession, enforcer: PolicyEnforcer, users: list[uuid.UUID]
) -> list[AccessControl]:
    """One enforcement point per active staff recipient, shared by every event of the batch."""
    known = transaction.state(session, _Batch).recipients
    missing = [user for user in users if user not in known]
    if missing:
        for user in (await session.exec(select(User).where(col(User.id).in_(missing)))).all():
            active = user.is_active and user.kind is UserKind.staff
            known[user.id] = AccessControl(enforcer, actor_from(user)) if active else None  # facts differ by agency
        for user_id in missing:
            known.setdefault(user_id, None)
    return [access for user in users if (access := known[user]) is not None]


def digest_filter(enforcer: PolicyEnforcer) -> Visible:
    async def visible(session: AsyncSession, user_id: uuid.UUID, rows: list[Notification]) -> list[Notification]:
        """The held notifications about records the recipient may still see (their content is rendered when
        the digest is read); none at all for an account that is no longer active."""
        user = await session.get(User, user_id)
        if user is None or not user.is_active or user.kind is not UserKind.staff:
            return []
        access = AccessControl(enforcer, actor_from(user))
        await access.load_facts(session, list({row.family_id for row in rows}))
        return [row for row in rows if await access.can(session, Act.read, Kind(notice_kind(row.kind)), row.family_id)]

    return visible


async def _team(session: AsyncSession, family_id: uuid.UUID) -> list[_Member]:
    teams = transaction.state(session, _Batch).teams
    if family_id in teams:  # read for the whole batch by `prepare`
        return teams[family_id]
    statement = select(TeamMembership).where(TeamMembership.family_id == family_id, active_membership())
    return [_Member(m.user_id, m.agency_id, m.role) for m in (await session.exec(statement)).all()]


async def _staff(
    session: AsyncSession, role: SystemRole, *, agency_ids: Sequence[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    statement = select(User.id).where(User.role == role, col(User.is_active).is_(True))
    if agency_ids is not None:
        statement = statement.where(col(User.agency_id).in_(agency_ids))
    return list((await session.exec(statement)).all())
