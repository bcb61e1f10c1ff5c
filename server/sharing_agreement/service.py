"""Use cases for data-sharing agreements: information-governance officers record, change and end them.

An agreement counts for sharing from the first second of its start date to the last of its end date (UTC
days, as plan due dates), unless an IG officer ends it earlier; the policy reads it through the facts of
every decision (server/access/facts.py), so a change counts on the next request on every server. Thirty
days before its end date, the IG officers of its parties are told, once (`expiry_notice_due`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import timers
from notifications.events import AgreementExpiring
from server import pagination
from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.agency.models import Agency
from server.clock import today, utcnow
from server.db.versioning import update_versioned
from server.errors import BadUserInput, Conflict, NotFound
from server.sharing_agreement.models import (
    AgreementLawfulBasis,
    AgreementStatus,
    DataSharingAgreement,
    DataSharingAgreementParty,
)
from server.validation import chosen_categories, optional_text, required_text

NOT_FOUND = "No data-sharing agreement with that id, or you may not see it."
NOTICE_DAYS = 30  # told this many days before the end; due for review this many days before the review date
MAX_PARTIES = 50
EXPIRY_NOTICE = AgreementExpiring.model_fields["type"].default  # the timer kind of the notice
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PartyIn:
    agency_id: uuid.UUID
    ig_contact_name: str
    ig_contact_email: str
    ig_contact_phone: str = ""


@dataclass(frozen=True)
class AgreementIn:
    title: str
    parties: list[PartyIn]
    categories: list[InformationCategory]
    purposes: str
    lawful_basis: AgreementLawfulBasis
    starts_on: date
    review_on: date
    ends_on: date
    document_reference: str
    lawful_basis_detail: str = ""


@dataclass(frozen=True)
class Agreement:
    """An agreement with its parties."""

    row: DataSharingAgreement
    parties: list[DataSharingAgreementParty]


def status(row: DataSharingAgreement, on: date) -> AgreementStatus:
    if row.ended_at is not None:
        return AgreementStatus.ended
    if row.ends_on < on:
        return AgreementStatus.expired
    return AgreementStatus.active if row.starts_on <= on else AgreementStatus.not_started


def ends_soon(row: DataSharingAgreement, on: date) -> bool:
    return row.ended_at is None and on <= row.ends_on <= on + timedelta(days=NOTICE_DAYS)


def is_due_for_review(row: DataSharingAgreement, on: date) -> bool:
    """Still to run (not ended, not past its end), and its review date is within NOTICE_DAYS or past."""
    return row.ended_at is None and on <= row.ends_on and row.review_on <= on + timedelta(days=NOTICE_DAYS)


async def create(session: AsyncSession, access: AccessControl, *, data: AgreementIn) -> Agreement:
    access.require_outside_family(Act.create, Kind.data_sharing_agreement)
    values = _checked(data)
    parties = await _checked_parties(session, data.parties)
    row = DataSharingAgreement(**values, created_by_user_id=access.actor.user_id)
    session.add(row)
    await session.flush()
    await _replace_parties(session, row.id, parties)
    await schedule_expiry_notice(session, row)
    return Agreement(row, parties)


async def update(
    session: AsyncSession, access: AccessControl, *, agreement_id: uuid.UUID, expected_version: int, data: AgreementIn
) -> Agreement:
    """Replace every field and the parties; a stale expected_version is a CONFLICT."""
    await _for_change(session, access, agreement_id)
    values = _checked(data)
    parties = await _checked_parties(session, data.parties)
    row = await update_versioned(
        session, DataSharingAgreement, agreement_id, expected_version, values, what="agreement"
    )
    await _replace_parties(session, row.id, parties)
    await schedule_expiry_notice(session, row)
    return Agreement(row, parties)


async def end(
    session: AsyncSession, access: AccessControl, *, agreement_id: uuid.UUID, expected_version: int, reason: str
) -> Agreement:
    """End an agreement now: sharing by consent that needed it stops on the next request."""
    await _for_change(session, access, agreement_id)
    values = {
        "ended_at": utcnow(),
        "ended_by_user_id": access.actor.user_id,
        "end_reason": required_text(reason, "reason", 1000),
    }
    row = await update_versioned(
        session, DataSharingAgreement, agreement_id, expected_version, values, what="agreement"
    )
    await timers.cancel(session, kind=EXPIRY_NOTICE, subject_id=row.id)
    return Agreement(row, await _parties(session, [row.id]))


async def get(session: AsyncSession, access: AccessControl, agreement_id: uuid.UUID) -> Agreement:
    row = await session.get(DataSharingAgreement, agreement_id)
    if row is None or not access.can_outside_family(Act.read, Kind.data_sharing_agreement):
        raise NotFound(NOT_FOUND)
    return Agreement(row, await _parties(session, [row.id]))


async def review_list(session: AsyncSession, access: AccessControl, *, first: int) -> list[Agreement]:
    """Every agreement: those due for review first (earliest review date first), then those still to run,
    then those ended or past their end."""
    pagination.check_first(first)
    access.require_outside_family(Act.read, Kind.data_sharing_agreement)
    on = today()
    table = DataSharingAgreement.__table__.c
    finished = sa.or_(table.ended_at.is_not(None), table.ends_on < on)
    due = sa.and_(sa.not_(finished), table.review_on <= on + timedelta(days=NOTICE_DAYS))
    statement = (
        select(DataSharingAgreement)
        .order_by(sa.not_(due), finished, table.review_on, table.title, table.id)
        .limit(first)
    )
    rows = list((await session.exec(statement)).all())
    parties = await _parties(session, [row.id for row in rows])
    return [Agreement(row, [p for p in parties if p.agreement_id == row.id]) for row in rows]


_COVERAGE = sa.text(
    "SELECT mine.agency_id, other.agency_id, category"
    " FROM data_sharing_agreement a"
    " JOIN data_sharing_agreement_party mine ON mine.agreement_id = a.id"
    " JOIN data_sharing_agreement_party other ON other.agreement_id = a.id AND other.agency_id <> mine.agency_id"
    " CROSS JOIN unnest(a.categories) AS category"
    " WHERE mine.agency_id = ANY (:agencies) AND other.agency_id = ANY (:agencies) AND a.ended_at IS NULL"
    "   AND a.starts_on <= CAST(statement_timestamp() AT TIME ZONE 'UTC' AS date)"
    "   AND a.ends_on >= CAST(statement_timestamp() AT TIME ZONE 'UTC' AS date)"
).bindparams(sa.bindparam("agencies", type_=ARRAY(sa.Uuid())))


async def coverage(session: AsyncSession, agency_ids: list[uuid.UUID]) -> set[tuple[uuid.UUID, uuid.UUID, str]]:
    """(agency, other agency, category) for every category an active agreement between two of these agencies
    covers (both ways round), by the same test as the policy's facts (server/access/facts.py)."""
    if not agency_ids:
        return set()
    rows = (await session.exec(_COVERAGE.params(agencies=agency_ids))).all()
    return {(mine, other, category) for mine, other, category in rows}


