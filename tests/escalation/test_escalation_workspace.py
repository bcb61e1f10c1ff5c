"""What makes an escalation hard to miss and possible to act on: its notifications name the family (for
those who may see it) and who raised it; acknowledging it marks the lead's notifications of it read; the
caseload counts the urgent ones; and a worker is told, before raising one, when the lead may not read the
reason, while the lead sees how to reach the worker."""

from __future__ import annotations

import uuid

from notifications.events import OverrideUsed
from server.escalation.models import EscalationLevel
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent
from tests.builders_content import notify
from tests.builders_notify import create_escalation, raised


async def unread_ids(gql, token: str) -> set[str]:
    inbox = (await gql.data("Inbox", {"first": 100, "unreadOnly": True}, token=token))["inbox"]
    return {node["id"] for node in inbox["nodes"]}


async def test_acknowledging_an_escalation_marks_the_leads_notifications_of_it_read(gql, sessions):
    # given an urgent escalation the lead and a colleague were told of, and an older one still open
    area = await create_area(sessions)
    escalation = await create_escalation(sessions, family=area.family, raised_by=area.colleague, reason="Worry")
    other = await create_escalation(sessions, family=area.family, raised_by=area.colleague, reason="Another")
    await notify(sessions, raised(escalation), [area.lead, area.manager])
    await notify(sessions, raised(other), [area.lead])
    lead = await sign_in(gql, area.lead)
    before = (await gql.data("Inbox", {"first": 100, "unreadOnly": True}, token=lead))["inbox"]["nodes"]
    about_it = {node["id"] for node in before if node["payload"]["escalation_id"] == str(escalation.id)}
    assert about_it
    # when the lead acknowledges it
    await gql.data("EscalationAcknowledge", {"input": {"escalationId": str(escalation.id)}}, token=lead)
    # then their notifications of it are read, those of the other escalation are not, nor is the manager's
    left = await unread_ids(gql, lead)
    assert not about_it & left
    assert len(left) == len(before) - len(about_it)
    assert len(await unread_ids(gql, await sign_in(gql, area.manager))) == 1


async def test_resolving_an_unacknowledged_escalation_marks_its_notifications_read(gql, sessions):
    area = await create_area(sessions)
    escalation = await create_escalation(sessions, family=area.family, raised_by=area.colleague, reason="Worry")
    await notify(sessions, raised(escalation), [area.lead])
    lead = await sign_in(gql, area.lead)
    assert len(await unread_ids(gql, lead)) == 1
    variables = {"input": {"escalationId": str(escalation.id), "outcome": "managed_within_plan"}}
    await gql.data("EscalationResolve", variables, token=lead)
    assert await unread_ids(gql, lead) == set()


async def test_an_escalations_notification_names_its_family_and_who_raised_it(gql, sessions):
    # given the lead told of an escalation raised by the school
    area = await create_area(sessions)
    escalation = await create_escalation(sessions, family=area.family, raised_by=area.colleague, reason="Worry")
    await notify(sessions, raised(escalation), [area.lead])
    # when the lead reads their inbox
    (node,) = (await gql.data("Inbox", {"first": 5}, token=await sign_in(gql, area.lead)))["inbox"]["nodes"]
    # then it names the family and the person who raised it, with their agency
    assert node["family"] == {
        "id": str(area.family.id),
        "reference": area.family.reference,
        "displayName": area.family.display_name,
    }
    assert node["raisedBy"]["displayName"] == area.colleague.display_name
    assert node["raisedBy"]["agency"]["name"] == area.school.name


async def test_a_notification_names_the_family_only_to_those_who_may_see_it(gql, sessions):
    # given an information-governance officer told that an override was used on a family they may not read
    area = await create_area(sessions)
    event = OverrideUsed(
        family_id=area.family.id, override_id=uuid.uuid4(), agency_id=area.school.id, categories=("health",)
    )
    await notify(sessions, event, [area.ig, area.lead])
    # then the officer's notification has no family, and the lead's has it
    (officers,) = (await gql.data("Inbox", {"first": 5}, token=await sign_in(gql, area.ig)))["inbox"]["nodes"]
    (leads,) = (await gql.data("Inbox", {"first": 5}, token=await sign_in(gql, area.lead)))["inbox"]["nodes"]
    assert officers["family"] is None and officers["raisedBy"] is None
    assert leads["family"]["displayName"] == area.family.display_name


async def test_the_caseload_counts_urgent_escalations_apart(gql, sessions):
    area = await create_area(sessions)
    for level in (EscalationLevel.urgent, EscalationLevel.immediate_danger, EscalationLevel.concern):
        await create_escalation(sessions, family=area.family, raised_by=area.colleague, reason="x", level=level)
    nodes = (await gql.data("Caseload", {"first": 100}, token=await sign_in(gql, area.lead)))["families"]["nodes"]
    (row,) = [node for node in nodes if node["id"] == str(area.family.id)]
    assert row["openEscalationCount"] == 3 and row["urgentEscalationCount"] == 2


async def test_a_worker_is_told_which_reasons_the_lead_may_not_read_and_the_lead_sees_how_to_reach_them(gql, sessions):
    # given a school worker on a family whose lead is in early help, with no consent to share the school's
    # education information
    area = await create_area(sessions)
    colleague = await sign_in(gql, area.colleague)
    variables = {"familyId": str(area.family.id)}
    # when the worker opens the family's escalations
    hidden = (await gql.data("FamilyEscalations", variables, token=colleague))["escalationReasonHiddenFromLead"]
    # then education is among the categories whose reason the lead would not see
    assert "education" in hidden
    # and it is exactly what the lead then sees: the reason withheld, the worker's contact details shown
    escalation = await create_escalation(
        sessions, family=area.family, raised_by=area.colleague, reason="Worry", category="education"
    )
    lead = await sign_in(gql, area.lead)
    seen = (await gql.data("Escalation", {"id": str(escalation.id)}, token=lead))["escalation"]
    assert seen["reasonVisible"] is False
    assert seen["raiserContact"] == {"inHours": "01632 960000", "outOfHours": ""}
    # when the family consents to share education information with the team
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    hidden = (await gql.data("FamilyEscalations", variables, token=colleague))["escalationReasonHiddenFromLead"]
    # then the worker is no longer warned about education, and the lead reads the reason
    assert "education" not in hidden
    assert (await gql.data("Escalation", {"id": str(escalation.id)}, token=lead))["escalation"]["reason"] == "Worry"
    # and the lead, and anyone not on the team, are never warned
    assert (await gql.data("FamilyEscalations", variables, token=lead))["escalationReasonHiddenFromLead"] == []
    outsider = await gql.op("FamilyEscalations", variables, token=await sign_in(gql, area.outsider))
    assert outsider["errors"][0]["extensions"]["code"] == "NOT_FOUND"
