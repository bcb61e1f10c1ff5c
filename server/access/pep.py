"""The single policy enforcement point: every authorization decision in TAF is made here.

Visibility comes before permission (not visible means NOT_FOUND, so a refusal never confirms that a
family exists); FORBIDDEN is only for actions on things the actor can already see.
"""

from __future__ import annotations

import uuid

import casbin
import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act, Actor
from server.access.enforcer import rules_granting
from server.access.rules import RULES, FamilyFacts, Resource, facts_from_rows, facts_statement
from server.errors import Forbidden, NotFound

FAMILY_NOT_FOUND = "No family with that id, or you are not on its team."


class AccessControl:
    """Request-scoped: caches the facts and decisions of one request for one actor."""

    def __init__(self, enforcer: casbin.Enforcer, actor: Actor) -> None:
        self._enforcer = enforcer
        self.actor = actor
        self._facts: dict[uuid.UUID, FamilyFacts] = {}
        self._decisions: dict[tuple[str, str, uuid.UUID | None], bool] = {}

    def forget(self) -> None:
        """Drop cached facts; called after each committed change, which may have altered them."""
        self._facts.clear()
        self._decisions.clear()

    async def load_facts(self, session: AsyncSession, family_ids: list[uuid.UUID]) -> None:
        missing = [family_id for family_id in dict.fromkeys(family_ids) if family_id not in self._facts]
        if missing:
            rows = (await session.exec(facts_statement(self.actor, missing))).all()
            self._facts.update(facts_from_rows(missing, rows))

    def seed_facts(self, facts: FamilyFacts) -> None:
        """Use facts fetched in one batch for many actors (the notification dispatcher)."""
        self._facts.setdefault(facts.family_id, facts)

    async def can(self, session: AsyncSession, act: Act, kind: str, family_id: uuid.UUID) -> bool:
        key = (act.value, kind, family_id)
        if key not in self._decisions:
            await self.load_facts(session, [family_id])
            self._decisions[key] = self.decide(act, kind, self._facts[family_id])
        return self._decisions[key]

    async def can_read_category(
        self, session: AsyncSession, family_id: uuid.UUID, *, owning_agency_id: uuid.UUID, category: str
    ) -> bool:
        """May the actor read case content of `category` that `owning_agency_id` contributed to this family?

        INTERIM HOOK until the consent rules land: the owning agency's own staff and the family's lead
        professional may; nobody else may (deny by default), and never someone who cannot see the
        family at all. Notification payloads already go through it; at merge this becomes the consent
        decision (with `category` and the consent and override records) without changing callers.
        """
        if not await self.can(session, Act.read, "family", family_id):
            return False
        if self.actor.agency_id is not None and self.actor.agency_id == owning_agency_id:
            return True
        return self._facts[family_id].lead_professional

    def decide(self, act: Act, kind: str, facts: FamilyFacts) -> bool:
        return bool(self._enforcer.enforce(self.actor, Resource(kind, facts), act.value))

    def can_outside_family(self, act: Act, kind: str) -> bool:
        """For actions not yet tied to a family (opening a referral)."""
        return self.decide(act, kind, FamilyFacts(uuid.UUID(int=0)))

    async def require_visible_family(self, session: AsyncSession, family_id: uuid.UUID) -> None:
        if not await self.can(session, Act.read, "family", family_id):
            raise NotFound(FAMILY_NOT_FOUND)

    async def require(self, session: AsyncSession, act: Act, kind: str, family_id: uuid.UUID) -> None:
        await self.require_visible_family(session, family_id)
        if not await self.can(session, act, kind, family_id):
            raise Forbidden(_refusal(act, kind))

    def require_outside_family(self, act: Act, kind: str) -> None:
        if not self.can_outside_family(act, kind):
            raise Forbidden(_refusal(act, kind))

    def family_filter(
        self, family_id: ColumnElement, act: Act = Act.read, kind: str = "family"
    ) -> ColumnElement:
        """The SQL form of `can(act, kind, family)` for list queries."""
        allow, deny = rules_granting(self._enforcer, self.actor.role, kind, act.value)
        if not allow:
            return sa.false()
        granted = sa.or_(*(RULES[rule].sql(self.actor, family_id) for rule in allow if rule in RULES))
        if deny:
            return sa.and_(
                granted, sa.not_(sa.or_(*(RULES[rule].sql(self.actor, family_id) for rule in deny)))
            )
        return granted


def _refusal(act: Act, kind: str) -> str:
    messages = {
        ("create", "family"): "Only practitioners and managers can open a family's record.",
        ("update", "family"): "Only the family's lead professional can change its status or level of need.",
        ("manage", "team"): "Only the lead professional (or their manager) can change the team.",
        ("read", "staff_directory"): "Only staff accounts can look up colleagues.",
    }
    return messages.get((act.value, kind), "You are not allowed to do that.")
