"""A read event's detail (server/audit/read_detail.py): written compactly, each read's facts by position in the
event's own lists, it keeps exactly what the earlier form wrote out; the audit log shows either form written out,
the access log reads the facts of either alike, and PostgreSQL stores it uncompressed (migration 0013)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects.postgresql import JSONB

from server.audit.chain import verify
from server.audit.group_commit import GroupCommit
from server.audit.models import AuditOutcome
from server.audit.read_detail import compact, expanded, read_facts
from server.clock import utcnow
from tests.audit.test_access_log_policy import family_log
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent, create_contribution

CATEGORIES = ["education", "health", "housing", "police", "social_care"]
BASES = ["shared_by_consent", "shared_by_override", "team_lead_reads_all", None]


@st.composite
def reads(draw) -> list[dict]:
    """note_read's entries of one event: each item once, from a few agencies, in a few categories and bases."""
    agencies = [str(uuid.uuid4()) for _ in range(draw(st.integers(1, 4)))]
    entries = []
    for _ in range(draw(st.integers(1, 12))):
        basis = draw(st.sampled_from(BASES))
        entry = {
            "item_id": str(uuid.uuid4()),
            "owning_agency_id": draw(st.sampled_from(agencies)),
            "category": draw(st.sampled_from(CATEGORIES)),
            "basis": basis,
        }
        if basis == "shared_by_override":
            entry["override_ids"] = sorted(str(uuid.uuid4()) for _ in range(draw(st.integers(1, 2))))
        entries.append(entry)
    return entries


def noted(entries: list[dict]) -> dict:
    """The entries as AccessControl.reads holds one family's and kind's: by item id."""
    return {
        entry["item_id"]: (entry["owning_agency_id"], entry["category"], entry["basis"], entry.get("override_ids"))
        for entry in entries
    }


def written_out(entries: list[dict]) -> dict:
    """The detail as events before 5 December 2026 hold it: every read's facts written out."""
    return {
        "items": [entry["item_id"] for entry in entries],
        "categories": sorted({entry["category"] for entry in entries}),
        "owningAgencyIds": sorted({entry["owning_agency_id"] for entry in entries}),
        "basis": sorted({entry["basis"] for entry in entries if entry["basis"]}),
        "reads": [
            {
                "item": entry["item_id"],
                "owningAgencyId": entry["owning_agency_id"],
                "category": entry["category"],
                "basis": entry["basis"],
                **({"overrideIds": entry["override_ids"]} if entry.get("override_ids") else {}),
            }
            for entry in entries
        ],
    }


@settings(max_examples=200, deadline=None)
@given(reads())
def test_the_compact_detail_keeps_every_fact_the_written_out_one_did(entries):
    detail = compact(noted(entries))
    assert all(isinstance(read, list) for read in detail["reads"])
    assert expanded(detail) == written_out(entries)
    # the written-out form, and any other event's detail, is shown as it is
    assert expanded(written_out(entries)) == written_out(entries)
    for other in ({}, {"contributionId": entries[0]["item_id"]}, {"reads": []}):
        assert expanded(other) == other


def test_the_compact_detail_is_a_third_of_the_written_out_one():
    entries = [
        {"item_id": str(uuid.uuid4()), "owning_agency_id": agency, "category": category, "basis": "shared_by_consent"}
        for agency in [str(uuid.uuid4()) for _ in range(30)]
        for category in CATEGORIES[:3]
    ]
    assert len(str(compact(noted(entries)))) * 3 < len(str(written_out(entries)))


async def _facts_in_sql(session, detail: dict) -> list[tuple]:
    """Each read's (item, owner, category, override ids) as the access log's SQL reads them."""
    value = sa.cast(sa.bindparam("detail", detail, type_=JSONB), JSONB)
    rows = sa.func.jsonb_array_elements(value["reads"])
    read = rows.table_valued(sa.column("value", JSONB), with_ordinality="position").render_derived("read")
    facts = read_facts(value, read.c.value, read.c.position)
    statement = sa.select(*(facts[name] for name in ("item", "owner", "category", "override_ids"))).order_by(
        read.c.position
    )
    return [tuple(row) for row in (await session.exec(statement)).all()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=reads())
async def test_the_access_log_reads_the_same_facts_from_either_form(sessions, entries):
    async with sessions() as session:
        from_compact = await _facts_in_sql(session, compact(noted(entries)))
        from_written_out = await _facts_in_sql(session, written_out(entries))
    assert from_compact == from_written_out
    assert from_compact == [
        (e["item_id"], uuid.UUID(e["owning_agency_id"]), e["category"], e.get("override_ids")) for e in entries
    ]


async def _read_by_the_lead(gql, sessions):
    area = await create_area(sessions)
    item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    return area, item


async def _read_events(gql, area) -> list[dict]:
    token = await sign_in(gql, area.ig)
    events = (await gql.data("AuditEvents", {"familyId": str(area.family.id)}, token=token))["auditEvents"]["nodes"]
    return [event for event in events if event["action"] == "contribution_read"]


async def test_a_read_is_stored_compactly_uncompressed_and_shown_written_out(gql, sessions):
    # given the lead (early help) read the school's education item, shared by consent
    area, item = await _read_by_the_lead(gql, sessions)
    # then the event is stored compactly, without compression
    async with sessions() as session:
        [(detail, compression)] = (
            await session.exec(
                sa.text(
                    "SELECT detail, pg_column_compression(detail) FROM audit_event"
                    " WHERE family_id = :family AND action = 'contribution_read'"
                ).bindparams(family=area.family.id)
            )
        ).all()
        storage = (
            await session.exec(
                sa.text(
                    "SELECT attstorage FROM pg_attribute"
                    " WHERE attrelid = 'audit_event'::regclass AND attname = 'detail'"
                )
            )
        ).scalar_one()
    assert detail["reads"] == [[0, 0, 0]] and compression is None and storage == b"e"
    # and the IG officer reads it with the read's facts written out
    [event] = await _read_events(gql, area)
    assert event["detail"]["reads"] == [
        {
            "item": str(item.id),
            "owningAgencyId": str(area.school.id),
            "category": "education",
            "basis": "shared_by_consent",
        }
    ]
    assert event["detail"]["items"] == [str(item.id)] and event["owningAgencyNames"] == [area.school.name]


async def test_an_event_written_out_before_reads_as_a_compact_one(gql, sessions):
    # given a read written compactly, and the same read as events before 5 December 2026 hold it
    area, _item = await _read_by_the_lead(gql, sessions)
    [compact_event] = await _read_events(gql, area)
    earlier = {
        "at": utcnow(),
        "actor_user_id": area.lead.id,
        "action": "contribution_read",
        "outcome": AuditOutcome.allowed,
        "family_id": area.family.id,
        "address": "127.0.0.1",
        "detail": compact_event["detail"],
    }
    await GroupCommit(sessions.kw["bind"]).write([earlier])
    # then the IG officer reads both alike
    events = await _read_events(gql, area)
    assert [event["detail"] for event in events] == [compact_event["detail"]] * 2
    assert len({event["id"] for event in events}) == 2
    # and the family sees the lead's agency looked twice at education information
    assert await family_log(gql, sessions, area.family) == [(area.early_help.name, ["education"], 2)]
    async with sessions() as session:
        assert (await verify(session)).intact
