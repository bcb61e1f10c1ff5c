"""The pairs each data-sharing agreement lets each of its parties be shown (table agreement_pairs, kept by the
database: migration 0012) are what the agreement tables say after every kind of change to them, and a compiled
read's facts row reads those of the agreements in force only. Rule shared_by_consent's SQL form looks an item up in
them (server/access/facts.py); the differential tests (tests/api/test_compiled_reads.py) compare what it then
allows with the generic path, which reads the agreement tables themselves."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from server.access.actor import Actor
from server.access.facts import DEFAULT_CLOSED_READ_PERIOD, facts_row, facts_row_parameters
from server.clock import utcnow
from server.db.engine import unit_of_work
from server.db.prepared import Prepared
from server.sharing_agreement.models import DataSharingAgreement, DataSharingAgreementParty
from tests.builders import create_agency, create_agreement, create_area, end_agreement, join_agreement

_PARTY = DataSharingAgreementParty.__table__
_AGREEMENT = DataSharingAgreement.__table__


async def _kept(session, agreement_ids: list[uuid.UUID]) -> set[tuple]:
    rows = await session.exec(
        sa.text(
            "SELECT agreement_id, agency_id, jsonb_object_keys(pairs) FROM agreement_pairs"
            " WHERE agreement_id = ANY (:ids)"
        ).bindparams(ids=agreement_ids)
    )
    return {(agreement, agency, pair) for agreement, agency, pair in rows.all()}


async def _from_the_agreements(session, agreement_ids: list[uuid.UUID]) -> set[tuple]:
    """What the agreement tables say, worked out here: every other party with every category."""
    expected = set()
    for agreement_id in agreement_ids:
        agreement = await session.get(DataSharingAgreement, agreement_id)
        if agreement is None:
            continue
        parties = (await session.exec(sa.select(_PARTY.c.agency_id).where(_PARTY.c.agreement_id == agreement_id))).all()
        agencies = [agency for (agency,) in parties]
        for mine in agencies:
            for other in agencies:
                if other != mine:
                    expected |= {(agreement_id, mine, f"{other} {category}") for category in agreement.categories}
    return expected


async def _agree(sessions, ids: list[uuid.UUID]) -> set[tuple]:
    async with sessions() as session:
        kept, expected = await _kept(session, ids), await _from_the_agreements(session, ids)
    assert kept == expected
    return kept


async def test_the_pairs_follow_every_change_to_an_agreement_and_its_parties(sessions):
    # given two agreements between three agencies (besides an area's own)
    await create_area(sessions, agreement=False)
    first, second, third = [await create_agency(sessions) for _ in range(3)]
    one = await create_agreement(sessions, parties=[first, second], categories=["education", "health"])
    other = await create_agreement(sessions, parties=[second, third], categories=["housing"])
    ids = [one.id, other.id]
    kept = await _agree(sessions, ids)
    assert (one.id, first.id, f"{second.id} education") in kept
    assert (other.id, third.id, f"{second.id} housing") in kept
    assert not any(agency == first.id for agreement, agency, _ in kept if agreement == other.id)
    # when a third party signs the first
    await join_agreement(sessions, agreement=one, agency=third)
    assert (one.id, first.id, f"{third.id} health") in await _agree(sessions, ids)
    # when its categories change
    async with unit_of_work(sessions) as session:
        row = await session.get(DataSharingAgreement, one.id)
        row.categories = ["education", "family_support"]
    kept = await _agree(sessions, ids)
    assert (one.id, first.id, f"{second.id} family_support") in kept
    assert not any(pair.endswith(" health") for _, _, pair in kept)
    # when a party leaves it, and when its parties are replaced (deleted, then inserted, as the service does)
    async with unit_of_work(sessions) as session:
        await session.exec(sa.delete(_PARTY).where(_PARTY.c.agreement_id == one.id, _PARTY.c.agency_id == second.id))
    kept = await _agree(sessions, ids)
    assert not any(agency == second.id or pair.startswith(str(second.id)) for a, agency, pair in kept if a == one.id)
    async with unit_of_work(sessions) as session:
        await session.exec(sa.delete(_PARTY).where(_PARTY.c.agreement_id == one.id))
        rows = [
            {
                "agreement_id": one.id,
                "agency_id": agency.id,
                "ig_contact_name": "IG",
                "ig_contact_email": "ig@x.example",
            }
            for agency in (first, second)
        ]
        await session.exec(sa.insert(_PARTY).values(rows))
    assert (one.id, second.id, f"{first.id} education") in await _agree(sessions, ids)
    # when it is ended: its pairs stay (whether it is in force is read with them)
    await end_agreement(sessions, one)
    assert (one.id, second.id, f"{first.id} education") in await _agree(sessions, ids)
    # when it is removed altogether, its pairs go with it, and the other agreement's stay
    async with unit_of_work(sessions) as session:
        await session.exec(sa.delete(_PARTY).where(_PARTY.c.agreement_id == one.id))
        await session.exec(
            sa.delete(DataSharingAgreement.__table__).where(DataSharingAgreement.__table__.c.id == one.id)
        )
    kept = await _agree(sessions, ids)
    assert kept and all(agreement == other.id for agreement, _, _ in kept)


async def test_a_facts_row_reads_the_pairs_of_the_agreements_in_force_only(sessions):
    # given an area whose agencies have, besides the area's agreement, one ended, one not yet started and one
    # in force for one category with a third agency
    area = await create_area(sessions)
    third, fourth, fifth = [await create_agency(sessions) for _ in range(3)]
    today = utcnow().date()
    ended = await create_agreement(sessions, parties=[area.early_help, third], categories=["health"])
    await end_agreement(sessions, ended)
    await create_agreement(
        sessions,
        parties=[area.early_help, fourth],
        starts_on=today + timedelta(days=2),
        ends_on=today + timedelta(days=90),
    )
    await create_agreement(sessions, parties=[area.early_help, fifth], categories=["housing"])
    actor = Actor(area.colleague.id, "", "staff", str(area.colleague.role), area.early_help.id, None)
    # when a compiled read's facts row is read for the colleague (of early help)
    facts = facts_row()
    async with sessions() as session:
        connection = await session.connection()
        prepared = Prepared(sa.select(facts.c.agreement_pairs), connection.dialect)
        values = {**prepared.constants, **facts_row_parameters(actor, area.family.id, DEFAULT_CLOSED_READ_PERIOD)}
        (pairs,) = (await connection.exec_driver_sql(prepared.sql, tuple(values[n] for n in prepared.names))).one()
    # then it holds the pairs of the agreements in force, and none of the others
    school = {f"{area.school.id} {category}" for category in area.area_agreement.categories}
    assert set(pairs) == school | {f"{fifth.id} housing"}
