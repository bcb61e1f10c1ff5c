"""Data-sharing agreements through the API: IG officers record, change and end them; sharing by consent
between two agencies needs an active one that covers the category; overrides, an agency's own content and
the family's agreed plan do not."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import sqlalchemy as sa

from server.agency.models import AgencyKind
from server.clock import utcnow
from tests.auth_helpers import sign_in
from tests.builders import (
    create_agency,
    create_agreement,
    create_area,
    create_consent,
    create_contribution,
    create_family,
    create_user,
)
from tests.graphql_client import code
from tests.safeguarding.test_overrides import override


def days(n: int) -> str:
    return (utcnow().date() + timedelta(days=n)).isoformat()


def agreement_input(parties, **overrides) -> dict:
    return {
        "title": "Northbridge multi-agency information-sharing agreement",
        "parties": [
            {"agencyId": str(agency.id), "igContactName": f"IG lead {n}", "igContactEmail": f"ig{n}@example.org"}
            for n, agency in enumerate(parties)
        ],
        "categories": ["education", "health"],
        "purposes": "Coordinating early help for families who agree to it",
        "lawfulBasis": "public_task",
        "lawfulBasisDetail": "Children Act 2004 s10; Art 9(2)(g), DPA 2018 Sch 1 para 6 and 18",
        "startsOn": days(-10),
        "reviewOn": days(180),
        "endsOn": days(365),
        "documentReference": "ISA-2026-01, IG shared drive",
        **overrides,
    }


async def create(gql, token, parties, **overrides) -> dict:
    variables = {"input": {"agreement": agreement_input(parties, **overrides)}}
    return (await gql.data("DataSharingAgreementCreate", variables, token=token))["dataSharingAgreementCreate"]


async def update(gql, token, agreement, parties, **overrides) -> dict:
    variables = {
        "input": {
            "agreementId": agreement["id"],
            "expectedVersion": agreement["version"],
            "agreement": agreement_input(parties, **overrides),
        }
    }
    return await gql.op("DataSharingAgreementUpdate", variables, token=token)


async def sees(gql, token, item) -> bool:
    answer = await gql.op("Contribution", {"id": str(item.id)}, token=token)
    if answer.get("errors"):
        assert code(answer["errors"][0]) == "NOT_FOUND", answer
        return False
    return answer["data"]["contribution"]["id"] == str(item.id)


async def agreement_count(sessions) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text("SELECT count(*) FROM data_sharing_agreement"))).one()[0]


async def test_an_ig_officer_records_changes_and_ends_an_agreement(gql, sessions):
    # given an IG officer and two agencies
    area = await create_area(sessions, agreement=False)
    ig = await sign_in(gql, area.ig)
    # when they record an agreement between the two
    recorded = await create(gql, ig, [area.early_help, area.school])
    # then it is active, with both parties and their IG contacts, at version 1
    assert recorded["status"] == "active" and recorded["version"] == 1
    assert {party["agency"]["id"] for party in recorded["parties"]} == {str(area.early_help.id), str(area.school.id)}
    assert {party["igContactEmail"] for party in recorded["parties"]} == {"ig0@example.org", "ig1@example.org"}
    # (read back by its id: the list shows the first 100, and the suite's areas record many agreements)
    read_back = (await gql.data("DataSharingAgreement", {"id": recorded["id"]}, token=ig))["dataSharingAgreement"]
    assert (read_back["id"], read_back["version"]) == (recorded["id"], 1)
    # and when they change it, the version moves on; a change from the old version is a conflict
    changed = (await update(gql, ig, recorded, [area.early_help, area.school], categories=["education"]))["data"]
    assert changed["dataSharingAgreementUpdate"]["version"] == 2
    assert changed["dataSharingAgreementUpdate"]["categories"] == ["education"]
    stale = await update(gql, ig, recorded, [area.early_help, area.school], title="Another title")
    assert code(stale["errors"][0]) == "CONFLICT"
    fetched = await gql.data("DataSharingAgreement", {"id": recorded["id"]}, token=ig)
    assert fetched["dataSharingAgreement"]["title"] == recorded["title"]
    # and when they end it, it is ended and can no longer be changed or ended again
    current = changed["dataSharingAgreementUpdate"]
    end = {"input": {"agreementId": current["id"], "expectedVersion": current["version"], "reason": "Replaced"}}
    ended = (await gql.data("DataSharingAgreementEnd", end, token=ig))["dataSharingAgreementEnd"]
    assert ended["status"] == "ended" and ended["endReason"] == "Replaced"
    end["input"]["expectedVersion"] = ended["version"]
    assert code(await gql.error("DataSharingAgreementEnd", end, token=ig)) == "CONFLICT"
    assert code((await update(gql, ig, ended, [area.early_help, area.school]))["errors"][0]) == "CONFLICT"


async def test_only_information_governance_officers_see_and_manage_agreements(gql, sessions):
    # given an agreement
    area = await create_area(sessions)
    agreement = {"id": str(area.area_agreement.id), "version": 1}
    for user in (area.lead, area.manager, area.admin):
        token = await sign_in(gql, user)
        # then nobody else lists it, finds it, records one, changes or ends it
        assert code(await gql.error("DataSharingAgreements", token=token)) == "FORBIDDEN"
        assert code(await gql.error("DataSharingAgreement", {"id": agreement["id"]}, token=token)) == "NOT_FOUND"
        variables = {"input": {"agreement": agreement_input([area.early_help, area.school])}}
        assert code(await gql.error("DataSharingAgreementCreate", variables, token=token)) == "FORBIDDEN"
        changed = await update(gql, token, agreement, [area.early_help, area.school])
        assert code(changed["errors"][0]) == "NOT_FOUND"
        end = {"input": {"agreementId": agreement["id"], "expectedVersion": 1, "reason": "No"}}
        assert code(await gql.error("DataSharingAgreementEnd", end, token=token)) == "NOT_FOUND"
    # and the agreement is as it was
    ig = await sign_in(gql, area.ig)
    found = (await gql.data("DataSharingAgreement", {"id": agreement["id"]}, token=ig))["dataSharingAgreement"]
    assert found["version"] == 1 and found["status"] == "active"


async def test_bad_agreements_are_refused_with_the_field_at_fault_and_change_nothing(gql, sessions):
    # given an IG officer and two agencies
    area = await create_area(sessions, agreement=False)
    ig = await sign_in(gql, area.ig)
    parties = [area.early_help, area.school]
    one_party = agreement_input([area.early_help])["parties"]
    twice = agreement_input([area.early_help, area.early_help])["parties"]
    unknown = [*one_party, {"agencyId": str(area.lead.id), "igContactName": "X", "igContactEmail": "x@example.org"}]
    bad_email = [{**party, "igContactEmail": "not an address"} for party in agreement_input(parties)["parties"]]
    no_name = [{**party, "igContactName": " "} for party in agreement_input(parties)["parties"]]
    before = await agreement_count(sessions)
    for overrides, field in [
        ({"reviewOn": days(-20)}, "reviewOn"),  # the review before the start
        ({"reviewOn": days(-10)}, "reviewOn"),  # on the start day
        ({"endsOn": days(100)}, "endsOn"),  # the end before the review
        ({"startsOn": days(-400), "reviewOn": days(-200), "endsOn": days(-1)}, "endsOn"),  # already over
        ({"parties": one_party}, "parties"),
        ({"parties": twice}, "parties"),
        ({"parties": unknown}, "parties"),
        ({"parties": bad_email}, "igContactEmail"),
        ({"parties": no_name}, "igContactName"),
        ({"categories": []}, "categories"),
        ({"title": "  "}, "title"),
        ({"purposes": ""}, "purposes"),
        ({"documentReference": ""}, "documentReference"),
        ({"title": "x" * 201}, "title"),
    ]:
        # when an agreement with one fault is recorded
        variables = {"input": {"agreement": {**agreement_input(parties), **overrides}}}
        error = await gql.error("DataSharingAgreementCreate", variables, token=ig)
        # then it is refused as bad input, naming the field, in words
        assert code(error) == "BAD_USER_INPUT", (overrides, error)
        assert error["extensions"].get("field") == field, (overrides, error)
        assert "Traceback" not in error["message"]
    # and a category that does not exist never reaches the service
    variables = {"input": {"agreement": {**agreement_input(parties), "categories": ["gossip"]}}}
    assert (await gql.op("DataSharingAgreementCreate", variables, token=ig))["errors"]
    # and nothing was saved
    assert await agreement_count(sessions) == before
    # and a change with a fault changes nothing either
    recorded = await create(gql, ig, parties)
    refused = await update(gql, ig, recorded, parties, endsOn=days(1))
    assert code(refused["errors"][0]) == "BAD_USER_INPUT"
    found = (await gql.data("DataSharingAgreement", {"id": recorded["id"]}, token=ig))["dataSharingAgreement"]
    assert found["version"] == 1 and found["endsOn"] == recorded["endsOn"]
    # and ending one needs a reason
    end = {"input": {"agreementId": recorded["id"], "expectedVersion": 1, "reason": " "}}
    assert (await gql.error("DataSharingAgreementEnd", end, token=ig))["extensions"]["field"] == "reason"


async def test_sharing_by_consent_needs_an_active_agreement_that_covers_the_category(gql, sessions):
    # given a family that consented to share education with the whole team, and no agreement between its agencies
    area = await create_area(sessions, agreement=False)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    lead, ig = await sign_in(gql, area.lead), await sign_in(gql, area.ig)
    parties = [area.early_help, area.school]
    # then consent alone does not share the school's item with early help
    assert not await sees(gql, lead, item)
    # when an agreement between them covers health only, still not
    recorded = await create(gql, ig, parties, categories=["health"])
    assert not await sees(gql, lead, item)
    # when it is changed to cover education, the very next read shares it
    changed = (await update(gql, ig, recorded, parties, categories=["health", "education"]))["data"]
    assert await sees(gql, lead, item)
    # when it is changed to start tomorrow, it no longer does
    current = changed["dataSharingAgreementUpdate"]
    changed = (await update(gql, ig, current, parties, startsOn=days(1), categories=["education"]))["data"]
    assert changed["dataSharingAgreementUpdate"]["status"] == "not_started"
    assert not await sees(gql, lead, item)
    # and once more in force, ending it stops the sharing at once
    current = changed["dataSharingAgreementUpdate"]
    current = (await update(gql, ig, current, parties, categories=["education"]))["data"]["dataSharingAgreementUpdate"]
    assert await sees(gql, lead, item)
    end = {"input": {"agreementId": current["id"], "expectedVersion": current["version"], "reason": "Withdrawn"}}
    await gql.data("DataSharingAgreementEnd", end, token=ig)
    assert not await sees(gql, lead, item)


async def test_an_agreement_counts_only_between_its_parties_and_not_past_its_end(gql, sessions):
    # given a family of three agencies that consented to share education with the whole team
    area = await create_area(sessions, agreement=False)
    housing = await create_agency(sessions, kind=AgencyKind.housing)
    housing_worker = await create_user(sessions, agency=housing)
    family = await create_family(sessions, lead=area.lead, contributors=(area.colleague, housing_worker))
    item = await create_contribution(sessions, family=family, author=area.colleague, category="education")
    await create_consent(sessions, family=family, recorded_by=area.lead, categories=["education"])
    # when the only agreements are an expired one between all three, and one between the school and housing
    today = utcnow().date()
    await create_agreement(
        sessions,
        parties=[area.early_help, area.school, housing],
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=1),
    )
    await create_agreement(sessions, parties=[area.school, housing])
    # then housing reads the school's item, and early help (no agreement in force with the school) does not
    assert await sees(gql, await sign_in(gql, housing_worker), item)
    assert not await sees(gql, await sign_in(gql, area.lead), item)
    # and an agreement ending today still counts today
    await create_agreement(sessions, parties=[area.early_help, area.school], ends_on=today)
    assert await sees(gql, await sign_in(gql, area.lead), item)


async def test_overrides_own_content_and_the_agreed_plan_need_no_agreement(gql, sessions):
    # given a family with no agreement between its agencies
    area = await create_area(sessions, agreement=False)
    school_item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    own_item = await create_contribution(sessions, family=area.family, author=area.lead, category="education")
    lead, school = await sign_in(gql, area.lead), await sign_in(gql, area.colleague)
    # then each agency reads its own content
    assert await sees(gql, lead, own_item) and await sees(gql, school, school_item)
    assert not await sees(gql, lead, school_item)
    # and when the school shares education with early help under a safeguarding override, early help reads it
    await gql.data("SafeguardingOverrideRecord", override(area.family.id, [area.early_help.id]), token=school)
    assert await sees(gql, lead, school_item)


async def test_the_consent_picture_says_when_an_agreement_not_consent_is_missing(gql, sessions):
    # given a family of three agencies that consented to share education and health with the whole team
    area = await create_area(sessions, agreement=False)
    housing = await create_agency(sessions, kind=AgencyKind.housing)
    family = await create_family(
        sessions, lead=area.lead, contributors=(area.colleague, await create_user(sessions, agency=housing))
    )
    await create_consent(sessions, family=family, recorded_by=area.lead, categories=["education", "health"])
    # and an agreement between early help and the school covering education only
    await create_agreement(sessions, parties=[area.early_help, area.school], categories=["education"])
    # when the lead looks at the consent picture
    lead = await sign_in(gql, area.lead)
    picture = (await gql.data("ConsentPicture", {"familyId": str(family.id)}, token=lead))["family"]["consentPicture"]
    rows = {row["agency"]["id"]: row for row in picture}

    def gaps(agency) -> dict[str, set[str]]:
        return {
            gap["category"]: {other["id"] for other in gap["agencies"]}
            for gap in rows[str(agency.id)]["consentedWithoutAgreement"]
        }

    # then consent is recorded for everyone, and what is missing is the agreements
    assert all(row["consented"] == ["education", "health"] for row in picture)
    assert gaps(area.early_help) == {"education": {str(housing.id)}, "health": {str(area.school.id), str(housing.id)}}
    assert gaps(area.school) == {"education": {str(housing.id)}, "health": {str(area.early_help.id), str(housing.id)}}
    assert gaps(housing) == {
        "education": {str(area.early_help.id), str(area.school.id)},
        "health": {str(area.early_help.id), str(area.school.id)},
    }
    # and no gap is reported where nothing was consented
    assert "police" in rows[str(housing.id)]["missing"]


async def test_two_changes_from_the_same_version_at_once_save_one_and_refuse_the_other(gql, sessions):
    # given an agreement at version 1, and two IG officers who both opened it
    area = await create_area(sessions, agreement=False)
    ig = await sign_in(gql, area.ig)
    recorded = await create(gql, ig, [area.early_help, area.school])
    # when both save a change at the same moment
    answers = await asyncio.gather(
        update(gql, ig, recorded, [area.early_help, area.school], title="First title"),
        update(gql, ig, recorded, [area.early_help, area.school], title="Second title"),
    )
    # then exactly one is saved (version 2) and the other is refused as a conflict, not merged or overwritten
    saved = [answer["data"]["dataSharingAgreementUpdate"] for answer in answers if "errors" not in answer]
    refused = [code(answer["errors"][0]) for answer in answers if "errors" in answer]
    assert len(saved) == 1 and saved[0]["version"] == 2 and refused == ["CONFLICT"]
    found = (await gql.data("DataSharingAgreement", {"id": recorded["id"]}, token=ig))["dataSharingAgreement"]
    assert (found["title"], found["version"]) == (saved[0]["title"], 2)


async def test_a_retried_create_records_one_agreement(gql, sessions):
    # given an IG officer's create with an idempotency key
    area = await create_area(sessions, agreement=False)
    ig = await sign_in(gql, area.ig)
    variables = {
        "input": {"agreement": agreement_input([area.early_help, area.school]), "idempotencyKey": str(uuid.uuid4())}
    }
    before = await agreement_count(sessions)
    # when it is sent, retried, and sent four times more at once
    first = await gql.data("DataSharingAgreementCreate", variables, token=ig)
    answers = await asyncio.gather(*(gql.data("DataSharingAgreementCreate", variables, token=ig) for _ in range(5)))
    # then every answer is the first agreement, and only it was recorded
    assert {answer["dataSharingAgreementCreate"]["id"] for answer in answers} == {
        first["dataSharingAgreementCreate"]["id"]
    }
    assert await agreement_count(sessions) == before + 1
