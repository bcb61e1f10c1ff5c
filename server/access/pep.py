"""The single policy enforcement point: every authorization decision in TAF is made here.

Visibility comes before permission: what the actor may not see is NOT_FOUND, exactly like what does
not exist, so a refusal never confirms that something exists. FORBIDDEN is only for actions on
things the actor can already see. Decisions are made once per distinct question in a request.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import transaction
from server.access.actor import Act, Actor
from server.access.enforcer import PolicyEnforcer, rules_for
from server.access.facts import (
    FamilyFacts,
    ItemFacts,
    facts_from_rows,
    facts_query,
    facts_row_parameters,
    families_facts_parameters,
    pair_facts_statement,
)
from server.access.kinds import Kind
from server.access.rules import (
    FAMILY_RULES,
    ITEM_RULES,
    ContentColumns,
    Facts,
    FactsColumns,
    Resource,
    as_condition,
    family_decision_key,
    item_decision_key,
)
from server.audit.read_detail import ReadFacts, Reads
from server.db.prepared import rows_in
from server.errors import Forbidden, NotFound

FAMILY_NOT_FOUND = "No family with that id, or you are not on its team."
ACCOUNT_NOT_FOUND = "No staff account with that id, or you may not see it."
_NOWHERE = uuid.UUID(int=0)
_FAMILY_DECISIONS_KEPT = 20_000


class Decision:
    __slots__ = ("allowed", "basis")

    def __init__(self, allowed: bool, basis: str | None) -> None:
        self.allowed = allowed
        self.basis = basis  # the rule of the policy line that decided, for the audit log


class AccessControl:
    """Request-scoped: holds the facts and decisions of one request for one actor."""

    def __init__(self, enforcer: PolicyEnforcer, actor: Actor) -> None:
        self._enforcer = enforcer
        self.actor = actor
        self._facts: dict[uuid.UUID, FamilyFacts] = {}
        self._decisions: dict[tuple, Decision] = {}
        self._reading: dict[uuid.UUID, asyncio.Future[None]] = {}  # facts being read, by family
        # Other agencies' items read, by family and kind, each item once: flushed to the audit log.
        self.reads: Reads = {}
        self.denials: list[dict[str, Any]] = []  # lookups refused as not found, flushed to the audit log

    def for_actor(self, actor: Actor) -> AccessControl:
        """The same enforcer's decisions for someone else: to tell a worker who will be able to read what they
        are about to write (an escalation's reason), before they send it."""
        return AccessControl(self._enforcer, actor)

    def statement_policy(self) -> StatementPolicy:
        """This actor's role's policy in SQL for statements built once (StatementPolicy)."""
        return StatementPolicy(self._enforcer, self.actor)

    def forget(self) -> None:
        """Drop cached facts; called after each committed change, which may have altered them."""
        self._facts.clear()
        self._decisions.clear()
        self._reading.clear()

    async def facts(self, session: AsyncSession, family_id: uuid.UUID) -> FamilyFacts:
        await self.load_facts(session, [family_id])
        return self._facts[family_id]

    async def load_facts(self, session: AsyncSession, family_ids: list[uuid.UUID]) -> None:
        """Read the facts of the families not known yet. A request's resolvers run concurrently: facts already
        being read for another of them are awaited, not read again."""
        while missing := [family_id for family_id in dict.fromkeys(family_ids) if family_id not in self._facts]:
            reading = {self._reading[family_id] for family_id in missing if family_id in self._reading}
            mine = [family_id for family_id in missing if family_id not in self._reading]
            if not mine:
                await asyncio.wait(reading)
                continue  # read, or, if that read failed, to be read here
            done = asyncio.get_running_loop().create_future()
            self._reading.update(dict.fromkeys(mine, done))
            try:
                statement, params = facts_query(self.actor, mine, self._enforcer.closed_read_period)
                rows = await rows_in(await transaction.connection(session), statement, params)
                self._facts.update(facts_from_rows(mine, list(rows), self.actor.agency_id))
            finally:
                for family_id in mine:
                    self._reading.pop(family_id, None)
                done.set_result(None)

    def facts_values(self, family_id: uuid.UUID | None) -> dict[str, Any]:
        """The values of the parameters of this actor's facts in one family, for a statement that reads them with
        something else (facts.with_locked_facts; None: a statement that finds the family itself,
        facts.row_locked_with_facts)."""
        return facts_query(self.actor, [family_id], self._enforcer.closed_read_period)[1]  # type: ignore[list-item]

    def given_facts(self, facts: FamilyFacts) -> None:
        """Facts of this actor read with something else in this transaction (with a guarded write's lock,
        writes.shared_by)."""
        self._facts.setdefault(facts.family_id, facts)

    def decide(self, act: Act, kind: Kind, facts: FamilyFacts, item: ItemFacts | None = None) -> Decision:
        _require_kind(kind)
        if item is None:
            return self._decide_family(act, kind, facts)
        # Memoised on what the rules read (item_decision_key), not on the item's identity: the audit
        # basis of each of a page's items costs a dictionary lookup once its kind of item was decided.
        key = (act.value, kind, facts.family_id, item_decision_key(self.actor, facts, item) if item else None)
        decision = self._decisions.get(key)
        if decision is None:
            allowed, explanation = self._enforcer.enforce_ex(self.actor, Resource(kind, facts, item), act.value)
            decision = Decision(bool(allowed), explanation[3] if allowed and explanation else None)
            self._decisions[key] = decision
        return decision

    def _decide_family(self, act: Act, kind: Kind, facts: FamilyFacts) -> Decision:
        """A decision without an item, memoised for the process on all it reads (rules.family_decision_key):
        the policy is fixed once the enforcer is built, so equal keys get equal decisions in any request."""
        key = (act.value, kind, family_decision_key(self.actor, facts))
        known = self._enforcer.family_decisions
        decision = known.get(key)
        if decision is None:
            allowed, explanation = self._enforcer.enforce_ex(self.actor, Resource(kind, facts), act.value)
            decision = Decision(bool(allowed), explanation[3] if allowed and explanation else None)
            if len(known) >= _FAMILY_DECISIONS_KEPT:  # bounded by roles x kinds x acts x flags; kept bounded anyway
                known.clear()
            known[key] = decision
        return decision

    async def can(self, session: AsyncSession, act: Act, kind: Kind, family_id: uuid.UUID) -> bool:
        return self.decide(act, kind, await self.facts(session, family_id)).allowed

    async def can_item(
        self, session: AsyncSession, act: Act, kind: Kind, family_id: uuid.UUID, item: ItemFacts
    ) -> bool:
        return self.decide(act, kind, await self.facts(session, family_id), item).allowed

    async def can_read_found(
        self, session: AsyncSession, kind: Kind, family_id: uuid.UUID | None, item: ItemFacts | None = None
    ) -> bool:
        """Whether the actor may read a record looked up by its id: one of this family, or none (family_id None)
        when no record has that id. The facts are read and a decision made either way, so that refusing an id
        that does not exist costs what refusing one the actor may not see does: timing cannot tell a curious
        colleague that the id exists."""
        facts = await self.facts(session, family_id or _NOWHERE)
        if family_id is None:
            self.decide(Act.read, Kind.family, facts)
            return False
        return self.decide(Act.read, kind, facts, item).allowed

    @staticmethod
    async def load_facts_of_many(session: AsyncSession, pairs: list[tuple[AccessControl, uuid.UUID]]) -> None:
        """Read the facts of many (actor, family) pairs in one statement: a notification dispatcher decides
        for every recipient of a batch of events, and one statement per recipient would dominate."""
        missing = [(access, family_id) for access, family_id in dict.fromkeys(pairs) if family_id not in access._facts]
        if not missing:
            return
        period = missing[0][0]._enforcer.closed_read_period
        rows = (await session.exec(pair_facts_statement([(a.actor, f) for a, f in missing], period))).all()
        found = {(row[0], row[1]): row[1:] for row in rows}
        for access, family_id in missing:
            row = found.get((access.actor.user_id, family_id))
            access._facts.update(facts_from_rows([family_id], [row] if row is not None else [], access.actor.agency_id))

    def can_outside_family(self, act: Act, kind: Kind) -> bool:
        """For actions not tied to one family (opening a referral, the staff directory)."""
        return self.decide(act, kind, FamilyFacts(_NOWHERE)).allowed

    async def require_visible_family(self, session: AsyncSession, family_id: uuid.UUID) -> FamilyFacts:
        facts = await self.facts(session, family_id)
        if not self.decide(Act.read, Kind.family, facts).allowed:
            self.note_denial("family_read", family_id, {"familyId": str(family_id)})
            raise NotFound(FAMILY_NOT_FOUND)
        return facts

    async def require(
        self, session: AsyncSession, act: Act, kind: Kind, family_id: uuid.UUID, *, seen_as: Kind = Kind.family
    ) -> None:
        """NOT_FOUND unless the actor may read `seen_as` (the family, or the record acted on) in this
        family; then FORBIDDEN unless they may do `act` to `kind`."""
        facts = await self.facts(session, family_id)
        if not self.decide(Act.read, seen_as, facts).allowed:
            self.note_denial(f"{seen_as}_read", family_id, {"familyId": str(family_id)})
            raise NotFound(FAMILY_NOT_FOUND if seen_as is Kind.family else "No such record, or you may not see it.")
        if not self.decide(act, kind, facts).allowed:
            raise Forbidden(_refusal(act, kind))

    def require_outside_family(self, act: Act, kind: Kind) -> None:
        if not self.can_outside_family(act, kind):
            raise Forbidden(_refusal(act, kind))

    def can_account(self, act: Act, kind: Kind, account: ItemFacts) -> bool:
        """For actions on a staff account (its agency and system role are its facts: account_facts)."""
        return self.decide(act, kind, FamilyFacts(_NOWHERE), account).allowed

    def require_account(self, act: Act, kind: Kind, account: ItemFacts) -> None:
        """NOT_FOUND unless the actor may see the account, then FORBIDDEN unless they may do `act` to `kind`."""
        if not self.can_account(Act.read, Kind.account, account):
            raise NotFound(ACCOUNT_NOT_FOUND)
        if not self.can_account(act, kind, account):
            raise Forbidden(_refusal(act, kind))

    def account_filter(self, columns: ContentColumns) -> ColumnElement:
        """The SQL form of `can_account(read, account, ...)`, for the list of accounts; FORBIDDEN for a role
        that the policy lets see no account at all."""
        allow, deny = rules_for(self._enforcer, self.actor.role, Kind.account, Act.read.value)
        if not allow:
            raise Forbidden(_refusal(Act.read, Kind.account))
        nowhere = FamilyFacts(_NOWHERE)
        return _combine(
            [_item_sql(rule, self.actor, nowhere, columns) for rule in allow],
            [_item_sql(rule, self.actor, nowhere, columns) for rule in deny],
        )

    def family_filter(self, family_id: ColumnElement, act: Act = Act.read, kind: Kind = Kind.family) -> ColumnElement:
        """The SQL form of `can(act, kind, family)`, for lists across families."""
        _require_kind(kind)
        allow, deny = rules_for(self._enforcer, self.actor.role, kind, act.value)
        return _combine(
            [FAMILY_RULES[rule].sql(self.actor, family_id) for rule in allow if rule in FAMILY_RULES],
            [FAMILY_RULES[rule].sql(self.actor, family_id) for rule in deny if rule in FAMILY_RULES],
        )

    async def item_filter(
        self, session: AsyncSession, family_id: uuid.UUID, columns: ContentColumns, *, kind: Kind, act: Act = Act.read
    ) -> ColumnElement:
        """The SQL form of `can_item(...)` for the items of one family: a list can only hold rows that a
        single lookup would allow."""
        _require_kind(kind)
        return self._item_condition(await self.facts(session, family_id), columns, kind, act)

    def _item_condition(self, facts: FamilyFacts, columns: ContentColumns, kind: Kind, act: Act) -> ColumnElement:
        allow, deny = rules_for(self._enforcer, self.actor.role, kind, act.value)
        return _combine(
            [_item_sql(rule, self.actor, facts, columns) for rule in allow],
            [_item_sql(rule, self.actor, facts, columns) for rule in deny],
        )

    def note_read(self, family_id: uuid.UUID, item_id: uuid.UUID, kind: Kind, item: ItemFacts) -> None:
        """Remember a read of another agency's item, with the rule that allowed it, for the audit log."""
        if self.actor.agency_id == item.owning_agency_id:
            return
        facts = self._facts[family_id]
        basis = self.decide(Act.read, kind, facts, item).basis
        owner, overrides = str(item.owning_agency_id), None
        if basis == "shared_by_override":
            # Which overrides shared it: whether the family was told of the share is theirs to say.
            overrides = sorted(
                str(override)
                for agency, category, override in facts.override_ids
                if agency == item.owning_agency_id and category == item.category
            )
        self._noted(family_id, kind)[str(item_id)] = (owner, item.category, basis, overrides or None)

    def note_reads_decided(
        self, family_id: uuid.UUID, kind: Kind, shown: Iterable[Sequence[Any]], override_ids: Iterable[str] | None
    ) -> None:
        """`note_read` of each (item id, owning agency, category, basis) a statement listed, the basis worked out
        by the statement (StatementPolicy.item_basis) and the overrides that shared each found among the facts
        row's `override_ids` ("agency category override"): the same entries of the audit log."""
        shared_by: dict[tuple[str, str], set[str]] = {}
        for entry in override_ids or ():
            agency, category, override = entry.split(" ")
            shared_by.setdefault((agency, category), set()).add(override)
        noted = self._noted(family_id, kind)
        for item_id, owner, category, basis in shown:
            overrides = sorted(shared_by.get((owner, category), ())) if basis == "shared_by_override" else None
            noted[item_id] = (owner, category, basis, overrides or None)

    def _noted(self, family_id: uuid.UUID, kind: Kind) -> dict[str, ReadFacts]:
        return self.reads.setdefault((family_id, kind.value), {})

    def note_denial(self, action: str, family_id: uuid.UUID | None, detail: dict[str, Any]) -> None:
        self.denials.append({"action": action, "family_id": family_id, "detail": detail})


class StatementPolicy:
    """The SQL form of the policy for one role, in statements whose text is the same for every request: the
    family's facts are the columns of facts.facts_row in the same statement, the actor's ids are its bind
    parameters, so such a statement is built and prepared once (compiled reads, server/api/compiled.py).
    The same rules (rules.py, read over FactsColumns), policy lines and combination (deny overrides) as
    AccessControl's filters; the audit basis is the rule the enforcer gives for an allowed item."""

    def __init__(self, enforcer: PolicyEnforcer, actor: Actor) -> None:
        self._enforcer = enforcer
        self.role = actor.role
        # The actor as bind parameters, named as facts.facts_row_parameters names them; an id the actor has not
        # (staff have no family member, families no agency) stays None, as the rules test for it.
        self.actor = Actor(
            user_id=sa.bindparam("user_id", type_=sa.Uuid()),  # type: ignore[arg-type]
            display_name="",
            kind="",
            role=actor.role,
            agency_id=_parameter("agency_id", actor.agency_id),  # type: ignore[arg-type]
            family_member_id=_parameter("member_id", actor.family_member_id),  # type: ignore[arg-type]
        )
        # What the text of a statement built with this policy depends on, besides the statement itself.
        self.key = (enforcer, actor.role, actor.agency_id is None, actor.family_member_id is None)

    def access(self) -> AccessControl:
        """AccessControl's filters (family_filter) for the actor as bind parameters."""
        return AccessControl(self._enforcer, self.actor)

    @staticmethod
    def parameters(actor: Actor) -> dict[str, Any]:
        """The values of the actor's bind parameters."""
        return {"user_id": actor.user_id, "agency_id": actor.agency_id, "member_id": actor.family_member_id}

    def facts_parameters(self, actor: Actor, family_id: uuid.UUID) -> dict[str, Any]:
        """The values of facts.facts_row's parameters for `actor` in the family: the actor's, and the family's."""
        return facts_row_parameters(actor, family_id, self._enforcer.closed_read_period)

    def families_facts_parameters(self, actor: Actor) -> dict[str, Any]:
        """The values of facts.families_facts's parameters for `actor`."""
        return families_facts_parameters(actor, self._enforcer.closed_read_period)

    def family_condition(self, facts: FactsColumns, act: Act = Act.read, kind: Kind = Kind.family) -> ColumnElement:
        """`can(act, kind, family)` over the family's facts row."""
        _require_kind(kind)
        allow, deny = rules_for(self._enforcer, self.role, kind, act.value)
        return _combine(
            [as_condition(FAMILY_RULES[rule].check(self.actor, facts)) for rule in allow if rule in FAMILY_RULES],  # type: ignore[arg-type]
            [as_condition(FAMILY_RULES[rule].check(self.actor, facts)) for rule in deny if rule in FAMILY_RULES],  # type: ignore[arg-type]
        )

    def item_condition(
        self, facts: FactsColumns, columns: ContentColumns, *, kind: Kind, act: Act = Act.read
    ) -> ColumnElement:
        """`can_item(...)` over the family's facts row: `item_filter` with the facts as columns."""
        _require_kind(kind)
        allow, deny = rules_for(self._enforcer, self.role, kind, act.value)
        return _combine(
            [_item_sql(rule, self.actor, facts, columns) for rule in allow],
            [_item_sql(rule, self.actor, facts, columns) for rule in deny],
        )

    def item_basis(self, facts: FactsColumns, columns: ContentColumns, *, kind: Kind, act: Act = Act.read) -> Any:
        """For an item `item_condition` allows, the rule `decide(...).basis` names: the enforcer explains an
        allowed decision by the last allow line that held (no deny line held), in the policy's order."""
        allow, _deny = rules_for(self._enforcer, self.role, kind, act.value)
        if not allow:
            return sa.null()
        return sa.case(
            *((_item_sql(rule, self.actor, facts, columns), sa.literal(rule)) for rule in reversed(allow)),
            else_=sa.null(),
        )


def _parameter(name: str, value: uuid.UUID | None) -> ColumnElement | None:
    return None if value is None else sa.bindparam(name, type_=sa.Uuid())


def _require_kind(kind: Kind) -> None:
    """Every kind the enforcement point is asked about is a Kind, so that the policy and the code name the same
    kinds (tests/access/test_kinds.py): a bare string that is not one of them would be silently denied."""
    if not isinstance(kind, Kind):
        raise TypeError(f"The enforcement point decides about a Kind (server/access/kinds.py), not {kind!r}.")


def _item_sql(rule: str, actor: Actor, facts: Facts, columns: ContentColumns) -> ColumnElement[bool]:
    if rule in ITEM_RULES:
        return ITEM_RULES[rule].sql(actor, facts, columns)
    if rule in FAMILY_RULES:
        return as_condition(FAMILY_RULES[rule].check(actor, facts))  # type: ignore[arg-type]
    return sa.false()


def _combine(allow: list[ColumnElement[bool]], deny: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """Deny overrides: any allow, and no deny."""
    granted = sa.or_(sa.false(), *allow)
    return sa.and_(granted, sa.not_(sa.or_(sa.false(), *deny))) if deny else granted


_REFUSALS: dict[tuple[Act, Kind], str] = {
    (Act.create, Kind.family): "Only practitioners and managers can open a family's record.",
    (Act.update, Kind.family): "Only the family's lead professional can change its status or level of need.",
    (Act.manage, Kind.team): "Only the lead professional (or their manager) can change the team.",
    (Act.read, Kind.staff_directory): "Only staff accounts can look up colleagues.",
    (Act.create, Kind.contribution): "Only workers on the family's team can add to its plan.",
    (Act.update, Kind.contribution): "Only the agency that wrote an item can change it.",
    (Act.create, Kind.consent): "Only workers on the family's team can record consent.",
    (Act.update, Kind.consent): "Only workers on the family's team can withdraw consent.",
    (Act.create, Kind.safeguarding_override): "Only workers on the family's team can share without consent.",
    (Act.update, Kind.safeguarding_override): "Only information-governance officers can review or revoke"
    " a safeguarding override.",
    (Act.read, Kind.consent_picture): "Only the lead professional sees the family's consent picture.",
    (Act.update, Kind.plan): "Only the lead professional can change the family plan.",
    (Act.update, Kind.meeting): "Only the lead professional (the chair) can arrange TAF meetings and record them.",
    (Act.create, Kind.assessment): "Only the lead professional can record assessments and reviews.",
    (Act.create, Kind.escalation): "Only workers on the family's team can raise an escalation.",
    (Act.update, Kind.escalation): "Only the lead professional (or, while they are away, the deputy lead) can"
    " acknowledge or resolve an escalation.",
    (Act.create, Kind.contact): "Only workers on the family's team record contacts with it.",
    (Act.create, Kind.staff_absence): "Only practitioners and managers mark themselves away.",
    (Act.create, Kind.portal_invitation): "Only the family's lead professional can invite family members"
    " to the portal.",
    (Act.update, Kind.portal_invitation): "Only the family's lead professional can cancel a portal invitation.",
    (Act.read, Kind.portal_summary): "Only the family's own members can read their portal page.",
    (Act.read, Kind.retention_date): "Only the family's team sees until when its records are kept.",
    (Act.read, Kind.retention_review): "Only information-governance officers review how long records are kept.",
    (Act.update, Kind.retention_review): "Only information-governance officers can keep records longer or hold them.",
    (Act.create, Kind.family_erasure): "Only information-governance officers can erase a family's records.",
    (Act.read, Kind.account): "Only administrators (and managers, for their own agency's practitioners) see accounts.",
    (Act.create, Kind.account): "Only administrators can create accounts.",
    (Act.update, Kind.account): "Only administrators can change or deactivate accounts.",
    (Act.create, Kind.agency): "Only administrators can add agencies.",
    (Act.update, Kind.agency): "Only administrators can change agencies.",
    (Act.create, Kind.password_reset): "Only administrators, or the manager of a practitioner's own agency, can"
    " create a password reset link.",
    (Act.read, Kind.service_catalogue): "Only staff accounts read the services list.",
    (Act.create, Kind.service_catalogue): "Only administrators add services to the services list.",
    (Act.update, Kind.service_catalogue): "Only administrators set the prices of services.",
    (Act.create, Kind.service_received): "Only workers on the family's team can record a service it received.",
    (Act.read, Kind.panel): "Only practitioners and managers see panel sittings.",
    (Act.create, Kind.panel): "Only managers arrange panel sittings.",
    (Act.update, Kind.panel): "Only managers change panel sittings.",
    (Act.read, Kind.panel_decision): "Only the family's team sees its panel decisions.",
    (Act.create, Kind.panel_decision): "Only the family's lead professional, or a manager of an agency on its team,"
    " can bring the family to a panel.",
    (Act.update, Kind.panel_decision): "Only the family's lead professional, or a manager of an agency on its team,"
    " can record the panel's decision.",
}


def _refusal(act: Act, kind: Kind) -> str:
    return _REFUSALS.get((act, kind), "You are not allowed to do that.")
