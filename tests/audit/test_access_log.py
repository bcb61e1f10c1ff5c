from __future__ import annotations

from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent, create_contribution, create_family_user, issue_token
from tests.graphql_client import code


async def test_the_family_and_the_lead_see_who_from_other_agencies_looked(gql, sessions):
    # given an education item shared with the whole team, read by the lead (another agency)
    area = await create_area(sessions)
    await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    # the school reading its own item is not "another agency looking"
    await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.colleague))
    parent = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    # when the family and the lead look at the access log
    family_view = (await gql.data("FamilyAccessLog", {"familyId": str(area.family.id)}, token=parent))["family"]
    lead_view = (
        await gql.data("FamilyAccessLog", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    )["family"]
    # then both see one entry: who, which agency, which kinds of information
    assert [(e["viewerName"], e["categories"], e["itemCount"]) for e in family_view["accessLog"]] == [
        (area.lead.display_name, ["education"], 1)
    ]
    assert lead_view["accessLog"] == family_view["accessLog"]
    colleague_view = await gql.data(
        "FamilyAccessLog", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.colleague)
    )
    assert colleague_view["family"]["accessLog"] == []


async def test_an_ig_officer_can_withhold_an_entry_from_the_family(gql, sessions):
    area = await create_area(sessions)
    await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    ig = await sign_in(gql, area.ig)
    events = (await gql.data("AuditEvents", {"familyId": str(area.family.id)}, token=ig))["auditEvents"]["nodes"]
    read = next(event for event in events if event["action"] == "contribution_read")
    block = {"input": {"auditEventId": read["id"], "reason": "Naming this worker could put them at risk."}}
    assert code(await gql.error("AuditDisclosureBlock", block, token=await sign_in(gql, area.lead))) == "FORBIDDEN"
    assert (await gql.data("AuditDisclosureBlock", block, token=ig))["auditDisclosureBlock"] is True
    parent = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    family_view = (await gql.data("FamilyAccessLog", {"familyId": str(area.family.id)}, token=parent))["family"]
    assert family_view["accessLog"] == []


async def test_only_ig_officers_read_the_audit_log(gql, sessions):
    area = await create_area(sessions)
    for who in ("lead", "manager", "admin"):
        error = await gql.error(
            "AuditEvents", {"familyId": str(area.family.id)}, token=await sign_in(gql, getattr(area, who))
        )
        assert code(error) == "FORBIDDEN", who


async def test_a_refused_lookup_is_audited_as_denied(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="police")
    await gql.error("Contribution", {"id": str(item.id)}, token=await sign_in(gql, area.lead))
    events = (await gql.data("AuditEvents", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.ig)))[
        "auditEvents"
    ]["nodes"]
    denied = [e for e in events if e["outcome"] == "denied"]
    assert [(e["action"], e["actorUserId"], e["detail"]) for e in denied] == [
        ("contribution_read", str(area.lead.id), {"contributionId": str(item.id)})
    ]
