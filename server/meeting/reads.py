"""Reading what meetings record (minutes items, decisions, addenda): only the parts the caller may read.

Lists are filtered in SQL by the same rules that decide a lookup by id (their SQL form over the family's facts
row, StatementPolicy), so a list never holds a part a lookup refuses, and nothing counts the parts left out. A
lookup of a part the caller may not read answers exactly as one of an id that does not exist. Each part comes
with its agency and author from the same statement: loading them later, beside the meeting's other people and
agencies, would batch differently from one request to the next.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSON
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.categories import InformationCategory
from server.access.facts import facts_row
from server.access.kinds import Kind
from server.access.pep import AccessControl, StatementPolicy
from server.access.rules import facts_columns
from server.agency.models import Agency
from server.db.prepared import prepared
from server.db.rows import read_from_json
from server.errors import NotFound
from server.meeting.content import KINDS, Content, columns, facts
from server.meeting.models import (
    Meeting,
    MeetingAddendum,
    MeetingChange,
    MeetingDecision,
    MeetingInvitee,
    MinutesItem,
)
from server.plan.content import action_columns
from server.plan.models import PlanAction
from server.plan.service import SeenAction
from server.user.models import User

T = TypeVar("T", MinutesItem, MeetingDecision, MeetingAddendum)

NOT_FOUND = {
    MinutesItem: "No minutes item with that id, or you may not see it.",
    MeetingDecision: "No meeting decision with that id, or you may not see it.",
    MeetingAddendum: "No addendum with that id, or you may not see it.",
}


@dataclass(frozen=True)
class Recorded(Generic[T]):
    row: T
    agency: Agency  # whose information it is
    author: User  # who recorded it


def _select(model: type[Content]) -> sa.Select:
    author = model.recorded_by_user_id if model is MeetingDecision else model.author_user_id  # type: ignore[union-attr]
    return (
        select(model, Agency, User, Meeting.family_id)
        .join(Meeting, col(Meeting.id) == model.meeting_id)
        .join(Agency, col(Agency.id) == model.owning_agency_id)
        .join(User, col(User.id) == author)
    )


@dataclass(frozen=True)
class MeetingContent:
    """What a meeting records that the caller may read, each part in order, and who was invited and how it
    moved (no case content: read with the meeting)."""

    minutes: list[Recorded[MinutesItem]] = field(default_factory=list)
    decisions: list[Recorded[MeetingDecision]] = field(default_factory=list)
    addenda: list[Recorded[MeetingAddendum]] = field(default_factory=list)
    invitees: list[MeetingInvitee] = field(default_factory=list)
    changes: list[MeetingChange] = field(default_factory=list)
    actions: list[SeenAction] = field(default_factory=list)  # agreed at the meeting, oldest first


async def contents_of_meetings(
    engine: AsyncEngine, access: AccessControl, meetings: list[tuple[uuid.UUID, uuid.UUID]]
) -> list[MeetingContent]:
    """For each (meeting id, family id), its minutes items, decisions and addenda the caller may read, in order,
    with its invitees and changes, and the actions agreed at it (each with whether the caller may read its
    description, decided by the same rules in SQL): one statement per family (a meeting's answer, or a family's
    meetings, is one), its text the same for every request of the caller's role, prepared once. The family's
    facts are read in it (facts.facts_row) and the rules applied to them in SQL (StatementPolicy), with the rule
    that allowed each part for the audit. Each statement is sent alone (one snapshot), as a compiled read is
    (server/db/prepared.py `all_alone`: on the app's read connections, no session)."""
    by_family: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for meeting_id, family_id in meetings:
        by_family[family_id].append(meeting_id)
    policy = access.statement_policy()
    dialect = engine.dialect
    found: dict[uuid.UUID, MeetingContent] = defaultdict(MeetingContent)
    for family_id, meeting_ids in by_family.items():
        one = len(meeting_ids) == 1
        key = (__name__, policy.key, dialect.name, one)
        statement = prepared(key, dialect, lambda one=one: _contents_statement(policy, one=one))
        meetings_given = {"meeting_id": meeting_ids[0]} if one else {"meeting_ids": meeting_ids}
        values = {**policy.facts_parameters(access.actor, family_id), **meetings_given}
        for row in await statement.all_alone(engine, values):
            if row.kind == _INVITEE:
                invitee = read_from_json(MeetingInvitee, _json(row.part))
                found[invitee.meeting_id].invitees.append(invitee)
                continue
            if row.kind == _CHANGE:
                change = read_from_json(MeetingChange, _json(row.part))
                found[change.meeting_id].changes.append(change)
                continue
            if row.kind == _ACTION:
                action = read_from_json(PlanAction, _json(row.part))
                if row.visible:
                    _note_read(access, family_id, Kind.plan_action, action, row.basis, row.override_ids)
                found[action.meeting_id].actions.append(SeenAction(action, bool(row.visible)))  # type: ignore[index]
                continue
            recorded = _recorded(row)
            kind = KINDS[type(recorded.row)]
            _note_read(access, family_id, kind, recorded.row, row.basis, row.override_ids)
            content = found[recorded.row.meeting_id]
            parts = {Kind.minutes_item: content.minutes, Kind.meeting_decision: content.decisions}
            parts.get(kind, content.addenda).append(recorded)  # type: ignore[attr-defined]
    return [found[meeting_id] for meeting_id, _ in meetings]


def _contents_statement(policy: StatementPolicy, *, one: bool) -> sa.Select:
    """The parts of the meetings :meeting_ids (with `one`, the meeting :meeting_id) of the family :family_id that
    the policy lets the caller read, as one UNION ALL of (kind, order, the part, its agency and its author as
    JSON, the rule that allowed it, the facts row's override ids, whether it may be read), in order; then the
    meetings' invitees and changes (no agency, author or rule), and the actions agreed at them, each with whether
    the caller may read it. One meeting is a scalar and the family is its facts row's: estimated alike with or
    without their values, so that PostgreSQL keeps one generic plan (bench/README.md, "Plans kept")."""
    facts = facts_row()
    known = facts_columns(facts)
    meeting_ids = (
        sa.bindparam("meeting_id", type_=sa.Uuid())
        if one
        else sa.any_(sa.bindparam("meeting_ids", type_=ARRAY(sa.Uuid())))
    )
    family_id = facts.c.family_id
    meetings = Meeting.__table__  # type: ignore[attr-defined]
    branches = []
    for label, model in ((_INVITEE, MeetingInvitee), (_CHANGE, MeetingChange)):
        table = model.__table__  # type: ignore[attr-defined]
        nothing = sa.null().cast(JSON)
        branches.append(
            sa.select(
                sa.literal(label, sa.Text).label("kind"),
                sa.literal(0, sa.Integer).label("position"),
                (table.c.created_at if model is MeetingChange else sa.null())
                .cast(sa.DateTime(timezone=True))
                .label("created_at"),
                table.c.id.label("id"),
                sa.func.to_json(table.table_valued()).label("part"),
                nothing.label("agency"),
                nothing.label("author"),
                sa.null().cast(sa.Text).label("basis"),
                facts.c.override_ids.label("override_ids"),
                sa.null().cast(sa.Boolean).label("visible"),
            )
            .select_from(table.join(meetings, meetings.c.id == table.c.meeting_id).join(facts, sa.true()))
            .where(table.c.meeting_id == meeting_ids, meetings.c.family_id == family_id)
        )
    actions, action_content = PlanAction.__table__, action_columns()  # type: ignore[attr-defined]
    branches.append(
        sa.select(
            sa.literal(_ACTION, sa.Text).label("kind"),
            sa.literal(0, sa.Integer).label("position"),
            actions.c.created_at.label("created_at"),
            actions.c.id.label("id"),
            sa.func.to_json(actions.table_valued()).label("part"),
            sa.null().cast(JSON).label("agency"),
            sa.null().cast(JSON).label("author"),
            sa.cast(policy.item_basis(known, action_content, kind=Kind.plan_action), sa.Text).label("basis"),
            facts.c.override_ids.label("override_ids"),
            sa.cast(policy.item_condition(known, action_content, kind=Kind.plan_action), sa.Boolean).label("visible"),
        )
        .select_from(actions.join(meetings, meetings.c.id == actions.c.meeting_id).join(facts, sa.true()))
        .where(actions.c.meeting_id == meeting_ids, meetings.c.family_id == family_id)
    )
    for model, kind in KINDS.items():
        table = model.__table__  # type: ignore[attr-defined]
        author = table.c.recorded_by_user_id if model is MeetingDecision else table.c.author_user_id
        users = User.__table__.alias("author")  # type: ignore[attr-defined]
        agencies = Agency.__table__  # type: ignore[attr-defined]
        position = table.c.position if model is MinutesItem else sa.literal(0, sa.Integer)
        content = columns(model)
        branches.append(
            sa.select(
                sa.literal(kind.value, sa.Text).label("kind"),
                position.label("position"),
                table.c.created_at.label("created_at"),
                table.c.id.label("id"),
                sa.func.to_json(table.table_valued()).label("part"),
                sa.func.to_json(agencies.table_valued()).label("agency"),
                sa.func.json_build_object(*(x for name in _AUTHOR for x in (name, users.c[name]))).label("author"),
                sa.cast(policy.item_basis(known, content, kind=kind), sa.Text).label("basis"),
                facts.c.override_ids.label("override_ids"),
                sa.true().label("visible"),
            )
            .select_from(
                table.join(meetings, meetings.c.id == table.c.meeting_id)
                .join(agencies, agencies.c.id == table.c.owning_agency_id)
                .join(users, users.c.id == author)
                .join(facts, sa.true())
            )
            .where(
                table.c.meeting_id == meeting_ids,
                meetings.c.family_id == family_id,
                policy.item_condition(known, content, kind=kind),
            )
        )
    union = sa.union_all(*branches).subquery("parts")
    c = union.c
    return sa.select(union).order_by(c.kind, c.position, c.created_at, c.id)


_INVITEE, _CHANGE = "invitee", "change"  # the rows of _contents_statement that are not case content
_ACTION = "action"  # the plan's actions agreed at the meetings

# What a part's author is read as (User, without what an answer never shows).
_AUTHOR = ("id", "email", "display_name", "kind", "role", "agency_id", "family_member_id", "is_active")

_MODELS: dict[str, type[Content]] = {kind.value: model for model, kind in KINDS.items()}


def _recorded(row: Any) -> Recorded:
    model = _MODELS[row.kind]
    return Recorded(
        read_from_json(model, _json(row.part)),
        read_from_json(Agency, _json(row.agency)),
        read_from_json(User, _json(row.author)),
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _note_read(
    access: AccessControl,
    family_id: uuid.UUID,
    kind: Kind,
    part: Content | PlanAction,
    basis: str | None,
    overrides: Any,
) -> None:
    """A read of another agency's part, with the rule that allowed it and the overrides in force that shared it
    (the facts row's `override_ids`, "agency category override"), as `note_read` records one."""
    owner = str(part.owning_agency_id)
    if part.owning_agency_id == access.actor.agency_id:
        return
    category = InformationCategory(part.category).value
    access.note_reads_decided(family_id, kind, [(str(part.id), owner, category, basis)], overrides)


async def get(session: AsyncSession, access: AccessControl, model: type[T], row_id: uuid.UUID) -> Recorded[T]:
    """NOT_FOUND, with one message for a missing part and for one the caller may not read."""
    kind = KINDS[model]
    found = (await session.exec(_select(model).where(col(model.id) == row_id))).first()
    family_id = found[3] if found else None
    readable = await access.can_read_found(session, kind, family_id, facts(found[0]) if found else None)
    if found is None or not readable:
        access.note_denial(f"{kind.value}_read", family_id, {"id": str(row_id)})
        raise NotFound(NOT_FOUND[model])
    row, agency, author, family_id = found
    access.note_read(family_id, row.id, kind, facts(row))
    return Recorded(row, agency, author)
