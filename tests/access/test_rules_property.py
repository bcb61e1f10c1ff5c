"""Property: for random families, consents, refusals, overrides and data-sharing agreements between the
agencies, each content decision's Python form
(single lookups, through the enforcer) and its SQL form (lists, through item_filter) agree, for every
kind of actor and every kind of case content; and so does the SQL form over the facts read in the same
statement (StatementPolicy, for compiled reads), with the audit basis it works out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.access.actor import Act
from server.access.enforcer import build_enforcer
from server.access.facts import ItemFacts, facts_row, facts_row_parameters
from server.access.kinds import CONTENT_KINDS
from server.access.pep import AccessControl, StatementPolicy
from server.access.rules import ContentColumns, facts_columns
from server.agency.models import AgencyKind
from server.auth.service import actor_from
from server.clock import utcnow
from server.config import REPO_ROOT
from server.db.engine import unit_of_work
from server.safeguarding.models import SafeguardingOverride
from server.sharing_agreement.models import DataSharingAgreement, DataSharingAgreementParty
from server.user.models import SystemRole
from tests.builders import (
    create_agency,
    create_agreement,
    create_consent,
    create_family,
    create_family_user,
    create_override,
    create_user,
)

CATEGORIES = ["health", "police", "other"]  # few, so that consents, refusals and items often meet
AGENCIES = ["health", "police", "school"]
STATES = ["in_force", "in_force", "expired", "withdrawn_or_revoked", "future"]  # mostly in force


@dataclass(frozen=True)
class ConsentSpec:
    decision: str
    categories: list[str]
    to: list[str]  # empty: the whole team
    state: str


@dataclass(frozen=True)
class OverrideSpec:
    by: str
    categories: list[str]
    to: list[str]
    state: str


@dataclass(frozen=True)
class AgreementSpec:
    parties: list[str]
    categories: list[str]
    state: str  # in_force, expired, ended (by an IG officer), future


@dataclass(frozen=True)
class ItemSpec:
    owner: str
    category: str
    family_summary: bool
    third_party: bool
    team_shared: bool


categories = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True)
agencies = st.lists(st.sampled_from(AGENCIES), max_size=2, unique=True)
consents = st.builds(ConsentSpec, st.sampled_from(["given", "refused"]), categories, agencies, st.sampled_from(STATES))
overrides = st.builds(
    OverrideSpec,
    st.sampled_from(AGENCIES),
    categories,
    st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=2, unique=True),
    st.sampled_from(["in_force", "in_force", "expired", "withdrawn_or_revoked"]),
)
agreements = st.builds(
    AgreementSpec,
    st.lists(st.sampled_from(AGENCIES), min_size=2, max_size=3, unique=True),
    categories,
    st.sampled_from(["in_force", "in_force", "in_force", "expired", "ended", "future"]),
)
items = st.builds(
    ItemSpec, st.sampled_from(AGENCIES), st.sampled_from(CATEGORIES), st.booleans(), st.booleans(), st.booleans()
)


@pytest.fixture(scope="module")
async def people(sessions):
    agency = {
        "health": await create_agency(sessions, kind=AgencyKind.health),
        "police": await create_agency(sessions, kind=AgencyKind.police),
        "school": await create_agency(sessions, kind=AgencyKind.education),
    }
    staff = {
        "health_worker": await create_user(sessions, agency=agency["health"]),
        "police_worker": await create_user(sessions, agency=agency["police"]),
        "school_lead": await create_user(sessions, agency=agency["school"]),
        "police_manager": await create_user(sessions, agency=agency["police"], role=SystemRole.manager),
        "outsider": await create_user(sessions, agency=agency["school"]),
        "ig": await create_user(sessions, agency=agency["school"], role=SystemRole.ig_officer),
    }
    return agency, staff


async def _agreements_between(sessions, agency, agreement_specs) -> None:
    """Exactly these agreements between the module's agencies (agreements bind agencies, not families, so
    those of an earlier example are removed first)."""
    parties = DataSharingAgreementParty.__table__.c
    ours = sa.select(parties.agreement_id).where(parties.agency_id.in_([a.id for a in agency.values()]))
    async with unit_of_work(sessions) as session:
        agreement_ids = list((await session.exec(ours)).scalars().all())
        await session.exec(sa.delete(DataSharingAgreementParty).where(parties.agreement_id.in_(agreement_ids)))
        await session.exec(
            sa.delete(DataSharingAgreement).where(DataSharingAgreement.__table__.c.id.in_(agreement_ids))
        )
    today = utcnow().date()
    periods = {
        "in_force": (today - timedelta(days=10), today + timedelta(days=10)),
        "expired": (today - timedelta(days=10), today - timedelta(days=1)),
        "ended": (today - timedelta(days=10), today + timedelta(days=10)),
        "future": (today + timedelta(days=1), today + timedelta(days=10)),
    }
    for spec in agreement_specs:
        starts_on, ends_on = periods[spec.state]
        await create_agreement(
            sessions,
            parties=[agency[name] for name in spec.parties],
            categories=spec.categories,
            starts_on=starts_on,
            ends_on=ends_on,
            ended=spec.state == "ended",
        )


async def _family_with(sessions, people, consent_specs, override_specs):
    agency, staff = people
    family = await create_family(
        sessions, lead=staff["school_lead"], contributors=(staff["health_worker"], staff["police_worker"])
    )
    by_agency_worker = {
        "health": staff["health_worker"],
        "police": staff["police_worker"],
        "school": staff["school_lead"],
    }
    for spec in consent_specs:
        await create_consent(
            sessions,
            family=family,
            recorded_by=staff["school_lead"],
            categories=spec.categories,
            agencies=[agency[name] for name in spec.to] or None,
            decision=spec.decision,
            withdrawn=spec.state == "withdrawn_or_revoked",
            **_consent_period(spec.state),
        )
    for spec in override_specs:
        await create_override(
            sessions,
            family=family,
            decided_by=by_agency_worker[spec.by],
            categories=spec.categories,
            recipients=[agency[name] for name in spec.to],
            expires_in=timedelta(days=-1) if spec.state == "expired" else timedelta(days=30),
            revoked=spec.state == "withdrawn_or_revoked",
        )
    await _reviewed(sessions, family, staff["ig"])
    return family


async def _reviewed(sessions, family, officer) -> None:
    """Mark the example's overrides reviewed: decisions do not read the review, and hundreds of generated
    overrides must not crowd the IG officers' review queue that other tests of the suite read."""
    async with unit_of_work(sessions) as session:
        await session.exec(
            SafeguardingOverride.__table__.update()
            .where(SafeguardingOverride.family_id == family.id)
            .values(reviewed_at=utcnow(), reviewed_by_user_id=officer.id, review_note="Generated for a property test.")
        )


