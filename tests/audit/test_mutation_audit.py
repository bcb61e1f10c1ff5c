"""Every mutation runs through one helper (server/api/context.py, `Context.mutate`): one audit row per
change, about the family it touched, with the mutation's detail; a retry under an idempotency key says
it replayed; a refusal is recorded as denied while the change itself rolls back."""

from __future__ import annotations

import uuid

from sqlmodel import col, select

from server.audit.models import AuditEvent, AuditOutcome
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code


async def audited(sessions, action: str, actor_id: uuid.UUID) -> list[tuple]:
    async with sessions() as session:
        statement = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.actor_user_id == actor_id)
        rows = (await session.exec(statement.order_by(col(AuditEvent.id)))).all()
    return [(row.outcome, row.family_id, row.detail) for row in rows]


def new_item(family_id: uuid.UUID, key: str) -> dict:
    item = {"familyId": str(family_id), "kind": "concern", "category": "education", "title": "Attendance"}
    return {"input": item | {"body": "Missed 9 of the last 30 sessions.", "idempotencyKey": key}}


async def test_a_change_is_audited_about_its_family_and_a_retry_says_it_replayed(gql, sessions):
    # given
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    variables = new_item(area.family.id, str(uuid.uuid4()))
    # when an item is added, then the same request is retried
    first = (await gql.data("ContributionAdd", variables, token=token))["contributionAdd"]
    retry = (await gql.data("ContributionAdd", variables, token=token))["contributionAdd"]
    # then the retry answers with the first item, and the log has the change and the replay
    assert retry["id"] == first["id"]
    assert await audited(sessions, "contributionAdd", area.colleague.id) == [
        (
            AuditOutcome.allowed,
            area.family.id,
            {"idempotencyKeyReplayed": False, "contributionId": first["id"], "category": "education"},
        ),
        (AuditOutcome.allowed, area.family.id, {"idempotencyKeyReplayed": True}),
    ]


async def test_a_change_named_by_its_item_is_audited_about_the_item_s_family(gql, sessions):
    # given an item of the colleague's agency
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    item = await gql.data("ContributionAdd", new_item(area.family.id, str(uuid.uuid4())), token=token)
    item_id = item["contributionAdd"]["id"]
    # when it is edited (the input names the item, not the family)
    edit = {"input": {"contributionId": item_id, "expectedVersion": 1, "title": "Attendance fell"}}
    await gql.data("ContributionEdit", edit, token=token)
    # then
    assert await audited(sessions, "contributionEdit", area.colleague.id) == [
        (AuditOutcome.allowed, area.family.id, {"contributionId": item_id, "version": 2})
    ]


async def test_a_new_family_is_audited_about_itself_on_the_first_attempt_and_on_a_retry(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    member = {"fullName": "Leo Rivers", "relationship": "son", "isSubjectChild": True}
    opening = {"displayName": "The Rivers family", "levelOfNeed": "targeted", "members": [member]}
    variables = {"input": opening | {"leadContact": {"agencyRole": "Family support"}, "idempotencyKey": "k" * 20}}
    first = (await gql.data("FamilyOpen", variables, token=token))["familyOpen"]
    retry = (await gql.data("FamilyOpen", variables, token=token))["familyOpen"]
    assert retry["id"] == first["id"]
    family_id = uuid.UUID(first["id"])
    assert await audited(sessions, "familyOpen", area.lead.id) == [
        (AuditOutcome.allowed, family_id, {"idempotencyKeyReplayed": False}),
        (AuditOutcome.allowed, family_id, {"idempotencyKeyReplayed": True}),
    ]


async def test_a_refused_change_is_recorded_as_denied_and_changes_nothing(gql, sessions):
    # given a worker who is on the team but not its lead
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    update = {"input": {"familyId": str(area.family.id), "expectedVersion": 1, "status": "active"}}
    # when they change the family's status
    error = await gql.error("FamilyUpdate", update, token=token)
    # then FORBIDDEN, recorded as denied about the family, and the family is as it was
    assert code(error) == "FORBIDDEN"
    assert await audited(sessions, "familyUpdate", area.colleague.id) == [
        (AuditOutcome.denied, area.family.id, {"code": "FORBIDDEN"})
    ]
    family = (await gql.data("Family", {"id": str(area.family.id)}, token=token))["family"]
    assert (family["status"], family["version"]) == (area.family.status.value, 1)
