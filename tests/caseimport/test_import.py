"""Importing historic cases (docs/IMPORT.md) through the API: the documented example file, checked in full
and loaded in one go by an administrator or IG officer; every problem reported by row and field; one bad
row writes nothing; files too large or not in the format refused before any work; nobody else may."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
import sqlalchemy as sa

from server.config import REPO_ROOT
from tests.auth_helpers import sign_in
from tests.builders import create_area
from tests.graphql_client import code

EXAMPLE = json.loads((REPO_ROOT / "docs" / "import" / "example.json").read_text())
LEAD_EMAIL, SCHOOL_EMAIL = "sam.okafor@early-help.example.org", "dan.price@school.example.org"


def example_for(area, **changes) -> dict:
    """The documented example, with the area's staff in place of the example's, made unique per test."""
    text = json.dumps(EXAMPLE).replace(LEAD_EMAIL, area.lead.email).replace(SCHOOL_EMAIL, area.colleague.email)
    document = json.loads(text)
    for family in document["families"]:
        family["sourceReference"] += f"-{uuid.uuid4().hex[:6]}"
    return document


def variables(document: dict | str, dry_run: bool) -> dict:
    content = document if isinstance(document, str) else json.dumps(document)
    return {"input": {"content": content, "dryRun": dry_run}}


async def count(sessions, table: str) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text(f"SELECT count(*) FROM {table}"))).one()[0]


TABLES = ("family", "family_member", "team_membership", "assessment", "assessment_rating", "family_transition")
TABLES += ("service_received",)


async def counts(sessions) -> dict[str, int]:
    return {table: await count(sessions, table) for table in (*TABLES, "case_import")}


async def test_a_dry_run_reports_what_the_file_holds_and_writes_nothing(gql, sessions):
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    before = await counts(sessions)
    report = (await gql.data("CaseImport", variables(example_for(area), True), token=admin))["caseImport"]
    assert (report["dryRun"], report["imported"], report["problemCount"], report["problems"]) == (True, False, 0, [])
    assert (report["families"], report["members"], report["teamMembers"]) == (2, 3, 3)
    assert (report["assessments"], report["ratings"], report["transitions"]) == (3, 5, 2)
    assert report["servicesReceived"] == 3
    assert await counts(sessions) == before


async def test_the_example_imports_with_its_real_dates_and_the_team_reads_it_through_the_usual_rules(gql, sessions):
    # given the documented example, with the area's lead and school worker on the teams
    area = await create_area(sessions)
    document = example_for(area)
    before = await counts(sessions)
    # when an administrator imports it
    admin = await sign_in(gql, area.admin)
    report = (await gql.data("CaseImport", variables(document, False), token=admin))["caseImport"]
    # then everything was written, once, and each family got a TAF reference
    assert report["imported"] and report["families"] == 2
    after = await counts(sessions)
    assert {t: after[t] - before[t] for t in after} == {
        "family": 2,
        "family_member": 3,
        "team_membership": 3,
        "assessment": 3,
        "assessment_rating": 5,
        "family_transition": 2,
        "service_received": 3,
        "case_import": 1,
    }
    sources = [family["sourceReference"] for family in document["families"]]
    assert [r["sourceReference"] for r in report["references"]] == sources
    # and the lead finds the Carters opened and closed on the real days, at the exit assessment's level
    lead = await sign_in(gql, area.lead)
    carter = await family_by_reference(sessions, report["references"][0]["reference"])
    family = (await gql.data("Family", {"id": carter}, token=lead))["family"]
    assert family["openedAt"].startswith("2023-04-03") and family["closedAt"].startswith("2024-01-12")
    assert (family["status"], family["levelOfNeed"]) == ("closed", "targeted")
    assessments = (await gql.data("FamilyAssessments", {"familyId": carter}, token=lead))["familyAssessments"]
    assert [(a["stage"], a["assessedOn"], a["levelOfNeed"]) for a in assessments] == [
        ("entry", "2023-04-20", "specialist"),
        ("exit", "2024-01-08", "targeted"),
    ]
    # (closed over 90 days ago, its case content is past the team's read period: the ratings are stored)
    async with sessions() as session:
        statement = sa.text(
            "SELECT r.factor, r.rating FROM assessment_rating r JOIN assessment a ON a.id = r.assessment_id"
            " WHERE a.family_id = :id AND a.stage = 'exit'"
        )
        ratings = dict((await session.exec(statement, params={"id": carter})).all())
    assert ratings == {"family_debt": "no_longer_a_risk", "school_attendance": "low"}
    # and the Rivers family, still open, shows the lead its entry ratings, through the usual rules
    rivers = await family_by_reference(sessions, report["references"][1]["reference"])
    entry = (await gql.data("FamilyAssessments", {"familyId": rivers}, token=lead))["familyAssessments"][0]
    assert entry["contentVisible"] and [(r["factor"], r["rating"]) for r in entry["ratings"]] == [
        ("family_debt", "low")
    ]
    family = (await gql.data("Family", {"id": rivers}, token=lead))["family"]
    assert (family["status"], family["levelOfNeed"], family["closedAt"]) == ("active", "targeted", None)
    transitions = (await gql.data("FamilyTransitions", {"familyId": carter}, token=lead))["familyTransitions"]
    assert [(t["kind"], t["effectiveOn"]) for t in transitions] == [
        ("step_down", "2023-11-01"),
        ("closure", "2024-01-12"),
    ]
    # and the school's worker, on the Carters' team, sees their record; an outsider does not
    school = await sign_in(gql, area.colleague)
    assert (await gql.data("Family", {"id": carter}, token=school))["family"]["id"] == carter
    outsider = await sign_in(gql, area.outsider)
    assert code(await gql.error("Family", {"id": carter}, token=outsider)) == "NOT_FOUND"
    # and the audit log holds one event for the import, with the file's fingerprint
    async with sessions() as session:
        statement = sa.text("SELECT detail FROM audit_event WHERE action = 'caseImport' AND detail->>'sha256' = :sha")
        events = (await session.exec(statement, params={"sha": report["sha256"]})).scalars().all()
    assert len(events) == 1 and events[0]["families"] == 2 and events[0]["imported"] is True
    # and the same file a second time is refused
    error = await gql.error("CaseImport", variables(document, False), token=admin)
    assert code(error) == "CONFLICT" and "already imported" in error["message"]
    assert await count(sessions, "family") == after["family"]


async def family_by_reference(sessions, reference: str) -> str:
    async with sessions() as session:
        statement = sa.text("SELECT id FROM family WHERE reference = :reference")
        return str((await session.exec(statement, params={"reference": reference})).one()[0])


async def test_an_ig_officer_may_import_too(gql, sessions):
    area = await create_area(sessions)
    ig = await sign_in(gql, area.ig)
    report = (await gql.data("CaseImport", variables(example_for(area), False), token=ig))["caseImport"]
    assert report["imported"]


@pytest.mark.parametrize("who", ["lead", "manager", "colleague"])
async def test_nobody_else_may_import(gql, sessions, who):
    area = await create_area(sessions)
    token = await sign_in(gql, getattr(area, who))
    before = await counts(sessions)
    for dry_run in (True, False):
        assert code(await gql.error("CaseImport", variables(example_for(area), dry_run), token=token)) == "FORBIDDEN"
    assert await counts(sessions) == before


async def test_a_dry_run_reports_every_problem_by_row_and_field(gql, sessions):
    # given a file breaking the domain's rules in several places
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    document = example_for(area)
    carter, rivers = document["families"]
    carter["closedOn"] = "2023-01-01"  # before it was opened: and so all it records is after the closure
    carter["members"][1]["isSubjectChild"] = False  # no subject child
    carter["transitions"][0]["levelOfNeed"] = "specialist"  # a step down is to universal or targeted
    rivers["assessments"][0]["assessedOn"] = "2999-01-01"  # in the future
    rivers["team"][0]["email"] = "nobody@nowhere.example"  # no such worker: and so no lead
    before = await counts(sessions)
    # when it is dry-run
    report = (await gql.data("CaseImport", variables(document, True), token=admin))["caseImport"]
    # then every problem is reported, by row and field, and nothing was written
    problems = {(p["row"], p["field"]): p["message"] for p in report["problems"]}
    assert set(problems) == {
        (1, "members"),
        (1, "closure.closedOn"),
        (1, "assessments[1].assessedOn"),
        (1, "assessments[2].assessedOn"),
        (1, "transitions[1].levelOfNeed"),
        (2, "team[1].email"),
        (2, "assessments[1].assessedOn"),
    }, report["problems"]
    assert "future" in problems[(2, "assessments[1].assessedOn")]
    assert "before the family's record was opened" in problems[(1, "closure.closedOn")]
    assert report["problemCount"] == len(report["problems"]) == 7
    assert await counts(sessions) == before


async def test_a_family_of_the_wrong_shape_is_reported_for_its_shape(gql, sessions):
    # given a family naming a member it does not have, and one with a section the format does not have
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    document = example_for(area)
    carter, rivers = document["families"]
    carter["assessments"][1]["ratings"][1]["member"] = "nobody"
    carter["openedOn"] = "3 April 2023"
    rivers["services"] = [{"code": "respite"}]  # the service is named by "service"
    rivers["hobbies"] = []  # no section handles it
    report = (await gql.data("CaseImport", variables(document, True), token=admin))["caseImport"]
    assert {(p["row"], p["field"]) for p in report["problems"]} == {
        (1, "assessments[2].ratings[2].member"),
        (1, "openedOn"),
        (2, "hobbies"),
    }, report["problems"]
    # with its shape right, the services section reports its own shape by row and field
    del rivers["hobbies"]
    report = (await gql.data("CaseImport", variables(document, True), token=admin))["caseImport"]
    assert {(p["row"], p["field"]) for p in report["problems"] if p["row"] == 2} == {
        (2, "services[1].code"),
        (2, "services[1].service"),
        (2, "services[1].startedOn"),
        (2, "services[1].quantity"),
    }, report["problems"]


async def test_one_bad_row_writes_nothing_and_the_error_names_its_row_and_field(gql, sessions):
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    document = example_for(area)
    document["families"][1]["assessments"][0]["assessedOn"] = "2999-01-01"
    before = await counts(sessions)
    error = await gql.error("CaseImport", variables(document, False), token=admin)
    assert code(error) == "BAD_USER_INPUT"
    assert (error["extensions"]["row"], error["extensions"]["field"]) == (2, "assessments[1].assessedOn")
    assert "Nothing was imported" in error["message"] and "family 2" in error["message"]
    assert await counts(sessions) == before


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("families,openedOn\nCarter,2023-04-03\n", "not JSON"),
        (json.dumps({"format": "other/2", "families": []}), "not an import file"),
        (json.dumps([1, 2]), "not an import file"),
        (json.dumps({"format": "taf-import/1", "families": []}), 'no "families"'),
        (json.dumps({"format": "taf-import/1", "families": [{}] * 5001}), "split it"),
        (json.dumps({"format": "taf-import/1", "families": [{"displayName": "x" * 70_000}]}), "bytes"),
    ],
)
async def test_a_file_too_large_or_of_the_wrong_format_is_refused_before_any_work(gql, sessions, content, says):
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    before = await counts(sessions)
    error = await gql.error("CaseImport", variables(content, True), token=admin)
    assert (code(error), error["extensions"].get("field")) == ("BAD_USER_INPUT", "content"), error
    assert says in error["message"]
    assert await counts(sessions) == before


def test_the_example_is_documented():
    guide = (REPO_ROOT / "docs" / "IMPORT.md").read_text()
    assert "docs/import/example.json" in guide
    for field in ("sourceReference", "openedOn", "closedOn", "members", "team", "assessments", "transitions"):
        assert f"`{field}`" in guide
    assert copy.deepcopy(EXAMPLE)["format"] == "taf-import/1"


async def test_services_received_are_checked_by_row_and_field_and_imported_at_their_start_days_price(gql, sessions):
    # given the example with its services broken in each way the services domain refuses
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    document = example_for(area)
    carter, rivers = document["families"]
    carter["services"][0]["service"] = "Swimming lessons"  # not on the services list
    carter["services"][1]["startedOn"] = "2024-02-01"  # after the closure (2024-01-12)
    rivers["services"].append({"service": "respite_short_breaks", "startedOn": "2024-05-01", "quantity": 0})
    rivers["services"].append({"service": "parenting_programme", "startedOn": "2024-05-01", "endedOn": "2024-04-01",
                               "quantity": 2})  # fmt: skip
    rivers["services"].append({"service": "parenting_programme", "startedOn": "2999-01-01", "quantity": 2})
    rivers["services"].append({"service": "parenting_programme", "startedOn": "2024-05-01", "quantity": "two"})
    before = await counts(sessions)
    # when it is dry-run, then every problem is named by row and field, and nothing is written
    report = (await gql.data("CaseImport", variables(document, True), token=admin))["caseImport"]
    problems = {(p["row"], p["field"]): p["message"] for p in report["problems"]}
    assert set(problems) == {
        (1, "services[1].service"),
        (1, "services[2].startedOn"),
        (2, "services[2].quantity"),
        (2, "services[3].endedOn"),
        (2, "services[4].startedOn"),
        (2, "services[5].quantity"),
    }, report["problems"]
    assert "Swimming lessons" in problems[(1, "services[1].service")]
    assert "closed" in problems[(1, "services[2].startedOn")]
    assert "1 to 10000" in problems[(2, "services[2].quantity")]
    assert await counts(sessions) == before
    # and a real run of the file writes nothing, naming the first problem
    error = await gql.error("CaseImport", variables(document, False), token=admin)
    assert (error["extensions"]["row"], error["extensions"]["field"]) == (1, "services[1].service")
    assert await counts(sessions) == before


async def test_imported_services_received_are_the_lead_agencys_at_the_start_days_price(gql, sessions):
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    report = (await gql.data("CaseImport", variables(example_for(area), False), token=admin))["caseImport"]
    assert (report["imported"], report["servicesReceived"]) == (True, 3)
    lead = await sign_in(gql, area.lead)
    rivers = await family_by_reference(sessions, report["references"][1]["reference"])
    found = (await gql.data("FamilyServicesReceived", {"familyId": rivers}, token=lead))["familyServicesReceived"]
    [received] = found["nodes"]
    # eight parenting sessions at the list's £90 a session
    assert (received["serviceName"], received["startedOn"], received["endedOn"]) == (
        "Parenting programme",
        "2024-03-10",
        "2024-04-28",
    )
    assert (received["quantity"], received["unitPricePence"], received["cost"]) == (8, 9000, "720.00")
    assert (received["owningAgency"]["id"], received["providerAgency"]["id"]) == (str(area.lead.agency_id),) * 2
    # the Carters' services (named by code and by name) are stored, priced at their start days
    carter = await family_by_reference(sessions, report["references"][0]["reference"])
    async with sessions() as session:
        statement = sa.text(
            "SELECT s.code, r.quantity, r.unit_price_pence FROM service_received r"
            " JOIN catalogue_service s ON s.id = r.service_id WHERE r.family_id = :id ORDER BY r.started_on"
        )
        rows = [tuple(row) for row in (await session.exec(statement, params={"id": carter})).all()]
    assert rows == [("intensive_family_support", 12, 35_000), ("family_group_conference", 1, 120_000)]
