"""Caseload (graphql/operations/family.graphql) compiled to one SQL statement.

The web front end's home page lists the caller's families with it. The families listed and counted are
service.caseload_conditions (the SQL form of the policy, with the filters), the attention counts are
attention.counts: the same expressions as the generic path, so no second copy of a rule. The search
budget is spent as the generic resolver spends it. Anything the variables do not say plainly (a bad
cursor, an unknown status, a null where the document wants a value) goes to the generic executor.

The statement is built and compiled once for each shape of the variables (which filters are given) and each
role (server/db/prepared.py): the actor's ids (access.pep.StatementPolicy), the filters' values, the page size and
the time are its parameters.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import col

from server import pagination
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import StatementPolicy
from server.agency.models import Agency
from server.api.context import Context
from server.api.json_sql import EMPTY_LIST, cursor, iso
from server.clock import utcnow
from server.config import Settings
from server.db.prepared import prepared
from server.errors import BadUserInput
from server.family import attention
from server.family.models import Family, FamilyStatus, LevelOfNeed
from server.family.service import caseload_conditions
from server.meeting import schedule
from server.team.models import TeamMembership, TeamRole
from server.user.models import User

DEFAULT_FIRST = 20  # the document's default for $first
_ALLOWED = {"first", "after", "status", "levelOfNeed", "overdueActions", "openEscalations"}

_family = Family.__table__.c
_family_table = Family.__table__.alias("scheduled")
_lead = TeamMembership.__table__.alias("lead")
_worker = User.__table__.alias("worker")
_agency = Agency.__table__.alias("lead_agency")


def _gate(variables: dict[str, Any]) -> dict[str, Any] | None:
    """The arguments, when the variables say them plainly; None for the generic executor."""
    if set(variables) - _ALLOWED:
        return None
    first = variables.get("first", DEFAULT_FIRST)
    flags = {name: variables.get(name, False) for name in ("overdueActions", "openEscalations")}
    if type(first) is not int or not 1 <= first <= pagination.MAX_PAGE:
        return None
    if any(type(flag) is not bool for flag in flags.values()):
        return None
    try:
        status = _enum(FamilyStatus, variables.get("status"))
        level = _enum(LevelOfNeed, variables.get("levelOfNeed"))
        after = variables.get("after")
        reference = pagination.decode(after, str)[0] if isinstance(after, str) else None
    except (ValueError, BadUserInput):
        return None
    if after is not None and reference is None:
        return None
    return {"first": first, "status": status, "level": level, "after": reference, **flags}


def _enum(kind: type, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    return kind(value)


def _shape(arguments: dict[str, Any]) -> tuple[Any, ...]:
    """What the statement's text depends on among the arguments: which filters are given, and the page size.
    The page size is written into the text so that the plan PostgreSQL keeps for it (a generic plan, planned
    once) knows how many rows the page takes: with the size a parameter, it guessed, costed the generic plan
    above planning each run anew, and planned every request (about a third of the statement's time)."""
    return (
        arguments["status"] is not None,
        arguments["level"] is not None,
        arguments["overdueActions"],
        arguments["openEscalations"],
        arguments["after"] is not None,
        arguments["first"],
    )


def _parameters(arguments: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    return {
        "status": arguments["status"].value if arguments["status"] is not None else None,
        "level": arguments["level"].value if arguments["level"] is not None else None,
        "after": arguments["after"],
        "now": now,
        "today": now.date(),
    }


def statement(policy: StatementPolicy, settings: Settings, shape: tuple[Any, ...]) -> sa.Select:
    """The `data` of the answer as JSON text. Parameters: :status, :level, :after (those `shape` says are
    given), :now and :today (UTC), and the actor's (StatementPolicy); the page size is `shape`'s last."""
    status, level, overdue_actions, open_escalations, after, page_size = shape
    access = policy.access()
    first = sa.literal(page_size, sa.Integer())
    today = sa.bindparam("today", type_=sa.Date())
    conditions = caseload_conditions(
        access,
        status=None,
        level_of_need=None,
        overdue_actions=overdue_actions,
        open_escalations=open_escalations,
        on=today,
    )
    if status:  # caseload_conditions' filters, with the value as a parameter
        conditions.append(_family.status == sa.bindparam("status", type_=sa.String()))
    if level:
        conditions.append(_family.level_of_need == sa.bindparam("level", type_=sa.String()))
    total = sa.select(sa.func.count()).select_from(Family.__table__).where(*conditions).scalar_subquery()
    if after:
        conditions = [*conditions, col(Family.reference) > sa.bindparam("after", type_=sa.String())]
    page = (
        sa.select(
            _family.id,
            _family.reference,
            _family.display_name,
            _family.status,
            _family.level_of_need,
            _family.opened_at,
            sa.func.row_number().over(order_by=_family.reference).label("position"),
        )
        .where(*conditions)
        .order_by(_family.reference)
        .limit(first + 1)  # the extra row only says there is a next page
        .cte("page")
    )
    p = page.c
    shown = p.position <= first
    overdue, escalations, urgent = attention.counts(access, p.id, on=today)
    now = sa.bindparam("now", type_=sa.DateTime(timezone=True))
    next_at, due_by, missing, late = schedule.schedule_columns(_family_table, settings, now)
    review = sa.case(
        (
            access.family_filter(p.id, Act.read, Kind.meeting),
            sa.select(
                sa.func.json_build_object(
                    "nextReviewAt", sa.case((next_at.is_(None), sa.null()), else_=iso(next_at)),
                    "dueBy", sa.func.to_char(due_by, "YYYY-MM-DD"),
                    "missing", missing,
                    "late", late,
                )
            ).where(_family_table.c.id == p.id).scalar_subquery(),
        ),
        else_=sa.null(),
    )  # fmt: skip
    lead = sa.case(
        (_lead.c.id.is_(None), sa.null()),
        else_=sa.func.json_build_object(
            "worker", sa.func.json_build_object("displayName", _worker.c.display_name),
            "agency", sa.func.json_build_object("name", _agency.c.name),
        ),
    )  # fmt: skip
    node = sa.func.json_build_object(
        "id", sa.cast(p.id, sa.Text),
        "reference", p.reference,
        "displayName", p.display_name,
        "status", p.status,
        "levelOfNeed", p.level_of_need,
        "openedAt", iso(p.opened_at),
        "overdueActionCount", overdue,
        "openEscalationCount", escalations,
        "urgentEscalationCount", urgent,
        "reviewSchedule", review,
        "leadProfessional", lead,
    )  # fmt: skip
    # team.loaders.lead_by_family_id: the active lead (rules.active_membership: not ended), on an alias so that
    # the policy's subqueries on team_membership stay their own
    lead_of_page = sa.and_(
        _lead.c.family_id == p.id, _lead.c.valid_to.is_(None), _lead.c.role == TeamRole.lead_professional.value
    )
    joined = (
        page.outerjoin(_lead, lead_of_page)
        .outerjoin(_worker, _worker.c.id == _lead.c.user_id)
        .outerjoin(_agency, _agency.c.id == _lead.c.agency_id)
    )
    nodes = (
        sa.select(sa.func.json_agg(aggregate_order_by(node, p.position)))
        .select_from(joined)
        .where(shown)
        .scalar_subquery()
    )
    fetched = sa.select(sa.func.count()).select_from(page).scalar_subquery()
    end_cursor = sa.select(cursor(p.reference)).where(shown).order_by(p.position.desc()).limit(1).scalar_subquery()
    families = sa.func.json_build_object(
        "totalCount", total,
        "pageInfo", sa.func.json_build_object("hasNextPage", fetched > first, "endCursor", end_cursor),
        "nodes", sa.func.coalesce(nodes, EMPTY_LIST),
    )  # fmt: skip
    return sa.select(sa.cast(sa.func.json_build_object("families", families), sa.Text))


async def caseload(context: Context, variables: dict[str, Any]) -> str | None:
    """The answer's `data`, or None for the generic executor (see server/api/compiled.py)."""
    arguments = _gate(variables)
    if arguments is None:
        return None
    engine = context.engine
    if engine is None:
        return None
    await context.spend("search")
    actor, settings, shape = context.access.actor, context.settings, _shape(arguments)
    policy = StatementPolicy(context.enforcer, actor)
    values = {**_parameters(arguments), **policy.parameters(actor)}
    key = (__name__, policy.key, shape, settings.review_max_weeks, engine.dialect.name)
    # Its constants in its text (server/db/prepared.py `_inline`): PostgreSQL then keeps one plan for it (a
    # generic plan, which can use the lead's partial index) instead of planning every request.
    read = prepared(key, engine.dialect, lambda: statement(policy, settings, shape), inline=True)
    row = await read.first_alone(engine, values)
    return row[0]
