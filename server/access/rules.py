"""The named rules that policy lines refer to (policies/policy.csv), each in two forms that must agree:

- `check`: a Python predicate, used by the enforcer for single decisions;
- `sql`: the same predicate as a SQL condition, used to filter lists in the database so that a list
  can never hold a row that a single lookup would refuse.

Family rules decide about a family as a whole; the SQL form is a condition on a family id column, for
lists across families (the caseload). Item rules decide about one piece of case content given the
facts of its family; the SQL form is a condition on the content's columns (ContentColumns, which every
content table maps) with those facts resolved: either as values (FamilyFacts, read beforehand) or as
SQL expressions (FactsColumns, the columns of a facts row in the same statement, whose text is then the
same for every family and every actor of a role: a compiled read prepares it once).
tests/access/test_rules_agree.py holds each pair in agreement; tests/access/test_rules_property.py also holds
the form over FactsColumns (access.pep.StatementPolicy) in agreement with the enforcer, basis included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from server.access.actor import Actor
from server.access.categories import InformationCategory
from server.access.facts import FamilyFacts, ItemFacts
from server.cover.models import DeputyLead, LeadAbsence
from server.family.models import FamilyMember
from server.team.models import TeamMembership, TeamRole

POLICE = InformationCategory.police.value
PRACTITIONER = "practitioner"  # a staff account's system role (server/user/models.py SystemRole)


@dataclass(frozen=True, slots=True)
class Resource:
    kind: str
    facts: FamilyFacts
    item: ItemFacts | None = None


def active_membership() -> ColumnElement[bool]:
    """Memberships never start in the future (the service refuses it), so active means not ended."""
    return TeamMembership.__table__.c.valid_to.is_(None)


_membership = TeamMembership.__table__.c
_member = FamilyMember.__table__.c
_lead = TeamRole.lead_professional.value


_deputy = DeputyLead.__table__.c
_absence = LeadAbsence.__table__.c


def _today_utc() -> ColumnElement:
    return sa.cast(sa.func.timezone("UTC", sa.func.statement_timestamp()), sa.Date)


def _deputy_covering_sql(actor: Actor, family_id: ColumnElement) -> ColumnElement[bool]:
    """The actor is the family's deputy lead and on its team, and its lead professional is away today."""
    lead = TeamMembership.__table__.alias("covered_lead")
    away = (
        sa.select(1)
        .select_from(lead.join(LeadAbsence.__table__, _absence.user_id == lead.c.user_id))
        .where(
            lead.c.family_id == family_id,
            lead.c.valid_to.is_(None),
            lead.c.role == _lead,
            lead.c.user_id != actor.user_id,
            _absence.cancelled_at.is_(None),
            _absence.starts_on <= _today_utc(),
            _absence.ends_on >= _today_utc(),
        )
        .exists()
    )
    named = (
        sa.select(1)
        .where(_deputy.family_id == family_id, _deputy.user_id == actor.user_id, _deputy.valid_to.is_(None))
        .exists()
    )
    return sa.and_(named, _membership_exists(family_id, _membership.user_id == actor.user_id), away)


