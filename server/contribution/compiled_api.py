"""FamilyContributions (graphql/operations/contribution.graphql) compiled to one SQL statement.

The web front end's family page lists a family's items with it (web/js/family/contributions.js, 100 at a
time). This answers the first page of the unfiltered list (familyId and first only), the page the family
page shows; a cursor or a filter goes to the generic executor. The statement returns the `data` member
of the answer as JSON, field for field as the document selects, formatted as Strawberry formats it:
times as Python's isoformat, cursors as server/pagination.py encodes them.

Its text is the same for every request of a role, built and compiled once (server/db/prepared.py): the family's
facts are read in it (facts.facts_row), the policy is the SQL form of the rules over them
(access.pep.StatementPolicy), and it returns with the rows the rule that allowed each other agency's item,
for the audit; the family, the page size and the actor are its parameters.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from server import pagination
from server.access.facts import facts_row, facts_row_parameters
from server.access.kinds import Kind
from server.access.pep import StatementPolicy
from server.access.rules import facts_columns
from server.agency.models import Agency
from server.api.context import Context
from server.api.json_sql import EMPTY_LIST, cursor, iso
from server.contribution.models import Contribution
from server.contribution.service import content_columns
from server.db.prepared import prepared
from server.family.models import FamilyMember
from server.user.models import User

DEFAULT_FIRST = 50  # the document's default for $first
_ALLOWED = {"familyId", "first", "after", "category", "kind", "search"}
_UNSUPPORTED = ("after", "category", "kind", "search")  # answered by the generic executor when set

_c = Contribution.__table__.c
_agency = Agency.__table__.c
_user = User.__table__.c
_member = FamilyMember.__table__.c


def _page_size(variables: dict[str, Any]) -> int | None:
    first = variables.get("first", DEFAULT_FIRST)
    if type(first) is not int or not 1 <= first <= pagination.MAX_PAGE:
        return None
    return first


def _family_id(variables: dict[str, Any]) -> uuid.UUID | None:
    value = variables.get("familyId")
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def statement(policy: StatementPolicy) -> sa.Select:
    """One row when the family (:family_id) exists: whether the actor may read it, the answer's `data` as JSON
    text, the other agencies' items of the page (id, owning agency, category, the rule that allowed it) as
    JSON, and the ids of the overrides in force for the actor (those the audit names for shared_by_override).
    Parameters: :family_id, :first, and the actor's (facts.facts_row_parameters)."""
    facts = facts_row()
    known = facts_columns(facts)
    columns = content_columns()
    family_id = sa.bindparam("family_id", type_=sa.Uuid())
    first = sa.bindparam("first", type_=sa.Integer())
    conditions = (_c.family_id == family_id, policy.item_condition(known, columns, kind=Kind.contribution))
    order = (_c.created_at.desc(), _c.id.desc())
    page = (
        sa.select(
            _c.id,
            _c.kind,
            _c.category,
            _c.title,
            _c.body,
            _c.may_appear_in_family_summary,
            _c.contains_third_party_identities,
            _c.version,
            _c.created_at,
            _c.updated_at,
            _c.owning_agency_id,
            _c.author_user_id,
            _c.about_member_ids,
            policy.item_basis(known, columns, kind=Kind.contribution).label("basis"),
            sa.func.row_number().over(order_by=order).label("position"),
        )
        .select_from(Contribution.__table__.join(facts, sa.true()))
        .where(*conditions)
        .order_by(*order)
        .limit(first + 1)  # the extra row only says there is a next page (pagination.Page.of)
        .cte("page")
    )
    p = page.c
    shown = p.position <= first
    about = (
        sa.select(
            sa.func.json_agg(
                aggregate_order_by(
                    sa.func.json_build_object("id", sa.cast(_member.id, sa.Text), "fullName", _member.full_name),
                    # members_by_family_id's order, which the generic path keeps
                    *(_member.created_at, _member.full_name),
                )
            )
        )
        .where(_member.family_id == family_id, _member.id == sa.any_(p.about_member_ids))
        .scalar_subquery()
    )
    node = sa.func.json_build_object(
        "id", sa.cast(p.id, sa.Text),
        "kind", p.kind,
        "category", p.category,
        "title", p.title,
        "body", p.body,
        "mayAppearInFamilySummary", p.may_appear_in_family_summary,
        "containsThirdPartyIdentities", p.contains_third_party_identities,
        "version", p.version,
        "createdAt", iso(p.created_at),
        "updatedAt", iso(p.updated_at),
        "owningAgency", sa.func.json_build_object("id", sa.cast(_agency.id, sa.Text), "name", _agency.name),
        "author", sa.func.json_build_object("id", sa.cast(_user.id, sa.Text), "displayName", _user.display_name),
        "about", sa.func.coalesce(about, EMPTY_LIST),
    )  # fmt: skip
    nodes = (
        sa.select(sa.func.json_agg(aggregate_order_by(node, p.position)))
        .select_from(
            page.join(Agency.__table__, _agency.id == p.owning_agency_id).join(
                User.__table__, _user.id == p.author_user_id
            )
        )
        .where(shown)
        .scalar_subquery()
    )
    fetched = sa.select(sa.func.count()).select_from(page).scalar_subquery()
    end_cursor = (
        sa.select(cursor(iso(p.created_at), sa.cast(p.id, sa.Text)))
        .where(shown)
        .order_by(p.position.desc())
        .limit(1)
        .scalar_subquery()
    )
    total = (
        sa.select(sa.func.count())
        .select_from(Contribution.__table__.join(facts, sa.true()))
        .where(*conditions)
        .scalar_subquery()
    )
    contributions = sa.func.json_build_object(
        "nodes", sa.func.coalesce(nodes, EMPTY_LIST),
        "pageInfo", sa.func.json_build_object("hasNextPage", fetched > first, "endCursor", end_cursor),
        "totalCount", total,
    )  # fmt: skip
    data = sa.func.json_build_object(
        "family",
        sa.func.json_build_object("id", sa.cast(facts.c.family_id, sa.Text), "contributions", contributions),
    )
    others = (
        sa.select(
            sa.func.json_agg(
                aggregate_order_by(
                    sa.func.json_build_array(
                        sa.cast(p.id, sa.Text), sa.cast(p.owning_agency_id, sa.Text), p.category, p.basis
                    ),
                    p.position,
                )
            )
        )
        .where(shown, p.owning_agency_id.is_distinct_from(policy.actor.agency_id))
        .scalar_subquery()
    )
    allowed = policy.family_condition(known)
    return sa.select(allowed, sa.cast(data, sa.Text), sa.cast(others, sa.Text), facts.c.override_ids).select_from(facts)


