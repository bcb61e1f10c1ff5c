"""The IG officer's audit log: plain-English entries with who, which family, whose information and which
category; filters by family, person, kind, outcome and dates; keyset pages; and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from server.access.enforcer import build_enforcer
from server.access.pep import AccessControl
from server.audit import log as audit_log
from server.audit import service as audit_service
from server.audit.log import UK, AuditLogFilter
from server.auth.service import actor_from
from server.config import REPO_ROOT
from server.db.engine import unit_of_work
from server.user.models import SystemRole
from tests.api.test_pagination import every_page
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent, create_contribution, create_user
from tests.graphql_client import code


def today() -> str:
    return datetime.now(UK).date().isoformat()


async def entries(gql, token: str, **audit_filter) -> list[dict]:
    data = await gql.data("AuditEvents", {"filter": audit_filter, "first": 100}, token=token)
    return data["auditEvents"]["nodes"]


async def shared_and_read(gql, sessions):
    """An area whose lead (early help) read the school's education item, shared by consent."""
    area = await create_area(sessions)
    await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    return area


async def test_a_read_says_who_which_family_whose_information_and_which_category(gql, sessions):
    # given the lead read the school's education item
    area = await shared_and_read(gql, sessions)
    # when the IG officer looks at the family's entries
    nodes = await entries(gql, await sign_in(gql, area.ig), familyReference=area.family.reference)
    # then the read is named in words, with its facts, never its content
    read = next(node for node in nodes if node["action"] == "contribution_read")
    assert read["what"] == "Looked at another agency's contribution"
    assert (read["actorName"], read["actorAgencyName"]) == (area.lead.display_name, area.early_help.name)
    assert read["familyLabel"] == f"{area.family.display_name} ({area.family.reference})"
    assert (read["owningAgencyNames"], read["categories"]) == ([area.school.name], ["education"])
    assert read["withholdable"] is True and read["withheldFromFamily"] is False


async def test_a_sign_in_is_not_about_a_family(gql, sessions):
    area = await create_area(sessions)
    token = await sign_in(gql, area.ig, fresh=True)
    nodes = await entries(gql, token, actor=area.ig.email, kind="login")
    assert {(node["what"], node["familyLabel"], node["familyId"], node["actorName"]) for node in nodes} == {
        ("Signed in", None, None, area.ig.display_name)
    }


async def test_filters_by_family_person_kind_outcome_and_dates(gql, sessions):
    # given a read, and a refused lookup by someone outside the team
    area = await shared_and_read(gql, sessions)
    refused = await gql.error("Family", {"id": str(area.family.id)}, token=await sign_in(gql, area.outsider))
    assert code(refused) == "NOT_FOUND"
    ig = await sign_in(gql, area.ig)
    family = {"familyReference": area.family.reference.lower()}
    # when filtering, then
    by_person = await entries(gql, ig, **family, actor=area.outsider.display_name[-6:].upper())
    assert {(node["action"], node["outcome"]) for node in by_person} == {("family_read", "denied")}
    denied = await entries(gql, ig, **family, outcome="denied")
    assert {node["actorName"] for node in denied} == {area.outsider.display_name}
    reads = await entries(gql, ig, **family, kind="contribution_read")
    assert [node["actorName"] for node in reads] == [area.lead.display_name]
    assert len(await entries(gql, ig, **family, **{"from": today(), "to": today()})) == len(
        await entries(gql, ig, **family)
    )
    tomorrow = (datetime.now(UK).date() + timedelta(days=1)).isoformat()
    assert await entries(gql, ig, **family, **{"from": tomorrow}) == []
    assert await entries(gql, ig, familyReference="NO-SUCH-REF") == []


async def test_pages_follow_the_filter_newest_first_each_once(gql, sessions):
    # given five events about a family, and one about another
    area, other = await create_area(sessions), await create_area(sessions)
    async with unit_of_work(sessions) as session:
        for n in range(5):
            await audit_service.record(
                session, None, "familyUpdate", family_id=area.family.id, user_id=area.lead.id, detail={"n": n}
            )
        await audit_service.record(session, None, "familyUpdate", family_id=other.family.id, user_id=area.lead.id)
    # when paging two at a time through the family's updates
    audit_filter = {"familyReference": area.family.reference, "kind": "familyUpdate"}
    token = await sign_in(gql, area.ig)
    pages = await every_page(gql, "AuditEvents", {"filter": audit_filter}, token, lambda data: data["auditEvents"])
    # then
    assert [node["detail"]["n"] for page in pages for node in page["nodes"]] == [4, 3, 2, 1, 0]
    assert [len(page["nodes"]) for page in pages] == [2, 2, 1]


