"""A manager marks one of their own agency's practitioners away (a lead off sick cannot do it themselves), and
cancels it; the deputy lead then covers. Anyone else's time away answers as a missing one."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.clock import today
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code

TODAY = today()


def away_for(user, starts, ends) -> dict:
    return {"input": {"startsOn": starts.isoformat(), "endsOn": ends.isoformat(), "userId": str(user.id)}}


async def test_a_manager_marks_their_lead_away_and_the_deputy_covers(gql, sessions):
    area = await create_area(sessions)
    lead, manager = await sign_in(gql, area.lead), await sign_in(gql, area.manager)
    deputy = {
        "input": {"familyId": str(area.family.id), "userId": str(area.colleague.id), "expectedDeputyUserId": None}
    }
    await gql.data("DeputyLeadSet", deputy, token=manager)
    # when the lead's manager marks the lead away from today
    made = (await gql.data("TimeAwayRecord", away_for(area.lead, TODAY, TODAY + timedelta(days=4)), token=manager))[
        "timeAwayRecord"
    ]
    # then the lead's own list shows it, the manager sees it, and the deputy covers
    assert [t["id"] for t in (await gql.data("MyTimeAway", token=lead))["myTimeAway"]] == [made["id"]]
    seen = (await gql.data("TimeAwayOf", {"userId": str(area.lead.id)}, token=manager))["timeAwayOf"]
    assert [t["id"] for t in seen] == [made["id"]] and seen[0]["current"] is True
    cover = (await gql.data("FamilyCover", {"familyId": str(area.family.id)}, token=lead))["family"]["cover"]
    assert cover["deputyCovering"] is True
    # and the manager's overlapping entry is refused with nothing saved; a stale cancel conflicts
    error = await gql.error("TimeAwayRecord", away_for(area.lead, TODAY + timedelta(days=1), TODAY), token=manager)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "endsOn")
    error = await gql.error("TimeAwayRecord", away_for(area.lead, TODAY, TODAY), token=manager)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "startsOn")
    stale = {"input": {"timeAwayId": made["id"], "expectedVersion": 7}}
    assert code(await gql.error("TimeAwayCancel", stale, token=manager)) == "CONFLICT"
    # when the manager clears it, the deputy no longer covers
    cancel = {"input": {"timeAwayId": made["id"], "expectedVersion": made["version"]}}
    await gql.data("TimeAwayCancel", cancel, token=manager)
    cover = (await gql.data("FamilyCover", {"familyId": str(area.family.id)}, token=lead))["family"]["cover"]
    assert cover["deputyCovering"] is False
    assert (await gql.data("MyTimeAway", token=lead))["myTimeAway"] == []


async def test_only_a_manager_of_the_workers_agency_marks_them_away(gql, sessions):
    area = await create_area(sessions)
    manager = await sign_in(gql, area.manager)
    made = (await gql.data("TimeAwayRecord", away_for(area.lead, TODAY, TODAY), token=manager))["timeAwayRecord"]
    cancel = {"input": {"timeAwayId": made["id"], "expectedVersion": made["version"]}}
    # another agency's manager, a colleague, the IG officer and the administrator find no such worker or period
    for user in (area.other_manager, area.colleague, area.ig, area.admin):
        token = await sign_in(gql, user)
        for name, variables in (
            ("TimeAwayRecord", away_for(area.lead, TODAY, TODAY)),
            ("TimeAwayOf", {"userId": str(area.lead.id)}),
            ("TimeAwayCancel", cancel),
        ):
            assert code(await gql.error(name, variables, token=token)) in {"NOT_FOUND", "FORBIDDEN"}, (user, name)
    # a manager cannot mark another manager, nor a worker of another agency, nor a forged id: not found
    for user_id in (area.other_manager.id, area.colleague.id, uuid.uuid4()):
        variables = {"input": {"startsOn": TODAY.isoformat(), "endsOn": TODAY.isoformat(), "userId": str(user_id)}}
        assert code(await gql.error("TimeAwayRecord", variables, token=manager)) == "NOT_FOUND"
    # and the period is still there, uncancelled
    lead = await sign_in(gql, area.lead)
    assert [t["id"] for t in (await gql.data("MyTimeAway", token=lead))["myTimeAway"]] == [made["id"]]
