"""A family referred again after its case closed: the referral is linked to the earlier case, whether the
same family's record or a closed family sharing a member (same name and date of birth), and only for
those who may see that earlier case."""

from __future__ import annotations

import uuid
from datetime import date

from server.db.engine import unit_of_work
from server.family.models import FamilyMember
from server.referral.models import Referral
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_family
from tests.builders_journey import close_through_the_api
from tests.graphql_client import code
from tests.referral.test_referrals import record_input


async def record(gql, family, token) -> dict:
    variables = record_input(family.id, receivedOn=date.today().isoformat())
    return (await gql.data("ReferralRecord", variables, token=token))["referralRecord"]


async def add_member(sessions, family, name: str, born: date) -> None:
    async with unit_of_work(sessions) as session:
        session.add(FamilyMember(family_id=family.id, full_name=name, relationship="son", date_of_birth=born))


async def test_a_closed_family_referred_again_is_linked_to_its_own_earlier_case(gql, sessions):
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    first = await record(gql, area.family, lead)
    assert (first["reReferral"], first["earlierFamilyReference"]) == (False, None)
    await close_through_the_api(gql, area.family, lead)
    again = await record(gql, area.family, lead)
    assert (again["reReferral"], again["earlierFamilyId"]) == (True, str(area.family.id))
    assert again["earlierFamilyReference"] == area.family.reference


async def test_a_new_record_sharing_a_member_with_a_closed_family_is_linked_to_it(gql, sessions):
    # given a closed family with Leo Rivers, born 3 September 2013, and a new record for him led by the same lead
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    await add_member(sessions, area.family, "Leo Rivers", date(2013, 9, 3))
    await close_through_the_api(gql, area.family, lead)
    new = await create_family(sessions, lead=area.lead, contributors=(area.outsider,))
    await add_member(sessions, new, "LEO RIVERS", date(2013, 9, 3))
    # when the lead records the referral on the new record
    referral = await record(gql, new, lead)
    # then it is a re-referral of the closed case
    assert (referral["reReferral"], referral["earlierFamilyReference"]) == (True, area.family.reference)
    # and a worker on the new team who may not see the closed case learns nothing of it
    seen = (await gql.data("Referral", {"id": referral["id"]}, token=await sign_in(gql, area.outsider)))["referral"]
    assert (seen["reReferral"], seen["earlierFamilyId"], seen["earlierFamilyReference"]) == (False, None, None)
    assert area.family.reference not in str(seen)


async def test_a_closed_family_the_lead_may_not_see_is_never_matched(gql, sessions):
    # given a closed family with Leo Rivers that another area's lead worked with
    area, other = await create_area(sessions), await create_area(sessions)
    await add_member(sessions, other.family, "Leo Rivers", date(2013, 9, 3))
    await close_through_the_api(gql, other.family, await sign_in(gql, other.lead))
    # when this area's lead records a referral for a family with the same child
    await add_member(sessions, area.family, "Leo Rivers", date(2013, 9, 3))
    referral = await record(gql, area.family, await sign_in(gql, area.lead))
    # then nothing links it to (or tells of) the other family's case
    assert (referral["reReferral"], referral["earlierFamilyId"]) == (False, None)
    async with sessions() as session:
        row = await session.get(Referral, uuid.UUID(referral["id"]))
        assert row is not None and row.earlier_family_id is None
    assert code(await gql.error("Family", {"id": str(other.family.id)}, token=await sign_in(gql, area.lead))) == (
        "NOT_FOUND"
    )
