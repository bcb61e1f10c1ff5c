"""rows.read_from_json builds the table models of a meeting's answer as model_validate does: the same values,
types and fields set, from the JSON the content statement returns (server/meeting/reads.py)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from server.agency.models import Agency
from server.db.engine import unit_of_work
from server.db.rows import read_from_json
from server.meeting.models import (
    Attendance,
    MeetingAddendum,
    MeetingChange,
    MeetingDecision,
    MeetingInvitee,
    MinutesItem,
)
from server.meeting.reads import _AUTHOR
from server.plan.models import PlanAction
from server.user.models import User
from tests.auth_helpers import sign_in
from tests.builders_meet import create_meeting_area, create_minutes_item

MODELS = [MinutesItem, MeetingDecision, MeetingAddendum, MeetingInvitee, MeetingChange, PlanAction, Agency, User]


def _same(model, data: dict) -> None:
    fast, validated = read_from_json(model, data), model.model_validate(data)
    assert type(fast) is model
    assert fast.__pydantic_fields_set__ == validated.__pydantic_fields_set__
    assert set(fast.__dict__) == set(validated.__dict__)
    # the values given, as validated; the others are the model's defaults (a default factory's "now" moves on)
    assert fast.model_dump(include=set(data)) == validated.model_dump(include=set(data)), model
    assert sa.inspect(fast).transient and not sa.inspect(fast).modified


async def test_models_read_from_json_equal_model_validate(gql, sessions):
    # given a meeting with an invitee, a minutes item and a decision, its people and agencies
    m = await create_meeting_area(sessions)
    await create_minutes_item(sessions, meeting=m.meeting, agency=m.health, category="health")
    async with unit_of_work(sessions) as session:
        session.add(MeetingInvitee(meeting_id=m.meeting.id, user_id=m.health_visitor.id, attendance=Attendance.present))
    decision = {"meetingId": str(m.meeting.id), "text": "Keep the plan"}
    await gql.data("MeetingDecisionAdd", {"input": decision}, token=await sign_in(gql, m.area.lead))
    seen = set()
    async with sessions() as session:
        for model in MODELS:
            table = model.__table__
            # when each row is read as the content statement reads it (a part, its agency; an author's columns)
            rows = (await session.exec(sa.select(sa.func.to_json(table.table_valued())))).all()
            for (part,) in rows:
                _same(model, json.loads(part) if isinstance(part, str) else part)
                seen.add(model)
            if model is User:
                author = sa.func.json_build_object(*(x for name in _AUTHOR for x in (name, table.c[name])))
                for (part,) in (await session.exec(sa.select(author))).all():
                    _same(User, json.loads(part) if isinstance(part, str) else part)
    # then every model was compared on real rows
    assert {MinutesItem, MeetingDecision, MeetingInvitee, Agency, User} <= seen