async def family_contributions(context: Context, variables: dict[str, Any]) -> str | None:
    """The answer's `data`, or None for the generic executor (see server/api/compiled.py)."""
    if set(variables) - _ALLOWED or any(variables.get(name) is not None for name in _UNSUPPORTED):
        return None
    family_id, first = _family_id(variables), _page_size(variables)
    if family_id is None or first is None:
        return None
    access, enforcer = context.access, context.enforcer
    values = {**facts_row_parameters(access.actor, family_id, enforcer.closed_read_period), "first": first}
    async with context.read() as session:
        dialect = session.bind.dialect  # type: ignore[union-attr]
        policy = StatementPolicy(enforcer, access.actor)
        row = await prepared((__name__, policy.key, dialect.name), dialect, lambda: statement(policy)).first(
            session, values
        )
    if row is None or not row[0]:
        return None  # no such family, or one the actor may not see: the generic executor refuses it, and logs it
    _allowed, data, others, override_ids = row
    overrides = [entry.split(" ") for entry in override_ids]
    for item_id, owning_agency_id, category, basis in json.loads(others) if others else ():
        shared_by = [o for agency, c, o in overrides if agency == owning_agency_id and c == category]
        access.note_read_decided(family_id, item_id, Kind.contribution, owning_agency_id, category, basis, shared_by)
    return data
