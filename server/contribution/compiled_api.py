"""FamilyContributions (graphql/operations/contribution.graphql) and FamilyContributionsPage
(graphql/operations/family_contributions_page.graphql) compiled to one SQL statement each.

The web front end's family page lists a family's items with FamilyContributions (web/js/family/contributions.js,
100 at a time); FamilyContributionsPage is the family's header and its latest items with agency and author
names, in one request (`make bench`'s contributions_page). This answers the first page of the unfiltered list
(familyId and first only); a cursor or a filter goes to the generic executor. Each statement returns the `data`
member of the answer as JSON, field for field as its document selects, formatted as Strawberry formats it:
times as Python's isoformat, cursors as server/pagination.py encodes them.

A statement's text is the same for every request of a role, built and compiled once (server/db/prepared.py):
the family's facts are read in it (facts.facts_row), the policy is the SQL form of the rules over them
(access.pep.StatementPolicy), and it returns with the rows the rule that allowed each other agency's item,
for the audit; the family, the page size and the actor are its parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from server import pagination
from server.access.facts import facts_row, facts_row_parameters
from server.access.kinds import Kind
from server.access.pep import StatementPolicy
from server.access.rules import facts_columns
from server.agency.models import Agency
from server.api import compiled_parts as parts
from server.api.context import Context
from server.api.json_sql import EMPTY_LIST, cursor, iso
from server.contribution.models import Contribution
from server.contribution.service import content_columns
from server.db.prepared import prepared
from server.family.models import Family, FamilyMember
from server.user.models import User

_c = Contribution.__table__.c
_agency = Agency.__table__.c
_user = User.__table__.c
_member = FamilyMember.__table__.c
_family = Family.__table__.c


@dataclass(frozen=True)
class Selection:
    """What one operation selects: the variables it may be sent (and those the compiled read leaves to the
    generic executor when set), its page size's default, each item's fields, and around the page."""

    name: str
    allowed: frozenset[str]
    unsupported: tuple[str, ...]
    default_first: int
    node: Callable[[Any, Any], tuple]  # the page's columns, the family's id -> the item's (name, value) pairs
    page_info: bool  # pageInfo { hasNextPage endCursor }
    header: tuple  # the family's (name, value) pairs besides its id


def _full_node(p: Any, family_id: Any) -> tuple:
    """ContributionFields (contribution.graphql)."""
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
    return (
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


def _page_node(p: Any, _family_id: Any) -> tuple:
    """The items of FamilyContributionsPage."""
    return (
        "id", sa.cast(p.id, sa.Text),
        "kind", p.kind,
        "category", p.category,
        "title", p.title,
        "body", p.body,
        "createdAt", iso(p.created_at),
        "owningAgency", sa.func.json_build_object("name", _agency.name),
        "author", sa.func.json_build_object("displayName", _user.display_name),
    )  # fmt: skip


_HEADER = (
    "reference", _family.reference,
    "displayName", _family.display_name,
    "status", _family.status,
    "levelOfNeed", _family.level_of_need,
    "openedAt", iso(_family.opened_at),
)  # fmt: skip
CONTRIBUTIONS = Selection(
    name="FamilyContributions",
    allowed=frozenset({"familyId", "first", "after", "category", "kind", "search"}),
    unsupported=("after", "category", "kind", "search"),
    default_first=50,
    node=_full_node,
    page_info=True,
    header=(),
)
PAGE = Selection(
    name="FamilyContributionsPage",
    allowed=frozenset({"familyId", "first"}),
    unsupported=(),
    default_first=100,
    node=_page_node,
    page_info=False,
    header=_HEADER,
)


def _page_size(variables: dict[str, Any], default: int) -> int | None:
    first = variables.get("first", default)
    if type(first) is not int or not 1 <= first <= pagination.MAX_PAGE:
        return None
    return first


def statement(policy: StatementPolicy, selection: Selection = CONTRIBUTIONS) -> sa.Select:
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
    # The items the actor may see, each with the rule that allowed it, worked out once for the count and the
    # page (a CTE read twice is materialized): sorted as it is, the page carries no more than its own columns,
    # where a sort of the items joined to the facts row would carry the row's arrays too.
    visible = (
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
        )
        .select_from(Contribution.__table__.join(facts, sa.true()))
        .where(*conditions)
        .cte("visible")
    )
    v = visible.c
    order = (v.created_at.desc(), v.id.desc())
    page = (
        sa.select(*v, sa.func.row_number().over(order_by=order).label("position"))
        .order_by(*order)
        .limit(first + 1)  # the extra row only says there is a next page (pagination.Page.of)
        .cte("page")
    )
    p = page.c
    shown = p.position <= first
    nodes = (
        sa.select(parts.listed(sa.func.json_build_object(*selection.node(p, family_id)), p.position))
        .select_from(
            page.join(Agency.__table__, _agency.id == p.owning_agency_id).join(
                User.__table__, _user.id == p.author_user_id
            )
        )
        .where(shown)
        .scalar_subquery()
    )
    total = sa.select(sa.func.count()).select_from(visible).scalar_subquery()
    connection: tuple = ("totalCount", total, "nodes", sa.func.coalesce(nodes, EMPTY_LIST))
    if selection.page_info:
        fetched = sa.select(sa.func.count()).select_from(page).scalar_subquery()
        end_cursor = (
            sa.select(cursor(iso(p.created_at), sa.cast(p.id, sa.Text)))
            .where(shown)
            .order_by(p.position.desc())
            .limit(1)
            .scalar_subquery()
        )
        page_info = sa.func.json_build_object("hasNextPage", fetched > first, "endCursor", end_cursor)
        connection = (*connection, "pageInfo", page_info)
    record = sa.func.json_build_object(
        "id", sa.cast(facts.c.family_id, sa.Text),
        *selection.header,
        "contributions", sa.func.json_build_object(*connection),
    )  # fmt: skip
    data = sa.func.json_build_object("family", record)
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
    found = facts.join(Family.__table__, _family.id == facts.c.family_id) if selection.header else facts
    return sa.select(allowed, sa.cast(data, sa.Text), sa.cast(others, sa.Text), facts.c.override_ids).select_from(found)


async def _read(context: Context, variables: dict[str, Any], selection: Selection) -> str | None:
    """The answer's `data` for `selection`, or None for the generic executor (see server/api/compiled.py)."""
    if any(variables.get(name) is not None for name in selection.unsupported):
        return None
    family_id = parts.family_id(variables, "familyId", others=selection.allowed)
    first = _page_size(variables, selection.default_first)
    if family_id is None or first is None:
        return None
    access, enforcer, engine = context.access, context.enforcer, context.engine
    if engine is None:
        return None
    values = {**facts_row_parameters(access.actor, family_id, enforcer.closed_read_period), "first": first}
    policy = StatementPolicy(enforcer, access.actor)
    key = (__name__, selection.name, policy.key, engine.dialect.name)
    row = await prepared(key, engine.dialect, lambda: statement(policy, selection)).first_alone(engine, values)
    if row is None or not row[0]:
        return None  # no such family, or one the actor may not see: the generic executor refuses it, and logs it
    _allowed, data, others, override_ids = row
    _note_reads(context, family_id, others, override_ids)
    return data


def _note_reads(context: Context, family_id: uuid.UUID, others: str | None, override_ids: list[str]) -> None:
    """The audit's entries for the other agencies' items the page shows, as note_read writes them."""
    shown = orjson.loads(others) if others else ()
    context.access.note_reads_decided(family_id, Kind.contribution, shown, override_ids)


async def family_contributions(context: Context, variables: dict[str, Any]) -> str | None:
    """FamilyContributions' `data`, or None for the generic executor (see server/api/compiled.py)."""
    return await _read(context, variables, CONTRIBUTIONS)


async def family_contributions_page(context: Context, variables: dict[str, Any]) -> str | None:
    """FamilyContributionsPage's `data`, or None for the generic executor (see server/api/compiled.py)."""
    return await _read(context, variables, PAGE)
