"""The family's chronology through GraphQL: every kind of event on the day it happened, labels not codes,
filters, pages, the CSV export, and case content shown only where the policy lets the reader read it (the
event itself stays where it is a coordination fact the team sees)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from server.agency.models import AgencyKind
from server.audit.models import AuditEvent
from server.audit.read_detail import expanded
from server.chronology.sources import SOURCES
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_area, create_consent, create_contribution, create_override
from tests.builders_content import create_escalation_content
from tests.chronology.world import build_journey, day, third_worker
from tests.graphql_client import code


async def chronology(gql, family_id, token, **variables) -> dict:
    answer = await gql.data("FamilyChronology", {"familyId": str(family_id), "first": 100, **variables}, token=token)
    return answer["family"]["chronology"]


def of_kind(page: dict, kind: str) -> list[dict]:
    return [entry for entry in page["nodes"] if entry["kind"] == kind]


async def test_every_kind_of_event_is_on_the_day_it_happened(gql, sessions):
    # given a family whose journey holds one record of each kind, each happened before it was recorded
    area = await create_area(sessions)
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["health"])
    journey = await build_journey(sessions, area)
    # when the lead reads the chronology
    page = await chronology(gql, area.family.id, await sign_in(gql, area.lead))
    # then every kind of event is there
    assert {entry["kind"] for entry in page["nodes"]} == {source.kind for source in SOURCES} - {
        "safeguarding_override",
        "decision_not_to_share",
        "assessment_corrected",
        "consent_refused",
    }
    assert page["totalCount"] == len(page["nodes"])
    # on the day it happened, not the day it was recorded
    expected = {
        "team_left": day(45),
        "escalation_raised": day(40),
        "escalation_acknowledged": day(39),
        "escalation_resolved": day(38),
        "meeting_held": journey.days["meeting_held"],
        "minutes_published": journey.days["minutes_published"],
        "legal_status": day(25),
        "step_up": day(20),
        "step_down": day(15),
        "closure": day(10),
        "reopening": day(9),
        "service_received": day(7),
        "panel_decision": day(2),
        "contingency_used": day(7),
        "action_completed": day(12),
        "goal_closed": day(5),
        "referral_received": day(3),
        "follow_up": day(3),
        "first_contact": day(2),
    }
    for kind, happened in expected.items():
        (entry,) = of_kind(page, kind)
        assert entry["happenedOn"] == happened.isoformat(), kind
        assert date.fromisoformat(entry["recordedAt"][:10]) >= happened, kind
    # and newest first by that day
    days = [entry["happenedOn"] for entry in page["nodes"]]
    assert days == sorted(days, reverse=True)
    # in plain words: labels and descriptions hold no codes
    (closure,) = of_kind(page, "closure")
    assert closure["label"] == "Case closed"
    assert closure["description"] == "Outcome: goals achieved; young person remained at home"
    (legal,) = of_kind(page, "legal_status")
    assert legal["description"] == "child in need edge of care"
    for entry in page["nodes"]:
        assert "_" not in entry["label"] + entry["description"], entry
    # the words the lead may read are shown (health is shared with the team)
    (raised,) = of_kind(page, "escalation_raised")
    assert raised["content"] == journey.texts["escalation_reason"] and raised["contentVisible"]
    assert raised["agency"]["id"] == str(area.school.id)


async def test_withheld_words_leave_the_event_and_withheld_records_leave_nothing(gql, sessions):
    # given the school's health content, and a police worker on the team the family never shared health with
    area = await create_area(sessions)
    journey = await build_journey(sessions, area)
    police = await third_worker(sessions, area, await create_agency(sessions, kind=AgencyKind.police))
    token = await sign_in(gql, police)
    page = await chronology(gql, area.family.id, token)
    # then the escalation is a coordination fact they see, its reason withheld
    (raised,) = of_kind(page, "escalation_raised")
    assert raised["contentWithheld"] and raised["content"] is None and not raised["contentVisible"]
    assert raised["description"] == "Level: concern; about health"
    # and a contribution or a service received (nothing but content) is not there at all, nor counted
    assert not of_kind(page, "contribution") and not of_kind(page, "service_received")
    assert page["totalCount"] == len(page["nodes"])
    # and no withheld words anywhere in the answer
    body = json.dumps(page)
    assert not [kind for kind, text in journey.texts.items() if text and text in body]


async def test_an_override_shows_the_words_and_withdrawal_withholds_them_again(gql, sessions):
    # given the school's escalation in health, and a police worker on the team
    area = await create_area(sessions)
    police_agency = await create_agency(sessions, kind=AgencyKind.police)
    police = await third_worker(sessions, area, police_agency)
    built = await create_escalation_content(sessions, family=area.family, owner=area.colleague, category="health")
    reason = built["escalation_reason"][1]
    token = await sign_in(gql, police)
    # when the school shares health with the police by a safeguarding override
    override = await create_override(
        sessions, family=area.family, decided_by=area.colleague, categories=["health"], recipients=[police_agency]
    )
    page = await chronology(gql, area.family.id, token)
    # then the police worker reads the reason, and sees the override itself (they are a party to it)
    (raised,) = of_kind(page, "escalation_raised")
    assert raised["content"] == reason
    assert of_kind(page, "safeguarding_override")
    # and the read is audited as a read of the escalation's reason, with the override as its basis
    async with sessions() as session:
        reads = (
            await session.exec(
                select(AuditEvent).where(
                    AuditEvent.family_id == area.family.id, AuditEvent.action == "escalation_reason_read"
                )
            )
        ).all()
    assert [event.detail["basis"] for event in reads] == [["shared_by_override"]]
    assert [[read.get("overrideIds") for read in expanded(event.detail)["reads"]] for event in reads] == [
        [[str(override.id)]]
    ]
    # given instead consent to share with the school's partner, then withdrawn: the words are withheld again
    other = await create_area(sessions)
    built = await create_escalation_content(sessions, family=other.family, owner=other.colleague, category="health")
    await create_consent(sessions, family=other.family, recorded_by=other.lead, categories=["health"], withdrawn=True)
    page = await chronology(gql, other.family.id, await sign_in(gql, other.lead))
    (raised,) = of_kind(page, "escalation_raised")
    assert raised["contentWithheld"] and built["escalation_reason"][1] not in json.dumps(page)
    # and a refusal withholds it too, though consent was given to the whole team
    await create_consent(sessions, family=other.family, recorded_by=other.lead, categories=["health"])
    await create_consent(
        sessions, family=other.family, recorded_by=other.lead, categories=["health"], decision="refused"
    )
    page = await chronology(gql, other.family.id, await sign_in(gql, other.lead))
    assert of_kind(page, "escalation_raised")[0]["contentWithheld"]
    assert of_kind(page, "consent_refused")[0]["description"] == "Not to share: health"


async def test_filters_and_pages(gql, sessions):
    area = await create_area(sessions)
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["health"])
    await build_journey(sessions, area)
    token = await sign_in(gql, area.lead)
    everything = await chronology(gql, area.family.id, token)
    # by kind
    page = await chronology(gql, area.family.id, token, filter={"kinds": ["step_up", "closure"]})
    assert sorted(entry["kind"] for entry in page["nodes"]) == ["closure", "step_up"] and page["totalCount"] == 2
    # by agency: the school's events only
    page = await chronology(gql, area.family.id, token, filter={"agencyId": str(area.school.id)})
    assert page["nodes"] and {entry["agency"]["id"] for entry in page["nodes"]} == {str(area.school.id)}
    # by the day it happened
    page = await chronology(
        gql, area.family.id, token, filter={"happenedFrom": day(20).isoformat(), "happenedTo": day(10).isoformat()}
    )
    assert {entry["kind"] for entry in page["nodes"]} == {"step_up", "step_down", "action_completed", "closure"}
    # pages of 3 walk the whole chronology in the same order, each entry once
    walked, after = [], None
    while True:
        answer = await chronology(gql, area.family.id, token, first=3, after=after)
        walked += answer["nodes"]
        assert answer["totalCount"] == everything["totalCount"]
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
    assert walked == everything["nodes"]
    # bad filters are bad input
    for bad in ({"kinds": ["no_such_kind"]}, {"happenedFrom": day(1).isoformat(), "happenedTo": day(2).isoformat()}):
        answer = await gql.error("FamilyChronology", {"familyId": str(area.family.id), "filter": bad}, token=token)
        assert code(answer) == "BAD_USER_INPUT"
    # and the kinds offered to the filters are every kind, labelled
    kinds = (await gql.data("ChronologyKinds", {}, token=token))["chronologyKinds"]
    assert [kind["kind"] for kind in kinds] == [source.kind for source in SOURCES]


async def test_another_familys_chronology_answers_as_a_family_that_does_not_exist(gql, sessions):
    area, other = await create_area(sessions), await create_area(sessions)
    token = await sign_in(gql, area.lead)
    foreign = await gql.error("FamilyChronology", {"familyId": str(other.family.id)}, token=token)
    missing = await gql.error("FamilyChronology", {"familyId": str(uuid.uuid4())}, token=token)
    assert (foreign["message"], foreign["path"]) == (missing["message"], missing["path"])
    assert code(foreign) == code(missing) == "NOT_FOUND"
    export = {"input": {"familyId": str(other.family.id)}}
    assert code(await gql.error("ChronologyExport", export, token=token)) == "NOT_FOUND"


async def test_export_is_the_filtered_chronology_audited_and_never_a_formula(gql, sessions):
    # given the school's item whose title would be a spreadsheet formula, shared with the team
    area = await create_area(sessions)
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["health"])
    journey = await build_journey(sessions, area)
    await create_contribution(sessions, family=area.family, author=area.colleague, title='=HYPERLINK("http://x")')
    token = await sign_in(gql, area.lead)
    # when the lead exports the school's events
    request = {"input": {"familyId": str(area.family.id), "filter": {"agencyId": str(area.school.id)}}}
    export = (await gql.data("ChronologyExport", request, token=token))["chronologyExport"]
    rows = list(csv.reader(io.StringIO(export["csv"])))
    # then the file is the filtered chronology, its header first
    assert rows[0] == ["Happened on", "Recorded at (UTC)", "Event", "Agency", "Description", "Content"]
    assert (
        len(rows) - 1
        == export["entryCount"]
        == (await chronology(gql, area.family.id, token, filter={"agencyId": str(area.school.id)}))["totalCount"]
    )
    assert {row[3] for row in rows[1:]} == {area.school.name}
    # and a formula is kept as text
    assert '\'=HYPERLINK("http://x")' in [row[5] for row in rows]
    assert journey.texts["escalation_reason"] in export["csv"]
    # and the export is audited, with the kinds of content read, and each read with its real kind
    async with sessions() as session:
        events = (await session.exec(select(AuditEvent).where(AuditEvent.family_id == area.family.id))).all()
    (exported,) = [event for event in events if event.action == "chronologyExport"]
    assert exported.actor_user_id == area.lead.id and exported.detail["entries"] == export["entryCount"]
    assert {"contribution", "escalation_reason", "referral_reason"} <= set(exported.detail["contentKinds"])
    assert exported.detail["filter"]["agencyId"] == str(area.school.id)
    assert {"contribution_read", "escalation_reason_read", "service_received_read"} <= {e.action for e in events}


async def test_export_leaves_out_withheld_words(gql, sessions):
    area = await create_area(sessions)
    journey = await build_journey(sessions, area)
    police = await third_worker(sessions, area, await create_agency(sessions, kind=AgencyKind.police))
    export = (
        await gql.data(
            "ChronologyExport", {"input": {"familyId": str(area.family.id)}}, token=await sign_in(gql, police)
        )
    )["chronologyExport"]
    assert "Withheld: you may not read this" in export["csv"]
    assert not [kind for kind, text in journey.texts.items() if text and text in export["csv"]]


async def statements_for(gql, app, sessions, events: int) -> int:
    area = await create_area(sessions)
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["health"])
    for _ in range(events):
        await create_escalation_content(sessions, family=area.family, owner=area.colleague, category="health")
        await create_contribution(sessions, family=area.family, author=area.colleague)
    token = await sign_in(gql, area.lead)
    with counting(app.state.taf.engine) as statements:
        page = await chronology(gql, area.family.id, token)
    assert len(of_kind(page, "escalation_raised")) == events
    return len(statements)


async def test_statements_do_not_grow_with_the_entries(gql, app, sessions):
    assert await statements_for(gql, app, sessions, 2) == await statements_for(gql, app, sessions, 20)


async def test_one_statement_text_whatever_the_family_reader_or_filter_values(gql, app, sessions):
    # given two families, each read by its own lead professional (the same role), with and without consents
    first, second = await create_area(sessions), await create_area(sessions)
    await create_consent(sessions, family=first.family, recorded_by=first.lead, categories=["health"])
    await create_escalation_content(sessions, family=second.family, owner=second.colleague, category="health")
    requests = [
        (first, {}),
        (second, {}),
        (first, {"filter": {"kinds": ["escalation_raised"]}}),
        (second, {"filter": {"kinds": ["step_up", "closure", "contribution"]}}),
    ]
    texts = []
    for area, variables in requests:
        token = await sign_in(gql, area.lead)
        # when each reads its chronology
        with counting(app.state.taf.engine) as statements:
            await chronology(gql, area.family.id, token, **variables)
        texts.append([text for text in statements if "chronology" in text])
    # then each page is one statement, and its text depends on which filters are set, not on their values, the
    # family or the reader: it is built and compiled once, and PostgreSQL prepares it once per connection
    assert [len(found) for found in texts] == [1, 1, 1, 1]
    assert texts[0] == texts[1]
    assert texts[2] == texts[3]
    assert texts[0] != texts[2]


CODES = [None, "", "none", "true", "false", "lead_professional", "step_up", "child_protection_plan", "x", "it's_{}_%"]


async def test_the_descriptions_in_sql_are_the_words_python_writes(sessions):
    # given every way of describing an entry (words.py), and codes with and without words of their own
    describers = list({repr(source.describe): source.describe for source in SOURCES}.values())
    pairs = [[first, second] for first in CODES for second in CODES]
    async with sessions() as session:
        for describer in describers:
            # when PostgreSQL writes each description (as the compiled FamilyChronology does)
            columns = [describer.sql([sa.literal(a, sa.Text), sa.literal(b, sa.Text)]) for a, b in pairs]
            row = (await session.exec(sa.select(*columns))).one()
            # then it writes the words Python writes
            assert list(row) == [describer(pair) for pair in pairs], describer
    assert len(describers) >= 10  # sentences of one and two codes, parts, named and counted codes, nothing
