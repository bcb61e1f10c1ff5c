"""An escalation raised through the API reaches the lead professional live, with its reason only for
those who may read the raising agency's information in its category."""

from __future__ import annotations

from tests import ws_client
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent


async def test_a_raised_escalation_reaches_the_lead_live(gql, sessions, live_server):
    # given the school on the team, and consent for the lead's agency to see education information
    area = await create_area(sessions)
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["education"], agencies=[area.early_help]
    )
    async with ws_client.following(live_server, await sign_in(gql, area.lead), after="0") as ws:
        # when the school raises an urgent escalation
        await gql.data(
            "EscalationRaise",
            {
                "input": {
                    "familyId": str(area.family.id),
                    "level": "urgent",
                    "category": "education",
                    "reason": "Jayden disclosed he was hit at home last night.",
                }
            },
            token=await sign_in(gql, area.colleague),
        )
        notices = await ws_client.notifications(ws, 1)
    # then the lead is told at once, with the reason
    [notice] = [n for n in notices if n["familyId"] == str(area.family.id)]
    assert notice["kind"] == "escalation_raised"
    assert notice["reason"] == "Jayden disclosed he was hit at home last night."
    assert (notice["contentVisible"], notice["category"]) == (True, "education")
    assert "reason" not in notice["payload"]