def expiry_notice_due(row: DataSharingAgreement) -> datetime:
    """When the IG officers of the parties are told that the agreement is about to end: the start of the
    day NOTICE_DAYS before its end (at once, for an agreement recorded closer to its end than that)."""
    return datetime.combine(row.ends_on - timedelta(days=NOTICE_DAYS), time(0), tzinfo=UTC)


async def schedule_expiry_notice(session: AsyncSession, row: DataSharingAgreement) -> None:
    """One notice per end date: a pending notice for an earlier end date is replaced; one already sent for
    this end date is not sent again (the timer table holds one row per kind, subject and due time)."""
    event = AgreementExpiring(agreement_id=row.id, ends_on=row.ends_on)
    await timers.cancel(session, kind=EXPIRY_NOTICE, subject_id=row.id)
    await timers.schedule(session, due_at=expiry_notice_due(row), subject_id=row.id, event=event)


async def _for_change(session: AsyncSession, access: AccessControl, agreement_id: uuid.UUID) -> None:
    if not access.can_outside_family(Act.read, Kind.data_sharing_agreement):
        raise NotFound(NOT_FOUND)
    row = await session.get(DataSharingAgreement, agreement_id, with_for_update=True)
    if row is None:
        raise NotFound(NOT_FOUND)
    access.require_outside_family(Act.update, Kind.data_sharing_agreement)
    if row.ended_at is not None:
        raise Conflict("This agreement has already been ended. Record a new agreement instead.")