async def test_bad_filters_are_bad_user_input(gql, sessions):
    area = await create_area(sessions)
    ig = await sign_in(gql, area.ig)
    for audit_filter in (
        {"from": "2025-13-01"},
        {"to": "yesterday"},
        {"from": "2025-06-02", "to": "2025-06-01"},
        {"kind": "contribution_peek"},
        {"outcome": "maybe"},
        {"actor": "x" * 201},
    ):
        error = await gql.error("AuditEvents", {"filter": audit_filter}, token=ig)
        assert code(error) == "BAD_USER_INPUT", audit_filter
        error = await gql.error("AuditLogExport", {"input": audit_filter}, token=ig)
        assert code(error) == "BAD_USER_INPUT", audit_filter
    error = await gql.error("AuditEvents", {"after": "not a cursor"}, token=ig)
    assert code(error) == "BAD_USER_INPUT"


async def test_only_ig_officers_read_or_export_the_log(gql, sessions):
    area = await create_area(sessions)
    for user in (area.lead, area.manager, area.admin):
        token = await sign_in(gql, user)
        assert code(await gql.error("AuditEvents", {}, token=token)) == "FORBIDDEN"
        assert code(await gql.error("AuditEventKinds", {}, token=token)) == "FORBIDDEN"
        assert code(await gql.error("AuditLogExport", {"input": {}}, token=token)) == "FORBIDDEN"
    kinds = (await gql.data("AuditEventKinds", {}, token=await sign_in(gql, area.ig)))["auditEventKinds"]
    assert {"code": "consentRecord", "name": "Recorded consent"} in kinds


async def test_the_export_holds_every_matching_entry_and_is_itself_audited(gql, sessions):
    # given a read by a worker whose name a spreadsheet would run as a formula
    area = await create_area(sessions)
    sly = await create_user(sessions, agency=area.early_help, name='=HYPERLINK("http://x")')
    async with unit_of_work(sessions) as session:
        for _ in range(3):
            await audit_service.record(session, actor_from(sly), "familyUpdate", family_id=area.family.id)
    ig = await sign_in(gql, area.ig)
    # when the IG officer exports the family's updates
    audit_filter = {"familyReference": area.family.reference, "kind": "familyUpdate"}
    export = (await gql.data("AuditLogExport", {"input": audit_filter}, token=ig))["auditLogExport"]
    # then every one is in the file, named in words, and the formula is written as text
    rows = list(csv.reader(io.StringIO(export["csv"])))
    assert rows[0][:4] == ["Entry", "When (UTC)", "What", "Outcome"]
    assert (export["rowCount"], export["complete"], len(rows)) == (3, True, 4)
    assert {(row[2], row[4], row[6]) for row in rows[1:]} == {
        (
            "Changed a family's record",
            '\'=HYPERLINK("http://x")',
            f"{area.family.display_name} ({area.family.reference})",
        )
    }
    # and the export is an entry of its own, with the filter it used and how many rows
    exports = await entries(gql, ig, actor=area.ig.email, kind="auditLogExport")
    assert exports[0]["what"] == "Exported the audit log"
    assert exports[0]["detail"]["filter"] == audit_filter and exports[0]["detail"]["rows"] == 3


async def test_an_export_over_the_limit_says_it_is_incomplete(sessions):
    area = await create_area(sessions)
    async with unit_of_work(sessions) as session:
        for _ in range(4):
            await audit_service.record(session, None, "familyUpdate", family_id=area.family.id, user_id=area.lead.id)
    access = AccessControl(build_enforcer(REPO_ROOT / "policies"), actor_from(area.ig))
    async with unit_of_work(sessions) as session:
        result = await audit_log.export(session, access, AuditLogFilter(family_id=area.family.id), limit=3)
    assert (result.rows, result.complete, result.csv.count("\r\n")) == (3, False, 4)


async def test_the_export_guards_every_formula_prefix():
    assert [audit_log._cell(text) for text in ("=1", "+1", "-1", "@x", "\tx", "a=b", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "a=b",
        "",
    ]


async def statements_for_a_page(gql, app, sessions, events: int) -> int:
    area = await create_area(sessions)
    other = await create_user(sessions, agency=area.school, role=SystemRole.practitioner)
    async with unit_of_work(sessions) as session:
        for n in range(events):
            await audit_service.record(
                session,
                actor_from(other if n % 2 else area.lead),
                "contribution_read",
                family_id=area.family.id,
                detail={"owningAgencyIds": [str(area.school.id)], "categories": ["education"]},
            )
    token = await sign_in(gql, area.ig)
    audit_filter = {"familyReference": area.family.reference, "kind": "contribution_read"}
    with counting(app.state.taf.engine) as statements:
        nodes = await entries(gql, token, **audit_filter)
        export = (await gql.data("AuditLogExport", {"input": audit_filter}, token=token))["auditLogExport"]
    assert len(nodes) == events == export["rowCount"]
    return len(statements)


async def test_a_page_and_an_export_take_the_same_statements_for_few_or_many_entries(gql, app, sessions):
    assert await statements_for_a_page(gql, app, sessions, 2) == await statements_for_a_page(gql, app, sessions, 30)
