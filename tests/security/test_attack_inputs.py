"""Hostile input: SQL and HTML in every text field of every mutation that creates something is stored and
returned verbatim (never run, never mangled); fields a caller may not set (owner, author, timestamps,
versions, status) cannot be set through any input; and a signed-out token stays dead."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache

import httpx
import pytest
import sqlalchemy as sa
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType, build_schema

from server.config import REPO_ROOT
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_contribution, issue_token
from tests.db_helpers import row_counts
from tests.graphql_client import GraphQLClient, code
from tests.reliability.test_idempotency_everywhere import CREATES, Case, result_of
from tests.security.edit_cases import any_case
from tests.security.test_attack_subscriptions import refused_at_init

PAYLOAD = "Robert'); DROP TABLE family;-- <script>alert(1)</script><img src=x onerror=alert(2)> %s \\' OR 1=1 --"
SHORT = "<b>'--"  # for fields of a few dozen characters at most

FAMILY_TABLES = (
    "family_member",
    "family_network_member",
    "team_membership",
    "contribution",
    "consent",
    "engagement_agreement",
    "safeguarding_override",
    "sharing_decision",
    "plan_goal",
    "plan_action",
    "taf_meeting",
    "taf_meeting_minutes_item",
    "assessment",
    "review",
    "escalation",
    "referral",
    "contact_log",
    "plan_contingency",
    "service_received",
)
MEETING_TABLES = ("taf_meeting_decision", "taf_meeting_addendum")
CHILD_TABLES = {"assessment_rating": "assessment", "review_goal_progress": "review", "outcome_score": "review"}


@cache
def schema():
    return build_schema((REPO_ROOT / "graphql" / "schema.graphql").read_text())


def unwrap(kind):
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


def mutation_input_type(operation: str) -> GraphQLInputObjectType:
    field = schema().mutation_type.fields[operation[0].lower() + operation[1:]]
    return unwrap(field.args["input"].type)


def inject(
    value: dict, kind: GraphQLInputObjectType, path: str, injected: dict[str, str], tamed: dict[str, str]
) -> dict:
    """Every String field of the input (present or optional) gets the payload, marked with its path; a
    field the service limited (`tamed`) gets the short payload, or keeps its ordinary value."""
    out = dict(value)
    for name, field in kind.fields.items():
        inner = unwrap(field.type)
        here = f"{path}.{name}"
        if isinstance(inner, GraphQLScalarType) and inner.name == "String" and name != "idempotencyKey":
            if isinstance(unwrap(field.type), GraphQLScalarType) and isinstance(
                field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type, GraphQLList
            ):
                continue  # lists of codes (e.g. resilience indicators) are vocabularies, not free text
            if tamed.get(name) == "original":
                continue
            out[name] = injected[here] = SHORT if tamed.get(name) == "short" else f"{PAYLOAD} [{here}]"
        elif name in tamed:  # a nested input the service checks as codes (e.g. ratings): left as it was
            continue
        elif isinstance(inner, GraphQLInputObjectType) and isinstance(out.get(name), dict):
            out[name] = inject(out[name], inner, here, injected, tamed)
        elif isinstance(inner, GraphQLInputObjectType) and isinstance(out.get(name), list):
            out[name] = [inject(item, inner, f"{here}[{i}]", injected, tamed) for i, item in enumerate(out[name])]
    return out


def string_paths(kind: GraphQLInputObjectType, path: str) -> set[str]:
    """The free-text fields of an input type, lists of inputs written `name[]` (as `inject` reaches them)."""
    found: set[str] = set()
    for name, field in kind.fields.items():
        inner, listed = unwrap(field.type), "[" in str(field.type)
        if isinstance(inner, GraphQLScalarType) and inner.name == "String" and not listed and name != "idempotencyKey":
            found.add(f"{path}.{name}")
        elif isinstance(inner, GraphQLInputObjectType):
            found |= string_paths(inner, f"{path}.{name}{'[]' if listed else ''}")
    return found


def strings_in(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


async def stored_strings(sessions, family_id: uuid.UUID) -> set[str]:
    """Every text value stored for the family, from every table that holds its case record."""
    found: set[str] = set()
    async with sessions() as session:
        queries = [("SELECT row_to_json(t)::text FROM family t WHERE id = :f", {})]
        queries += [(f"SELECT row_to_json(t)::text FROM {table} t WHERE family_id = :f", {}) for table in FAMILY_TABLES]
        queries += [
            (
                f"SELECT row_to_json(t)::text FROM {table} t JOIN taf_meeting m ON m.id = t.meeting_id"
                " WHERE m.family_id = :f",
                {},
            )
            for table in MEETING_TABLES
        ]
        queries += [
            (
                f"SELECT row_to_json(t)::text FROM {table} t JOIN {parent} p ON p.id = t.{parent}_id"
                " WHERE p.family_id = :f",
                {},
            )
            for table, parent in CHILD_TABLES.items()
        ]
        for query, _ in queries:
            for (row,) in (await session.exec(sa.text(query), params={"f": family_id})).all():
                found |= strings_in(json.loads(row))
    return found


async def created_with_every_text_field_hostile(gql, case: Case, variables: dict) -> tuple[dict, dict[str, str]]:
    """Send the create with every String field hostile; a field the service validates as a code, a URL or
    the like (BAD_USER_INPUT naming it) gets its ordinary value back. Returns the answer and what stayed."""
    kind = mutation_input_type(case.operation)
    original = variables["input"]
    tamed: dict[str, str] = {}
    for _ in range(20):
        injected: dict[str, str] = {}
        hostile = inject(original, kind, "input", injected, tamed)
        result = await gql.op(case.operation, {"input": hostile}, token=case.token)
        if "errors" not in result:
            # every String of the input type was sent hostile, or refused and named by the service
            exercised = {re.sub(r"\[\d+\]", "[]", path) for path in injected}
            missing = {
                path
                for path in string_paths(kind, "input")
                if path not in exercised and not any(step.removesuffix("[]") in tamed for step in path.split("."))
            }
            assert not missing, (case.operation, missing)
            return result["data"], injected
        error = result["errors"][0]
        assert code(error) == "BAD_USER_INPUT" and error["extensions"].get("field"), (case.operation, error)
        assert "Traceback" not in json.dumps(error)
        field = error["extensions"]["field"]
        assert tamed.get(field) != "original", (case.operation, error)
        tamed[field] = "short" if field not in tamed else "original"
    raise AssertionError(f"{case.operation}: still refused after {tamed}")


# A create of ids, codes, numbers and dates only (a service received) has no free text to sweep; its ids are
# swept in test_attack_every_input.py.
WITH_FREE_TEXT = [operation for operation in CREATES if string_paths(mutation_input_type(operation), "input")]


@pytest.mark.parametrize("operation", WITH_FREE_TEXT)
async def test_sql_and_html_in_every_text_field_are_stored_and_returned_verbatim(gql, sessions, operation):
    # given a valid create (with every optional nested input there)
    case = await any_case(operation, gql, sessions)
    family_id = case.family_id
    if case.count_by == "meeting_id":
        async with sessions() as session:
            statement = sa.text("SELECT family_id FROM taf_meeting WHERE id = :m")
            family_id = (await session.exec(statement, params={"m": case.family_id})).one()[0]
    before = await row_counts(sessions)
    # when every text field holds SQL and markup
    data, injected = await created_with_every_text_field_hostile(gql, case, await case.variables())
    # then every value is stored exactly as sent, and what the answer shows of them is exact too
    assert injected, f"{operation} has no free-text field"
    stored = await stored_strings(sessions, family_id)
    assert set(injected.values()) <= stored, set(injected.values()) - stored
    answered = {s for s in strings_in(result_of(case, data)) if PAYLOAD in s}
    assert answered <= set(injected.values()), answered
    # and the SQL did nothing: every case table is there with the rows it had (plus what was added)
    after = await row_counts(sessions)
    assert set(after) == set(before) and all(after[t] >= before[t] for t in before)


async def test_sql_and_html_in_every_text_field_of_a_new_family_and_item_come_back_verbatim(gql, sessions):
    # given a lead opening a family and adding an item with every text field hostile
    area = await create_area(sessions)
    token = await sign_in(gql, area.lead)
    family = {
        "displayName": "x",
        "levelOfNeed": "targeted",
        "members": [{"fullName": "x", "relationship": "son", "isSubjectChild": True}],
        "leadContact": {"agencyRole": "x"},
    }
    opening = Case("FamilyOpen", token, None, "family", area.family.id)  # type: ignore[arg-type]
    data, injected = await created_with_every_text_field_hostile(gql, opening, {"input": family})
    opened = data["familyOpen"]
    item = {"familyId": opened["id"], "kind": "update", "category": "education", "title": "x", "body": "x"}
    adding = Case("ContributionAdd", token, None, "contribution", area.family.id)  # type: ignore[arg-type]
    data, injected_item = await created_with_every_text_field_hostile(gql, adding, {"input": item})
    # then every value is stored exactly as sent, and reads give the same text back
    assert len(injected) == 7 and len(injected_item) == 2
    stored = await stored_strings(sessions, uuid.UUID(opened["id"]))
    assert set(injected.values()) | set(injected_item.values()) <= stored
    read = (await gql.data("Contribution", {"id": data["contributionAdd"]["id"]}, token=token))["contribution"]
    page = (await gql.data("Family", {"id": opened["id"]}, token=token))["family"]
    assert (read["title"], read["body"]) == (injected_item["input.title"], injected_item["input.body"])
    assert page["displayName"] == injected["input.displayName"]
    assert page["members"][0]["fullName"] == injected["input.members[0].fullName"]


# Mass assignment: inputs are closed types, so a field the schema does not offer is refused outright
# (nothing is stored); fields the server sets are set by the server whatever the caller sends.
FORBIDDEN_FIELDS = {
    "ContributionAdd": ["owningAgencyId", "owningAgency", "authorId", "authorUserId", "createdAt", "version", "id"],
    "FamilyOpen": ["status", "reference", "createdAt", "id", "version"],
    "ContributionEdit": ["owningAgencyId", "authorId", "updatedAt", "familyId"],
    "PlanActionAdd": ["status", "createdAt", "createdById", "version"],
    "EscalationRaise": ["ackDueAt", "acknowledgedAt", "raisedById", "outcome"],
    "SafeguardingOverrideRecord": ["reviewedAt", "revokedAt", "decidedById"],
    "ConsentRecord": ["recordedById", "withdrawnAt", "createdAt"],
    # edits, withdrawals, transitions: who did it, when, and the resulting state are the server's
    "FamilyUpdate": ["reference", "createdAt", "closedAt", "version", "leadProfessionalId"],
    "TeamMemberEnd": ["endedAt", "endedById", "role"],
    "LeadProfessionalSet": ["role", "startedAt", "previousLeadId"],
    "ConsentWithdraw": ["withdrawnAt", "withdrawnById", "status"],
    "SafeguardingOverrideRevoke": ["revokedAt", "revokedById", "expiresAt"],
    "SafeguardingOverrideReview": ["reviewedAt", "reviewedById"],
    "AuditDisclosureBlock": ["blockedAt", "blockedById", "familyId"],
    "PlanGoalEdit": ["familyId", "createdAt", "createdById", "version"],
    "PlanActionEdit": ["familyId", "completedAt", "createdById", "version"],
    "MeetingReschedule": ["status", "familyId", "createdById", "version"],
    "MeetingCancel": ["status", "cancelledAt", "cancelledById"],
    "MeetingAttendanceRecord": ["status", "heldAt"],
    "MinutesItemAdd": ["owningAgencyId", "authorUserId", "position", "familyId", "createdAt"],
    "MinutesItemEdit": ["owningAgencyId", "authorUserId", "position", "familyId", "meetingId"],
    "MinutesPublish": ["publishedAt", "publishedById", "minutes"],
    "EscalationAcknowledge": ["acknowledgedAt", "acknowledgedById", "status"],
    "EscalationResolve": ["resolvedAt", "resolvedById", "status", "familyId"],
    "FamilyStepUp": ["status", "levelOfNeed", "decidedById"],
    "FamilyStepDown": ["status", "decidedById"],
    "FamilyClose": ["status", "closedAt", "closedById"],
    "FamilyReopen": ["status", "closedAt", "reopenedById"],
    "PortalInvitationIssue": ["tokenHash", "expiresAt", "status", "issuedById"],
    "ReferralRecord": ["owningAgencyId", "recordedById", "decidedById", "outcome", "version"],
    "ReferralDecide": ["decidedById", "decidedByUserId", "familyId", "receivedOn"],
}


async def valid_input(operation: str, gql, sessions) -> tuple[str, dict, object]:
    area = await create_area(sessions)
    if operation == "ContributionAdd":
        token = await issue_token(sessions, area.colleague)
        title = f"mass {uuid.uuid4()}"
        variables = {"familyId": str(area.family.id), "kind": "update", "category": "education"}
        return token, {"input": variables | {"title": title, "body": "b"}}, area
    if operation == "FamilyOpen":
        variables = {
            "displayName": f"Mass {uuid.uuid4()}",
            "levelOfNeed": "targeted",
            "members": [{"fullName": "Ann", "relationship": "daughter", "isSubjectChild": True}],
            "leadContact": {"agencyRole": "Support"},
        }
        return await issue_token(sessions, area.lead), {"input": variables}, area
    if operation == "ContributionEdit":
        item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
        variables = {"contributionId": str(item.id), "expectedVersion": 1, "title": "edited"}
        return await issue_token(sessions, area.colleague), {"input": variables}, area
    case = await any_case(operation, gql, sessions)
    return case.token, await case.variables(), area


@pytest.mark.parametrize("operation", sorted(FORBIDDEN_FIELDS))
async def test_fields_the_server_sets_cannot_be_assigned_through_an_input(gql, sessions, operation):
    token, variables, area = await valid_input(operation, gql, sessions)
    value = {
        "owningAgencyId": str(area.outsider.agency_id),
        "owningAgency": str(area.outsider.agency_id),
        "familyId": str(uuid.uuid4()),
    }
    for field in FORBIDDEN_FIELDS[operation]:
        before = await row_counts(sessions)
        sent = {"input": {**variables["input"], field: value.get(field, "2020-01-01T00:00:00+00:00")}}
        result = await gql.op(operation, sent, token=token)
        # then the request is refused as a whole, naming the field, and nothing is stored
        assert result.get("data") is None, (operation, field, result)
        error = result["errors"][0]
        assert code(error) == "BAD_USER_INPUT" and field in error["message"], (operation, field, error)
        assert await row_counts(sessions) == before


async def test_the_server_sets_owner_author_time_and_version_whatever_the_caller_is(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague)
    item = {"familyId": str(area.family.id), "kind": "update", "category": "education", "title": "t", "body": "b"}
    added = (await gql.data("ContributionAdd", {"input": item}, token=token))["contributionAdd"]
    assert added["owningAgency"]["id"] == str(area.school.id)
    assert added["author"]["id"] == str(area.colleague.id) and added["version"] == 1
    created = datetime.fromisoformat(added["createdAt"])
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=5)


async def test_only_the_lead_sets_status_level_and_lead_and_only_the_owner_edits(gql, sessions):
    # given a colleague on the team (not the lead) and the school's item
    area = await create_area(sessions)
    colleague = await sign_in(gql, area.colleague)
    lead = await sign_in(gql, area.lead)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    family_id = str(area.family.id)
    attempts = [
        (colleague, "FamilyUpdate", {"input": {"familyId": family_id, "expectedVersion": 1, "status": "closed"}}),
        (
            colleague,
            "FamilyUpdate",
            {"input": {"familyId": family_id, "expectedVersion": 1, "levelOfNeed": "statutory"}},
        ),
        (colleague, "LeadProfessionalSet", {"input": {"familyId": family_id, "userId": str(area.colleague.id)}}),
        (lead, "ContributionEdit", {"input": {"contributionId": str(item.id), "expectedVersion": 1, "title": "mine"}}),
    ]
    for token, operation, variables in attempts:
        before = await row_counts(sessions)
        error = await gql.error(operation, variables, token=token)
        assert code(error) in {"FORBIDDEN", "NOT_FOUND"}, (operation, error)
        assert await row_counts(sessions) == before
    read = (await gql.data("Contribution", {"id": str(item.id)}, token=colleague))["contribution"]
    assert read["title"] == item.title and read["version"] == 1
    family = (await gql.data("Family", {"id": family_id}, token=lead))["family"]
    assert family["status"] == "active" and family["levelOfNeed"] == "targeted"


async def test_a_signed_out_token_is_dead_on_every_instance_for_reads_writes_and_sockets(
    gql, sessions, live_server, second_server
):
    # given a worker who signed out on one instance
    area = await create_area(sessions)
    token = await sign_in(gql, area.colleague, fresh=True)
    await gql.data("Logout", token=token)
    # when the same token is used again, on the other instance too
    async with httpx.AsyncClient(base_url=second_server, timeout=30) as http:
        other = GraphQLClient(http)
        item = {"familyId": str(area.family.id), "kind": "update", "category": "education", "title": "t", "body": "b"}
        before = await row_counts(sessions)
        refusals = [
            await gql.error("Family", {"id": str(area.family.id)}, token=token),
            await other.error("Family", {"id": str(area.family.id)}, token=token),
            await other.error("ContributionAdd", {"input": item}, token=token),
        ]
    # then every use is UNAUTHENTICATED, nothing changed, and a socket is refused at connection_init
    assert [code(error) for error in refusals] == ["UNAUTHENTICATED"] * 3
    assert await row_counts(sessions) == before
    assert await refused_at_init(second_server, token) == 4403