def _membership_exists(family_id: ColumnElement, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return sa.exists().where(_membership.family_id == family_id, active_membership(), *conditions)


@dataclass(frozen=True)
class FamilyRule:
    check: Callable[[Actor, FamilyFacts], bool]
    sql: Callable[[Actor, ColumnElement], ColumnElement[bool]]


@dataclass(frozen=True)
class ItemRule:
    check: Callable[[Actor, FamilyFacts, ItemFacts], bool]
    sql: Callable[[Actor, Facts, ContentColumns], ColumnElement[bool]]


FAMILY_RULES: dict[str, FamilyRule] = {
    "always": FamilyRule(lambda actor, facts: True, lambda actor, family_id: sa.true()),
    "named_worker": FamilyRule(
        lambda actor, facts: facts.named_worker,
        lambda actor, family_id: _membership_exists(family_id, _membership.user_id == actor.user_id),
    ),
    "lead_professional": FamilyRule(
        lambda actor, facts: facts.lead_professional,
        lambda actor, family_id: _membership_exists(
            family_id, _membership.user_id == actor.user_id, _membership.role == _lead
        ),
    ),
    "agency_on_team": FamilyRule(
        lambda actor, facts: facts.agency_on_team,
        lambda actor, family_id: _membership_exists(family_id, _membership.agency_id == actor.agency_id),
    ),
    "own_family": FamilyRule(
        lambda actor, facts: facts.own_family,
        lambda actor, family_id: (
            sa.exists().where(_member.family_id == family_id, _member.id == actor.family_member_id)
            if actor.family_member_id is not None
            else sa.false()
        ),
    ),
    # Cover while the lead professional is away (server/cover): the family's deputy lead, for urgent matters.
    "deputy_covering": FamilyRule(
        lambda actor, facts: facts.deputy_covering,
        _deputy_covering_sql,
    ),
    "agency_manages_lead": FamilyRule(
        lambda actor, facts: facts.agency_manages_lead,
        lambda actor, family_id: _membership_exists(
            family_id, _membership.agency_id == actor.agency_id, _membership.role == _lead
        ),
    ),
}


@dataclass(frozen=True)
class ContentColumns:
    """Where a table keeps the facts the item rules read, as SQL expressions: every kind of case content
    maps its own columns here, so one SQL form of each rule filters every kind."""

    owning_agency_id: ColumnElement
    category: ColumnElement
    family_summary: ColumnElement[bool] = field(default_factory=sa.false)
    third_party: ColumnElement[bool] = field(default_factory=sa.false)
    team_shared: ColumnElement[bool] = field(default_factory=sa.false)
    recipients: ColumnElement | None = None  # overrides and decisions not to share: the agencies named


@dataclass(frozen=True)
class FactsColumns:
    """The facts of one family (FamilyFacts) as SQL expressions, named as FamilyFacts names them: the item
    rules below read either. Sets are arrays: of text for categories, of "agency category" text for the
    (owning agency, category) pairs, of uuid for the police agencies (facts.facts_row writes them so). The
    agreements are read only as rule shared_by_consent reads them: the pairs of the agreements in force, as the
    keys of a jsonb object (one look-up per item, not a search of an array)."""

    named_worker: ColumnElement[bool]
    lead_professional: ColumnElement[bool]
    agency_on_team: ColumnElement[bool]
    agency_manages_lead: ColumnElement[bool]
    own_family: ColumnElement[bool]
    deputy_covering: ColumnElement[bool]
    closed_read_over: ColumnElement[bool]
    consented: ColumnElement
    overridden: ColumnElement
    refused: ColumnElement
    police_agencies: ColumnElement
    agreement_pairs: ColumnElement  # jsonb: the "agency category" pairs of the agreements in force


Facts = FamilyFacts | FactsColumns


def facts_columns(row: sa.FromClause) -> FactsColumns:
    """The columns of facts.facts_row, for the rules."""
    c = row.c
    return FactsColumns(
        named_worker=c.named_worker,
        lead_professional=c.lead_professional,
        agency_on_team=c.agency_on_team,
        agency_manages_lead=c.agency_manages_lead,
        own_family=c.own_family,
        deputy_covering=c.deputy_covering,
        closed_read_over=c.closed_read_over,
        consented=c.consented,
        overridden=c.overridden,
        refused=c.refused,
        police_agencies=c.police_agencies,
        agreement_pairs=c.agreement_pairs,
    )


def _pair(columns: ContentColumns) -> ColumnElement:
    """An item's (owning agency, category) as FactsColumns writes such pairs."""
    return sa.func.concat(sa.cast(columns.owning_agency_id, sa.Text), " ", sa.cast(columns.category, sa.Text))


def as_condition(value: bool | ColumnElement[bool]) -> ColumnElement[bool]:
    """A rule's answer as SQL: a constant when the facts were values, the expression when they were columns."""
    if isinstance(value, bool):
        return sa.true() if value else sa.false()
    return value


def _own_agency(actor: Actor, item: ItemFacts) -> bool:
    return actor.agency_id is not None and item.owning_agency_id == actor.agency_id


def _when(condition: bool | ColumnElement[bool], expression: ColumnElement[bool]) -> ColumnElement[bool]:
    if isinstance(condition, bool):
        return expression if condition else sa.false()
    return sa.and_(condition, expression)


def _overridden_sql(facts: Facts, columns: ContentColumns) -> ColumnElement[bool]:
    if isinstance(facts, FactsColumns):
        return _pair(columns) == sa.any_(facts.overridden)
    by_agency: dict = {}
    for agency_id, category in facts.overridden:
        by_agency.setdefault(agency_id, []).append(category)
    return sa.or_(
        sa.false(),
        *(
            sa.and_(columns.owning_agency_id == agency_id, columns.category.in_(sorted(categories)))
            for agency_id, categories in sorted(by_agency.items())
        ),
    )


def _consent_and_agreement_sql(facts: Facts, columns: ContentColumns) -> ColumnElement[bool]:
    """Consented categories of the agencies an active agreement covers them with, agency by agency."""
    if isinstance(facts, FactsColumns):
        consented = sa.cast(columns.category, sa.Text) == sa.any_(facts.consented)
        return sa.and_(consented, facts.agreement_pairs.has_key(_pair(columns)))
    by_agency: dict = {}
    for agency_id, category in facts.agreements:
        if category in facts.consented:
            by_agency.setdefault(agency_id, []).append(category)
    return sa.or_(
        sa.false(),
        *(
            sa.and_(columns.owning_agency_id == agency_id, columns.category.in_(sorted(categories)))
            for agency_id, categories in sorted(by_agency.items())
        ),
    )


def _shared_by_consent(facts: FamilyFacts, item: ItemFacts) -> bool:
    return item.category in facts.consented and (item.owning_agency_id, item.category) in facts.agreements


def _not_refused_sql(facts: Facts, columns: ContentColumns) -> ColumnElement[bool]:
    if isinstance(facts, FactsColumns):
        return sa.not_(sa.cast(columns.category, sa.Text) == sa.any_(facts.refused))
    return columns.category.not_in(sorted(facts.refused)) if facts.refused else sa.true()


def _police_owned(facts: FamilyFacts, item: ItemFacts) -> bool:
    return item.owning_agency_id in facts.police_agencies


def _police_sql(facts: Facts, columns: ContentColumns) -> ColumnElement[bool]:
    if isinstance(facts, FactsColumns):
        return columns.owning_agency_id == sa.any_(facts.police_agencies)
    return columns.owning_agency_id.in_(sorted(facts.police_agencies)) if facts.police_agencies else sa.false()


def _override_party_sql(actor: Actor, facts: Facts, c: ContentColumns) -> ColumnElement[bool]:
    if facts.lead_professional is True:
        return sa.true()
    agency = sa.type_coerce(actor.agency_id, sa.Uuid())
    named = agency == sa.any_(c.recipients) if c.recipients is not None else sa.false()
    party = sa.or_(c.owning_agency_id == actor.agency_id, named)
    return party if facts.lead_professional is False else sa.or_(facts.lead_professional, party)


ITEM_RULES: dict[str, ItemRule] = {
    # A worker on the team sees their own agency's content.
    "own_agency_item": ItemRule(
        lambda actor, facts, item: facts.named_worker and _own_agency(actor, item),
        lambda actor, facts, c: _when(facts.named_worker, c.owning_agency_id == actor.agency_id),
    ),
    # A manager sees their agency's content on the families their agency works with.
    "agency_item_on_team": ItemRule(
        lambda actor, facts, item: facts.agency_on_team and _own_agency(actor, item),
        lambda actor, facts, c: _when(facts.agency_on_team, c.owning_agency_id == actor.agency_id),
    ),
    # A worker on the team sees another agency's content when the family consented to share its category
    # with the worker's agency (and nobody refused it), and an active data-sharing agreement between the
    # owning agency and the worker's covers that category: the family's consent and the agencies' agreement.
    "shared_by_consent": ItemRule(
        lambda actor, facts, item: facts.named_worker and _shared_by_consent(facts, item),
        lambda actor, facts, c: _when(facts.named_worker, _consent_and_agreement_sql(facts, c)),
    ),
    # ... or when an active safeguarding override shares that agency's content in that category with them.
    "shared_by_override": ItemRule(
        lambda actor, facts, item: facts.named_worker and (item.owning_agency_id, item.category) in facts.overridden,
        lambda actor, facts, c: _when(facts.named_worker, _overridden_sql(facts, c)),
    ),
    # The family's own plan (goals agreed with the family, the actions serving them, decisions agreed at
    # its TAF meetings) is the whole team's, unless a refusal in force withholds its category.
    "agreed_plan_on_team": ItemRule(
        lambda actor, facts, item: facts.named_worker and item.team_shared and item.category not in facts.refused,
        lambda actor, facts, c: _when(facts.named_worker, sa.and_(c.team_shared, _not_refused_sql(facts, c))),
    ),
    # A family member sees content of their own family that is marked for the family summary.
    "family_summary_item": ItemRule(
        lambda actor, facts, item: facts.own_family and item.family_summary,
        lambda actor, facts, c: _when(facts.own_family, c.family_summary),
    ),
    # An override or a decision not to share: the lead professional, the agency whose information it
    # is, and the agencies it shares with.
    "override_party": ItemRule(
        lambda actor, facts, item: (
            facts.named_worker
            and (facts.lead_professional or _own_agency(actor, item) or actor.agency_id in item.recipients)
        ),
        lambda actor, facts, c: _when(facts.named_worker, _override_party_sql(actor, facts, c)),
    ),
    # A closed family's case content is read-only for the team for a period after closure
    # (Settings.closed_read_period, TAF_CLOSED_READ_DAYS), then no longer read (deny lines in policy.csv).
    # A fact of the family (FamilyFacts.closed_read_over), so its SQL form is a constant for the list.
    "closed_read_period_over": ItemRule(
        lambda actor, facts, item: facts.closed_read_over,
        lambda actor, facts, c: as_condition(facts.closed_read_over),
    ),
    # A staff account is decided on the facts of its agency (as owning agency) and its system role (as category):
    # a manager acts on the accounts of their own agency's practitioners (account_facts, account_columns).
    "own_agency_practitioner": ItemRule(
        lambda actor, facts, item: _own_agency(actor, item) and item.category == PRACTITIONER,
        lambda actor, facts, c: _when(
            actor.agency_id is not None, sa.and_(c.owning_agency_id == actor.agency_id, c.category == PRACTITIONER)
        ),
    ),
    # Never to the family: content naming third parties, police information, and anything a police
    # agency holds, whatever its category.
    "third_party_or_police": ItemRule(
        lambda actor, facts, item: item.third_party or item.category == POLICE or _police_owned(facts, item),
        lambda actor, facts, c: sa.or_(
            c.third_party,
            c.category == POLICE,
            _police_sql(facts, c),
        ),
    ),
}


def item_decision_key(actor: Actor, facts: FamilyFacts, item: ItemFacts) -> tuple:
    """What the item rules above read of an item, reduced to what they compare it with: two items of one
    family with the same key get the same decision and the same basis, so AccessControl decides once per
    key (a page of 100 items of 40 agencies needs ~30 decisions, not ~100). Whoever changes a rule in
    ITEM_RULES changes this too; tests/access/test_decision_key.py checks every item against a fresh
    decision."""
    return (
        _own_agency(actor, item),
        item.category,
        (item.owning_agency_id, item.category) in facts.overridden,
        (item.owning_agency_id, item.category) in facts.agreements,
        _police_owned(facts, item),
        item.family_summary,
        item.third_party,
        item.team_shared,
        actor.agency_id in item.recipients,
    )


def family_decision_key(actor: Actor, facts: FamilyFacts) -> tuple:
    """All that a decision without an item reads, besides its act and kind: the model's matcher reads the
    actor's role and, through `holds`, the family rules above, which read only these flags of the facts (an
    item rule holds for no decision without an item). Two such questions with the same key get the same
    decision and basis, whoever asks about whichever family, so AccessControl keeps these decisions for the
    process (a dispatch decides for each of a team's ~40 members; most share a key). Whoever changes a rule
    in FAMILY_RULES, the matcher or `holds` changes this too; tests/access/test_family_decision_key.py
    checks what the rules read, and every key's decisions against fresh ones."""
    return (
        actor.role,
        facts.named_worker,
        facts.lead_professional,
        facts.agency_on_team,
        facts.agency_manages_lead,
        facts.own_family,
        facts.deputy_covering,
        facts.closed_read_over,
    )


def holds(rule: str, actor: Actor, resource: Resource) -> bool:
    """Called by the Casbin matcher. An unknown rule name never grants anything (and a test catches it)."""
    if rule in FAMILY_RULES:
        return FAMILY_RULES[rule].check(actor, resource.facts)
    if rule in ITEM_RULES and resource.item is not None:
        return ITEM_RULES[rule].check(actor, resource.facts, resource.item)
    return False
