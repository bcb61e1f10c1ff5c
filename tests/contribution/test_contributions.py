from __future__ import annotations

import uuid

from sqlmodel import select

from server.audit.models import AuditEvent
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent, create_contribution
from tests.db_helpers import row_counts
from tests.graphql_client import code


def new_item(family_id, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "kind": "concern",
            "category": "education",
            "title": "Attendance fell to 71%",
            "body": "Missed 9 of the last 30 sessions.",
            **overrides,
        }
    }


async def test_a_worker_adds_an_item_that_their_agency_sees_and_others_do_not(gql, sessions):
    # given
    area = await create_area(sessions)
    colleague = await sign_in(gql, area.colleague)  # school
    lead = await sign_in(gql, area.lead)  # early help, no consent for education
    # when
    item = (await gql.data("ContributionAdd", new_item(area.family.id), token=colleague))["contributionAdd"]
    # then
    assert (item["version"], item["owningAgency"]["id"]) == (1, str(area.school.id))
    mine = await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=colleague)
    theirs = await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=lead)
    assert [n["id"] for n in mine["family"]["contributions"]["nodes"]] == [item["id"]]
    assert theirs["family"]["contributions"] == {
        "nodes": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "totalCount": 0,
    }
    assert code(await gql.error("Contribution", {"id": item["id"]}, token=lead)) == "NOT_FOUND"


async def test_consent_for_a_category_shares_it_with_the_agencies_named(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    other = await create_contribution(sessions, family=area.family, author=area.colleague, category="mental_health")
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["education"], agencies=[area.early_help]
    )
    lead = await sign_in(gql, area.lead)
    page = (await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=lead))["family"]
    assert [n["id"] for n in page["contributions"]["nodes"]] == [str(item.id)]
    assert page["contributions"]["totalCount"] == 1
    assert code(await gql.error("Contribution", {"id": str(other.id)}, token=lead)) == "NOT_FOUND"


async def test_a_withheld_item_answers_exactly_like_a_missing_one(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="police")
    lead = await sign_in(gql, area.lead)
    withheld = await gql.op("Contribution", {"id": str(item.id)}, token=lead)
    missing = await gql.op("Contribution", {"id": str(uuid.uuid4())}, token=lead)
    assert withheld == missing


async def test_an_edit_adds_a_version_and_a_stale_edit_is_a_conflict(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    item = (await gql.data("ContributionAdd", new_item(area.family.id), token=token))["contributionAdd"]
    edited = await gql.data(
        "ContributionEdit",
        {"input": {"contributionId": item["id"], "expectedVersion": 1, "title": "Attendance fell to 68%"}},
        token=token,
    )
    stale = await gql.error(
        "ContributionEdit",
        {"input": {"contributionId": item["id"], "expectedVersion": 1, "body": "overwrite"}},
        token=token,
    )
    assert code(stale) == "CONFLICT"
    history = (await gql.data("Contribution", {"id": item["id"]}, token=token))["contribution"]
    assert edited["contributionEdit"]["version"] == 2
    assert [(v["version"], v["title"]) for v in history["versions"]] == [
        (1, "Attendance fell to 71%"),
        (2, "Attendance fell to 68%"),
    ]
    assert history["body"] == "Missed 9 of the last 30 sessions."  # the stale edit changed nothing


async def test_only_the_owning_agency_edits_its_items(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    lead = await sign_in(gql, area.lead)
    error = await gql.error(
        "ContributionEdit",
        {"input": {"contributionId": str(item.id), "expectedVersion": 1, "title": "changed"}},
        token=lead,
    )
    assert code(error) == "FORBIDDEN"


async def test_an_old_version_in_a_category_the_reader_may_not_see_stays_hidden(gql, sessions):
    # given an item first written as mental health, then recategorised as education
    area = await create_area(sessions)
    author = await sign_in(gql, area.colleague)
    item = await gql.data(
        "ContributionAdd",
        new_item(area.family.id, category="mental_health", title="Low mood, CAMHS referral"),
        token=author,
    )
    item_id = item["contributionAdd"]["id"]
    await gql.data(
        "ContributionEdit",
        {"input": {"contributionId": item_id, "expectedVersion": 1, "category": "education", "title": "Attendance"}},
        token=author,
    )
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    # when the lead, with consent for education only, reads it
    seen = (await gql.data("Contribution", {"id": item_id}, token=await sign_in(gql, area.lead)))["contribution"]
    # then only the education version is there
    assert [v["category"] for v in seen["versions"]] == ["education"]
    assert "CAMHS" not in str(seen)


async def test_bad_items_are_refused_and_change_nothing(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    before = await row_counts(sessions)
    for overrides in (
        {"title": " "},
        {"body": "x" * 20_001},
        {"aboutMemberIds": [str(uuid.uuid4())]},
        {"category": "gossip"},
    ):
        result = await gql.op("ContributionAdd", new_item(area.family.id, **overrides), token=token)
        assert code(result["errors"][0]) == "BAD_USER_INPUT", overrides
    outsider = await gql.error("ContributionAdd", new_item(area.family.id), token=await sign_in(gql, area.outsider))
    assert code(outsider) == "NOT_FOUND"
    assert await row_counts(sessions) == before


async def test_reads_of_another_agencys_items_are_audited_with_their_basis(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    async with sessions() as session:
        events = (
            await session.exec(
                select(AuditEvent).where(
                    AuditEvent.family_id == area.family.id, AuditEvent.action == "contribution_read"
                )
            )
        ).all()
    assert len(events) == 1
    assert events[0].actor_user_id == area.lead.id
    assert events[0].detail["items"] == [str(item.id)]
    assert events[0].detail["basis"] == ["shared_by_consent"]


async def test_search_finds_only_visible_items(gql, sessions):
    area = await create_area(sessions)
    await create_contribution(
        sessions, family=area.family, author=area.colleague, category="police", title="Knife found at home"
    )
    seen = await create_contribution(
        sessions,
        family=area.family,
        author=area.lead,
        category="housing",
        title="Knife crime prevention course offered",
    )
    page = await gql.data(
        "FamilyContributions", {"familyId": str(area.family.id), "search": "knife"}, token=await sign_in(gql, area.lead)
    )
    assert [n["id"] for n in page["family"]["contributions"]["nodes"]] == [str(seen.id)]
    assert page["family"]["contributions"]["totalCount"] == 1


async def test_the_added_items_answer_is_the_item_as_read_back_and_as_replayed(gql, sessions):
    # given a worker who adds an item under an idempotency key (its agency read with the change: server/writes.py)
    area = await create_area(sessions)
    colleague = await sign_in(gql, area.colleague)  # school
    request = new_item(area.family.id, idempotencyKey=f"answer-{uuid.uuid4()}")
    # when they add it, read it back, and retry the add
    added = (await gql.data("ContributionAdd", request, token=colleague))["contributionAdd"]
    read = (await gql.data("Contribution", {"id": added["id"]}, token=colleague))["contribution"]
    replayed = (await gql.data("ContributionAdd", request, token=colleague))["contributionAdd"]
    # then all three answers agree, the agency's name included
    assert added["owningAgency"] == {"id": str(area.school.id), "name": area.school.name}
    assert {name: read[name] for name in added} == added
    assert replayed == added
