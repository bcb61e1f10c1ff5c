"""The services list and services received, through the API against PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select

from server.clock import today
from server.service_received.models import ServiceReceived
from server.user.models import SystemRole
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_family, create_family_user, create_user, issue_token
from tests.builders_content import create_service_received_content
from tests.builders_retain import create_closed_family
from tests.graphql_client import code


async def services_by_code(gql, token) -> dict:
    return {service["code"]: service for service in (await gql.data("Services", token=token))["services"]}


async def add_service(gql, admin_token, pence: int = 10_000) -> dict:
    code_ = f"test_{uuid.uuid4().hex[:12]}"
    variables = {
        "input": {
            "code": code_,
            "name": f"Test service {code_}",
            "unit": "session",
            "category": "social_care",
            "unitPricePence": pence,
        }
    }
    return (await gql.data("ServiceAdd", variables, token=admin_token))["serviceAdd"]


async def record(gql, token, family, service_id, provider, *, started_days_ago=7, quantity=3, **extra) -> dict:
    variables = {
        "input": {
            "familyId": str(family.id),
            "serviceId": service_id,
            "providerAgencyId": str(provider.id),
            "startedOn": (today() - timedelta(days=started_days_ago)).isoformat(),
            "quantity": quantity,
            **extra,
        }
    }
    return await gql.op("ServiceReceivedRecord", variables, token=token)


async def test_staff_read_the_seeded_services_list_and_the_family_does_not(gql, sessions):
    agency = await create_agency(sessions)
    worker = await create_user(sessions, agency=agency)
    services = await services_by_code(gql, await sign_in(gql, worker))
    support = services["intensive_family_support"]
    assert (support["name"], support["unit"], support["unitPricePence"]) == ("Intensive family support", "week", 35_000)
    assert services["substance_misuse_programme"]["category"] == "substance_misuse"
    assert {"respite_short_breaks", "family_group_conference", "parenting_programme", "mentoring"} <= set(services)
    family_user = await create_family_user(sessions, family=await create_family(sessions, lead=worker))
    error = await gql.error("Services", token=await issue_token(sessions, family_user))
    assert code(error) == "FORBIDDEN"


async def test_an_administrator_sets_prices_forward_and_nobody_else_can(gql, sessions):
    agency = await create_agency(sessions)
    admin = await create_user(sessions, agency=agency, role=SystemRole.admin)
    admin_token = await sign_in(gql, admin)
    service = await add_service(gql, admin_token, pence=10_000)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    changed = await gql.data(
        "ServicePriceSet",
        {"input": {"serviceId": service["id"], "unitPricePence": 12_500, "effectiveFrom": tomorrow}},
        token=admin_token,
    )
    priced = changed["servicePriceSet"]
    # today's price is still the old one; the history holds both, oldest first
    assert priced["unitPricePence"] == 10_000
    assert [(p["unitPricePence"], p["effectiveFrom"]) for p in priced["prices"]] == [
        (10_000, today().isoformat()),
        (12_500, tomorrow),
    ]
    again = {"input": {"serviceId": service["id"], "unitPricePence": 13_000, "effectiveFrom": tomorrow}}
    assert code(await gql.error("ServicePriceSet", again, token=admin_token)) == "CONFLICT"
    yesterday = {**again["input"], "effectiveFrom": (today() - timedelta(days=1)).isoformat()}
    error = await gql.error("ServicePriceSet", {"input": yesterday}, token=admin_token)
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "effectiveFrom")
    negative = {"input": {"serviceId": service["id"], "unitPricePence": -1}}
    assert code(await gql.error("ServicePriceSet", negative, token=admin_token)) == "BAD_USER_INPUT"
    manager = await create_user(sessions, agency=agency, role=SystemRole.manager)
    refused = await gql.error("ServicePriceSet", again, token=await sign_in(gql, manager))
    assert code(refused) == "FORBIDDEN"
    duplicate = {
        "input": {"code": service["code"], "name": "Another", "unit": "week", "category": "other", "unitPricePence": 1}
    }
    assert code(await gql.error("ServiceAdd", duplicate, token=admin_token)) == "CONFLICT"


async def test_a_service_received_keeps_the_price_of_its_start_day(gql, sessions):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    admin_token = await sign_in(gql, await create_user(sessions, agency=agency, role=SystemRole.admin))
    token = await sign_in(gql, lead)
    family = await create_family(sessions, lead=lead)
    # housing support (seeded at £80 a week); no other test changes its price
    service = (await services_by_code(gql, token))["housing_support"]
    # given 3 weeks of it from last week
    first = await record(gql, token, family, service["id"], agency, quantity=3)
    received = first["data"]["serviceReceivedRecord"]
    assert (received["unitPricePence"], received["cost"], received["serviceName"]) == (
        8_000,
        "240.00",
        "Housing support",
    )
    # when the price rises from today
    await gql.data(
        "ServicePriceSet", {"input": {"serviceId": service["id"], "unitPricePence": 9_000}}, token=admin_token
    )
    # then last week's service still costs what it cost, and one starting today costs the new price
    today_ = await record(gql, token, family, service["id"], agency, started_days_ago=0, quantity=1)
    assert today_["data"]["serviceReceivedRecord"]["unitPricePence"] == 9_000
    page = (await gql.data("FamilyServicesReceived", {"familyId": str(family.id)}, token=token))[
        "familyServicesReceived"
    ]
    assert page["totalCount"] == 2
    assert [(n["startedOn"], n["cost"]) for n in page["nodes"]] == [
        (today().isoformat(), "90.00"),
        ((today() - timedelta(days=7)).isoformat(), "240.00"),
    ]
    one = await gql.data("ServiceReceived", {"id": received["id"]}, token=token)
    assert one["serviceReceived"]["cost"] == "240.00"


async def test_bad_input_is_refused_and_nothing_is_saved(gql, sessions):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    token = await sign_in(gql, lead)
    family = await create_family(sessions, lead=lead)
    service_id = (await services_by_code(gql, token))["mentoring"]["id"]
    cases = {
        "startedOn": {"started_days_ago": -1},
        "endedOn": {"endedOn": (today() - timedelta(days=30)).isoformat()},
        "quantity": {"quantity": 0},
    }
    for field, extra in cases.items():
        result = await record(gql, token, family, service_id, agency, **extra)
        error = result["errors"][0]
        assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    unknown = await record(gql, token, family, str(uuid.uuid4()), agency)
    assert unknown["errors"][0]["extensions"]["field"] == "serviceId"
    listed = await gql.data("FamilyServicesReceived", {"familyId": str(family.id)}, token=token)
    assert listed["familyServicesReceived"]["totalCount"] == 0


async def test_only_the_team_records_and_a_withheld_service_is_invisible(gql, sessions):
    lead_agency, health = await create_agency(sessions), await create_agency(sessions)
    lead = await create_user(sessions, agency=lead_agency)
    nurse = await create_user(sessions, agency=health)
    family = await create_family(sessions, lead=lead, contributors=(nurse,))
    service_id = (await services_by_code(gql, await sign_in(gql, lead)))["substance_misuse_programme"]["id"]
    # given a substance misuse programme recorded by health, shared with nobody
    recorded = await record(gql, await sign_in(gql, nurse), family, service_id, health)
    received_id = recorded["data"]["serviceReceivedRecord"]["id"]
    # then the lead professional neither lists nor finds it, exactly like an id that does not exist
    lead_token = await sign_in(gql, lead)
    listed = await gql.data("FamilyServicesReceived", {"familyId": str(family.id)}, token=lead_token)
    assert listed["familyServicesReceived"] == {"nodes": [], "pageInfo": listed["familyServicesReceived"]["pageInfo"],
                                                "totalCount": 0}  # fmt: skip
    hidden = await gql.op("ServiceReceived", {"id": received_id}, token=lead_token)
    missing = await gql.op("ServiceReceived", {"id": str(uuid.uuid4())}, token=lead_token)
    assert hidden == missing and code(hidden["errors"][0]) == "NOT_FOUND"
    # and a worker not on the team cannot record one (the family is not found for them)
    outsider = await create_user(sessions, agency=health)
    refused = await record(gql, await sign_in(gql, outsider), family, service_id, health)
    assert code(refused["errors"][0]) == "NOT_FOUND"


async def test_a_retried_record_with_its_key_is_recorded_once(gql, sessions):
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    token = await sign_in(gql, lead)
    family = await create_family(sessions, lead=lead)
    service_id = (await services_by_code(gql, token))["mentoring"]["id"]
    key = str(uuid.uuid4())
    first = await record(gql, token, family, service_id, agency, idempotencyKey=key)
    second = await record(gql, token, family, service_id, agency, idempotencyKey=key)
    assert first["data"]["serviceReceivedRecord"]["id"] == second["data"]["serviceReceivedRecord"]["id"]
    listed = await gql.data("FamilyServicesReceived", {"familyId": str(family.id)}, token=token)
    assert listed["familyServicesReceived"]["totalCount"] == 1


async def test_erasing_a_family_erases_the_services_it_received(gql, sessions):
    # given a closed family due for erasure that received a service
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead)
    await create_service_received_content(sessions, family=family, owner=area.lead, category="health")
    # when an IG officer erases it
    erase = {"input": {"familyId": str(family.id), "confirmReference": family.reference,
                       "reason": "Retention period over; no reason to keep the records."}}  # fmt: skip
    await gql.data("FamilyErase", erase, await issue_token(sessions, area.ig))
    # then no service received of it is left
    async with sessions() as session:
        left = await session.exec(select(ServiceReceived).where(ServiceReceived.family_id == family.id))
        assert left.all() == []
