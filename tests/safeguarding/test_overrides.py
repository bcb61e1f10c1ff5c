from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.agency.models import AgencyKind
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_contribution, create_family, create_override, create_user
from tests.db_helpers import row_counts
from tests.graphql_client import code


def override(family_id, recipients, **overrides) -> dict:
    expires = (datetime.now(UTC) + timedelta(days=14)).isoformat()
    return {
        "input": {
            "familyId": str(family_id),
            "categories": ["education"],
            "recipientAgencyIds": [str(agency) for agency in recipients],
            "justification": "Disclosure of injuries at school; strategy discussion agreed to share.",
            "lawfulBasis": "public_task_safeguarding",
            "expiresAt": expires,
            "familyInformed": False,
            "notInformedReason": "Telling the father could increase the risk to the child.",
            "adviceSought": "DSL and Caldicott Guardian",
            **overrides,
        }
    }


async def test_an_override_shares_the_deciding_agencys_items_until_revoked(gql, sessions):
    # given a school item and no consent
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    lead = await sign_in(gql, area.lead)
    school = await sign_in(gql, area.colleague)
    assert code(await gql.error("Contribution", {"id": str(item.id)}, token=lead)) == "NOT_FOUND"
    # when the school shares education information with early help without consent
    recorded = (
        await gql.data("SafeguardingOverrideRecord", override(area.family.id, [area.early_help.id]), token=school)
    )["safeguardingOverrideRecord"]
    # then the lead sees the item and the override, and the IG officer sees it in the review queue
    assert (await gql.data("Contribution", {"id": str(item.id)}, token=lead))["contribution"]["id"] == str(item.id)
    lead_view = (await gql.data("FamilySafeguarding", {"familyId": str(area.family.id)}, token=lead))["family"]
    assert [o["id"] for o in lead_view["safeguardingOverrides"]] == [recorded["id"]]
    ig = await sign_in(gql, area.ig)
    queue = (await gql.data("OverrideReviewQueue", {"unreviewedOnly": True}, token=ig))["safeguardingOverrides"]
    assert recorded["id"] in [o["id"] for o in queue]
    # and when the IG officer revokes it, the lead loses the item at once
    await gql.data(
        "SafeguardingOverrideRevoke", {"input": {"overrideId": recorded["id"], "reason": "Not needed"}}, token=ig
    )
    assert code(await gql.error("Contribution", {"id": str(item.id)}, token=lead)) == "NOT_FOUND"


async def visible_items(gql, family, token) -> set[str]:
    page = await gql.data("FamilyContributions", {"familyId": str(family.id)}, token=token)
    return {node["id"] for node in page["family"]["contributions"]["nodes"]}


async def test_an_override_shares_only_the_deciding_agencys_items_in_its_categories_with_its_recipients(gql, sessions):
    # given a team of early help (the lead), the school and housing, each with its own items, and no consent
    area = await create_area(sessions)
    housing_worker = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.housing))
    family = await create_family(sessions, lead=area.lead, contributors=(area.colleague, housing_worker))
    items = {
        (author, category): str((await create_contribution(sessions, family=family, author=user, category=category)).id)
        for author, user in (("early help", area.lead), ("school", area.colleague), ("housing", housing_worker))
        for category in ("education", "health")
    }
    own = {
        agency: {items[agency, "education"], items[agency, "health"]} for agency in ("early help", "school", "housing")
    }
    lead, school, housing = [await sign_in(gql, user) for user in (area.lead, area.colleague, housing_worker)]
    assert await visible_items(gql, family, school) == own["school"]
    # when early help shares its education information with the school without consent
    await gql.data("SafeguardingOverrideRecord", override(family.id, [area.school.id]), token=lead)
    # then the school also sees early help's education item, and nothing else of anyone's
    assert await visible_items(gql, family, school) == own["school"] | {items["early help", "education"]}
    # and the override shares nothing of the school's or housing's with early help, and nothing with housing
    assert await visible_items(gql, family, lead) == own["early help"]
    assert await visible_items(gql, family, housing) == own["housing"]


async def test_an_override_needs_justification_expiry_and_a_reason_the_family_was_not_told(gql, sessions):
    area = await create_area(sessions)
    school = await sign_in(gql, area.colleague)
    before = await row_counts(sessions)
    too_late = (datetime.now(UTC) + timedelta(days=120)).isoformat()
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for overrides, field in [
        ({"justification": "risk"}, "justification"),
        ({"expiresAt": too_late}, "expiresAt"),
        ({"expiresAt": past}, "expiresAt"),
        ({"notInformedReason": ""}, "notInformedReason"),
        ({"categories": []}, "categories"),
        ({"recipientAgencyIds": [str(area.school.id)]}, "recipientAgencyIds"),  # only itself
        ({"recipientAgencyIds": [str(area.other_manager.agency_id)]}, "recipientAgencyIds"),  # not on the team
    ]:
        error = await gql.error(
            "SafeguardingOverrideRecord", override(area.family.id, [area.early_help.id], **overrides), token=school
        )
        assert (code(error), error["extensions"].get("field")) == ("BAD_USER_INPUT", field), overrides
    assert await row_counts(sessions) == before