def _checked(data: AgreementIn) -> dict:
    if not data.starts_on < data.review_on:
        raise BadUserInput("The review date must be after the start date.", field="reviewOn")
    if not data.review_on < data.ends_on:
        raise BadUserInput("The end date must be after the review date.", field="endsOn")
    if data.ends_on < today():
        raise BadUserInput("The end date has passed: an agreement must still be running.", field="endsOn")
    return {
        "title": required_text(data.title, "title", 200),
        "categories": chosen_categories(data.categories),
        "purposes": required_text(data.purposes, "purposes", 2000),
        "lawful_basis": data.lawful_basis,
        "lawful_basis_detail": optional_text(data.lawful_basis_detail, "lawfulBasisDetail", 1000),
        "starts_on": data.starts_on,
        "review_on": data.review_on,
        "ends_on": data.ends_on,
        "document_reference": required_text(data.document_reference, "documentReference", 300),
    }


async def _checked_parties(session: AsyncSession, parties: list[PartyIn]) -> list[DataSharingAgreementParty]:
    agency_ids = [party.agency_id for party in parties]
    if len(agency_ids) > MAX_PARTIES:
        raise BadUserInput(f"An agreement can have at most {MAX_PARTIES} parties.", field="parties")
    if len(set(agency_ids)) != len(agency_ids):
        raise BadUserInput("Name each agency once.", field="parties")
    if len(agency_ids) < 2:
        raise BadUserInput("An agreement needs at least two agencies.", field="parties")
    found = set((await session.exec(select(Agency.id).where(col(Agency.id).in_(agency_ids)))).all())
    if found != set(agency_ids):
        raise BadUserInput("One of the agencies does not exist.", field="parties")
    return [_party(party) for party in parties]


def _party(party: PartyIn) -> DataSharingAgreementParty:
    email = required_text(party.ig_contact_email, "igContactEmail", 320)
    if not _EMAIL.match(email):
        raise BadUserInput("Enter the IG contact's e-mail address, like name@example.org.", field="igContactEmail")
    return DataSharingAgreementParty(
        agreement_id=uuid.UUID(int=0),  # set when the agreement's parties are written
        agency_id=party.agency_id,
        ig_contact_name=required_text(party.ig_contact_name, "igContactName", 200),
        ig_contact_email=email,
        ig_contact_phone=optional_text(party.ig_contact_phone, "igContactPhone", 50),
    )


async def _replace_parties(
    session: AsyncSession, agreement_id: uuid.UUID, parties: list[DataSharingAgreementParty]
) -> None:
    table = DataSharingAgreementParty.__table__
    await session.exec(sa.delete(table).where(table.c.agreement_id == agreement_id))
    for party in parties:
        party.agreement_id = agreement_id
    rows = [party.model_dump() for party in parties]
    await session.exec(sa.insert(table).values(rows))


async def _parties(session: AsyncSession, agreement_ids: list[uuid.UUID]) -> list[DataSharingAgreementParty]:
    if not agreement_ids:
        return []
    statement = (
        select(DataSharingAgreementParty)
        .join(Agency, col(Agency.id) == DataSharingAgreementParty.agency_id)
        .where(col(DataSharingAgreementParty.agreement_id).in_(agreement_ids))
        .order_by(col(Agency.name))
    )
    return list((await session.exec(statement)).all())