def _consent_period(state: str) -> dict:
    now = utcnow()
    if state == "expired":
        return {"valid_from": now - timedelta(days=10), "valid_to": now - timedelta(days=1)}
    if state == "future":
        return {"valid_from": now + timedelta(days=1)}
    return {}


def _values(item_specs: list[ItemSpec], agency) -> sa.Values:
    rows = [
        (index, agency[spec.owner].id, spec.category, spec.family_summary, spec.third_party, spec.team_shared)
        for index, spec in enumerate(item_specs)
    ]
    return sa.values(
        sa.column("n", sa.Integer),
        sa.column("owning_agency_id", sa.Uuid),
        sa.column("category", sa.String),
        sa.column("family_summary", sa.Boolean),
        sa.column("third_party", sa.Boolean),
        sa.column("team_shared", sa.Boolean),
        name="item",
    ).data(rows)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    consent_specs=st.lists(consents, max_size=3),
    override_specs=st.lists(overrides, max_size=2),
    agreement_specs=st.lists(agreements, max_size=2),
    item_specs=st.lists(items, min_size=1, max_size=6),
    kind=st.sampled_from(CONTENT_KINDS),
)
async def test_python_and_sql_forms_agree(
    sessions, people, consent_specs, override_specs, agreement_specs, item_specs, kind
):
    # given a family in a random sharing state between agencies with random agreements, and content of a random
    # kind with random facts
    agency, staff = people
    await _agreements_between(sessions, agency, agreement_specs)
    family = await _family_with(sessions, people, consent_specs, override_specs)
    member = await create_family_user(sessions, family=family)
    enforcer = build_enforcer(REPO_ROOT / "policies")
    table = _values(item_specs, agency)
    columns = ContentColumns(
        table.c.owning_agency_id, table.c.category, table.c.family_summary, table.c.third_party, table.c.team_shared
    )
    for user in [*staff.values(), member]:
        access = AccessControl(enforcer, actor_from(user))
        async with sessions() as session:
            # when asked one item at a time, and as a list filtered in SQL
            single = {
                index
                for index, spec in enumerate(item_specs)
                if await access.can_item(session, Act.read, kind, family.id, _facts(spec, agency))
            }
            condition = await access.item_filter(session, family.id, columns, kind=kind)
            listed = set((await session.exec(sa.select(table.c.n).where(condition))).scalars().all())
            # and in one statement with the family's facts, with the rule that allowed each item
            facts = await access.facts(session, family.id)
            bases = {
                index: access.decide(Act.read, kind, facts, _facts(item_specs[index], agency)).basis for index in single
            }
            policy, row = StatementPolicy(enforcer, access.actor), facts_row()
            known = facts_columns(row)
            statement = (
                sa.select(table.c.n, policy.item_basis(known, columns, kind=kind))
                .select_from(table.join(row, sa.true()))
                .where(policy.item_condition(known, columns, kind=kind))
            )
            values = facts_row_parameters(access.actor, family.id, enforcer.closed_read_period)
            in_one = dict((await session.exec(statement, params=values)).all())
        # then all give the same answer
        assert listed == single, (user.display_name, kind, item_specs, agreement_specs)
        assert in_one == bases, (user.display_name, kind, item_specs, agreement_specs)


def _facts(spec: ItemSpec, agency) -> ItemFacts:
    return ItemFacts(
        owning_agency_id=agency[spec.owner].id,
        category=spec.category,
        family_summary=spec.family_summary,
        third_party=spec.third_party,
        team_shared=spec.team_shared,
    )