async def test_only_ig_officers_review_and_revoke(gql, sessions):
    area = await create_area(sessions)
    recorded = (
        await gql.data(
            "SafeguardingOverrideRecord",
            override(area.family.id, [area.early_help.id]),
            token=await sign_in(gql, area.colleague),
        )
    )["safeguardingOverrideRecord"]
    review = {"input": {"overrideId": recorded["id"], "note": "Proportionate; expiry right."}}
    assert code(await gql.error("SafeguardingOverrideReview", review, token=await sign_in(gql, area.lead))) == (
        "FORBIDDEN"
    )
    assert code(await gql.error("SafeguardingOverrideReview", review, token=await sign_in(gql, area.outsider))) == (
        "NOT_FOUND"
    )
    reviewed = await gql.data("SafeguardingOverrideReview", review, token=await sign_in(gql, area.ig))
    assert reviewed["safeguardingOverrideReview"]["reviewedAt"] is not None


async def test_a_decision_not_to_share_is_recorded_with_reasons(gql, sessions):
    area = await create_area(sessions)
    school = await sign_in(gql, area.colleague)
    await gql.data(
        "SharingDecisionRecord",
        {
            "input": {
                "familyId": str(area.family.id),
                "categories": ["mental_health"],
                "recipientAgencyIds": [str(area.early_help.id)],
                "reason": "Not relevant to the plan; the young person asked us not to.",
            }
        },
        token=school,
    )
    lead_view = (
        await gql.data("FamilySafeguarding", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    )["family"]
    assert [d["reason"] for d in lead_view["decisionsNotToShare"]] == [
        "Not relevant to the plan; the young person asked us not to."
    ]


async def test_override_records_are_hidden_from_team_members_who_are_not_party_to_them(gql, sessions):
    # given the school shares with early help, and housing is also on the team
    area = await create_area(sessions)
    housing_worker = await create_user(sessions, agency=await create_agency(sessions, kind=AgencyKind.housing))
    await gql.data(
        "TeamMemberAdd",
        {
            "input": {
                "familyId": str(area.family.id),
                "userId": str(housing_worker.id),
                "contact": {"agencyRole": "Tenancy support"},
            }
        },
        token=await sign_in(gql, area.lead),
    )
    await gql.data(
        "SafeguardingOverrideRecord",
        override(area.family.id, [area.early_help.id]),
        token=await sign_in(gql, area.colleague),
    )
    # when housing and the early help manager look at the family's safeguarding records
    housing_view = await gql.data(
        "FamilySafeguarding", {"familyId": str(area.family.id)}, token=await sign_in(gql, housing_worker)
    )
    manager_view = await gql.data(
        "FamilySafeguarding", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.manager)
    )
    # then neither sees it: housing is not party to it, and the manager manages a recipient, not the owner
    assert housing_view["family"]["safeguardingOverrides"] == []
    assert manager_view["family"]["safeguardingOverrides"] == []


async def test_an_override_notifies_the_ig_officer_and_the_lead_without_its_content(gql, sessions, live_server):
    # given an IG officer and the lead, subscribed
    from tests import ws_client

    area = await create_area(sessions)
    received = {}
    school = await sign_in(gql, area.colleague)
    for who in (area.ig, area.lead):
        async with ws_client.following(live_server, await sign_in(gql, who), after="0") as ws:
            if who is area.ig:
                # when the school shares without consent
                await gql.data(
                    "SafeguardingOverrideRecord", override(area.family.id, [area.early_help.id]), token=school
                )
            notices = [n for n in await ws_client.notifications(ws, 1) if n["familyId"] == str(area.family.id)]
            received[who.id] = notices
    # then both are told, and neither notice carries the justification
    for who in (area.ig, area.lead):
        [notice] = received[who.id]
        assert notice["kind"] == "override_used"
        assert "injuries" not in str(notice)


async def test_the_override_queue_pages_through_every_override_once(gql, sessions):
    # given five overrides, one of them reviewed since
    area = await create_area(sessions)
    made = [
        await create_override(
            sessions,
            family=area.family,
            decided_by=area.colleague,
            categories=["education"],
            recipients=[area.early_help],
        )
        for _ in range(5)
    ]
    ig = await sign_in(gql, area.ig)
    review = {"overrideId": str(made[1].id), "note": "Proportionate"}
    await gql.data("SafeguardingOverrideReview", {"input": review}, token=ig)
    # when paging through the queue three at a time, as far as this area's overrides go (the whole suite's
    # overrides are in the same queue, and the IG officer's searches are rate-limited)
    pages, after, mine_ids = [], None, {str(row.id) for row in made}
    while not pages or (pages[-1]["pageInfo"]["hasNextPage"] and len(pages) < 3):
        variables = {"first": 3, "after": after}
        data = await gql.data("OverrideQueue", variables, token=ig)
        pages.append(data["safeguardingOverrideQueue"] | {"waiting": data["waiting"]})
        after = pages[-1]["pageInfo"]["endCursor"]
    # then each override comes once, the one just reviewed first, the rest newest first, all on the first pages
    seen = [node["id"] for page in pages for node in page["nodes"]]
    assert len(seen) == len(set(seen))
    mine = [node_id for node_id in seen if node_id in mine_ids]
    assert mine == [str(made[1].id), *(str(row.id) for row in reversed(made) if row is not made[1])]
    assert pages[0]["waiting"]["totalCount"] >= 4
    assert all(page["totalCount"] == pages[0]["totalCount"] >= len(seen) for page in pages)
