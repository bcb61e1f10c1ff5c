from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from typing import Any

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.pep import AccessControl
from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType
from server.clock import today
from server.sharing_agreement import service as agreement_service
from server.sharing_agreement.models import (
    AgreementLawfulBasis,
    AgreementStatus,
    DataSharingAgreement,
    DataSharingAgreementParty,
)
from server.sharing_agreement.service import Agreement, AgreementIn, PartyIn

AgreementLawfulBasisType = strawberry.enum(
    AgreementLawfulBasis,
    name="AgreementLawfulBasis",
    description="The UK GDPR Article 6 basis the parties share on: public_task: Art 6(1)(e), a statutory function"
    " (Children Act 1989 and 2004); legal_obligation: Art 6(1)(c); legitimate_interests: Art 6(1)(f), for voluntary"
    " and private bodies; vital_interests: Art 6(1)(d). The Article 9 condition goes in lawfulBasisDetail.",
)


AgreementStatusType = strawberry.enum(
    AgreementStatus,
    name="AgreementStatus",
    description="not_started: its start date is still to come; active: in force today; ended: an IG officer ended"
    " it early; expired: its end date has passed. Only an active agreement lets consent share between its parties.",
)


@strawberry.type(
    name="DataSharingAgreementParty",
    description="An agency that signed a data-sharing agreement, and its information-governance contact.",
)
class DataSharingAgreementPartyType:
    ig_contact_name: str
    ig_contact_email: str
    ig_contact_phone: str
    row: strawberry.Private[DataSharingAgreementParty]

    @strawberry.field
    async def agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.row.agency_id))

    @classmethod
    def from_row(cls, row: DataSharingAgreementParty) -> DataSharingAgreementPartyType:
        return cls(
            ig_contact_name=row.ig_contact_name,
            ig_contact_email=row.ig_contact_email,
            ig_contact_phone=row.ig_contact_phone,
            row=row,
        )


@strawberry.type(
    name="DataSharingAgreement",
    description="An agreement between two or more agencies that makes sharing by consent between them lawful: a"
    " family's consent shares a category between two agencies only while an active agreement between them covers"
    " it. Sharing without consent to keep a child safe does not need one. Information-governance officers only.",
)
class DataSharingAgreementType:
    id: strawberry.ID
    title: str
    categories: list[InformationCategoryType]  # type: ignore[valid-type]
    purposes: str
    lawful_basis: AgreementLawfulBasisType  # type: ignore[valid-type]
    lawful_basis_detail: str = strawberry.field(description="The Article 9 condition and the statutes relied on.")
    starts_on: date
    review_on: date
    ends_on: date = strawberry.field(description="The last day it is in force.")
    document_reference: str = strawberry.field(description="Where the signed agreement is kept.")
    version: int = strawberry.field(description="Send it back as expectedVersion to change or end the agreement.")
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    parties: list[DataSharingAgreementPartyType]
    status: AgreementStatusType  # type: ignore[valid-type]
    due_for_review: bool = strawberry.field(
        description="Still to run, and its review date is within 30 days or has passed."
    )
    ends_soon: bool = strawberry.field(description="Not ended, and its end date is within 30 days.")

    @classmethod
    def from_agreement(cls, agreement: Agreement) -> DataSharingAgreementType:
        row, on = agreement.row, today()
        return cls(
            id=strawberry.ID(str(row.id)),
            title=row.title,
            categories=list(row.categories),
            purposes=row.purposes,
            lawful_basis=row.lawful_basis,
            lawful_basis_detail=row.lawful_basis_detail,
            starts_on=row.starts_on,
            review_on=row.review_on,
            ends_on=row.ends_on,
            document_reference=row.document_reference,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            ended_at=row.ended_at,
            end_reason=row.end_reason,
            parties=[DataSharingAgreementPartyType.from_row(party) for party in agreement.parties],
            status=agreement_service.status(row, on),
            due_for_review=agreement_service.is_due_for_review(row, on),
            ends_soon=agreement_service.ends_soon(row, on),
        )


@strawberry.input(description="A party to an agreement: the agency and who answers for its information governance.")
class DataSharingAgreementPartyInput:
    agency_id: strawberry.ID
    ig_contact_name: str
    ig_contact_email: str
    ig_contact_phone: str = ""


@strawberry.input(description="A data-sharing agreement between agencies.")
class DataSharingAgreementInput:
    title: str = strawberry.field(description="Up to 200 characters.")
    parties: list[DataSharingAgreementPartyInput] = strawberry.field(
        description="At least two different agencies (at most 50)."
    )
    categories: list[InformationCategoryType] = strawberry.field(  # type: ignore[valid-type]
        description="The categories of information the agreement lets its parties share by consent."
    )
    purposes: str = strawberry.field(description="What the shared information is used for (up to 2,000 characters).")
    lawful_basis: AgreementLawfulBasisType  # type: ignore[valid-type]
    starts_on: date
    review_on: date = strawberry.field(description="After startsOn.")
    ends_on: date = strawberry.field(description="After reviewOn, and not already past.")
    document_reference: str = strawberry.field(description="Where the signed agreement is kept (required).")
    lawful_basis_detail: str = ""


@strawberry.input
class DataSharingAgreementCreateInput:
    agreement: DataSharingAgreementInput
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Change every field of an agreement still in force or still to start.")
class DataSharingAgreementUpdateInput:
    agreement_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    agreement: DataSharingAgreementInput


@strawberry.input(description="End an agreement now, before its end date.")
class DataSharingAgreementEndInput:
    agreement_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    reason: str = strawberry.field(description="Why it ends (required, up to 1,000 characters).")


def _agreement_in(agreement: DataSharingAgreementInput) -> AgreementIn:
    return AgreementIn(
        title=agreement.title,
        parties=[
            PartyIn(
                agency_id=parse_id(party.agency_id, "agencyId"),
                ig_contact_name=party.ig_contact_name,
                ig_contact_email=party.ig_contact_email,
                ig_contact_phone=party.ig_contact_phone,
            )
            for party in agreement.parties
        ],
        categories=list(agreement.categories),
        purposes=agreement.purposes,
        lawful_basis=agreement.lawful_basis,
        lawful_basis_detail=agreement.lawful_basis_detail,
        starts_on=agreement.starts_on,
        review_on=agreement.review_on,
        ends_on=agreement.ends_on,
        document_reference=agreement.document_reference,
    )


@strawberry.type
class SharingAgreementQuery:
    @strawberry.field(
        description="Information-governance officers: every data-sharing agreement, those due for review first"
        " (earliest review date first), then those still to run, then those ended or expired (100 max)."
    )
    async def data_sharing_agreements(self, info: Info, first: int = 100) -> list[DataSharingAgreementType]:
        async with info.context.read() as session:
            found = await agreement_service.review_list(session, info.context.access, first=first)
        return [DataSharingAgreementType.from_agreement(agreement) for agreement in found]

    @strawberry.field(description="Information-governance officers: one agreement. NOT_FOUND for anyone else.")
    async def data_sharing_agreement(self, info: Info, id: strawberry.ID) -> DataSharingAgreementType:
        async with info.context.read() as session:
            found = await agreement_service.get(session, info.context.access, parse_id(id, "id"))
        return DataSharingAgreementType.from_agreement(found)


async def _row_of(found: Awaitable[agreement_service.Agreement]) -> DataSharingAgreement:
    """The agreement's row, which the mutation helper records and replays by its id."""
    return (await found).row


async def _as_seen(session: AsyncSession, access: AccessControl, row: DataSharingAgreement) -> Any:
    """The agreement as the caller sees it, with its parties, read in the change's transaction."""
    return await agreement_service.get(session, access, row.id)


@strawberry.type
class SharingAgreementMutation:
    @strawberry.mutation(
        description="Information-governance officers: record an agreement. It counts for sharing by consent from"
        " its start date, on the next request on every server; its parties' IG officers are told 30 days before"
        " it ends."
    )
    async def data_sharing_agreement_create(
        self, info: Info, input: DataSharingAgreementCreateInput
    ) -> DataSharingAgreementType:
        data = _agreement_in(input.agreement)
        found = await mutate(
            info,
            lambda session, access: _row_of(agreement_service.create(session, access, data=data)),
            audit=lambda row: {"agreementId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=lambda session, access, row_id: _row_of(agreement_service.get(session, access, row_id)),
            then=_as_seen,
        )
        return DataSharingAgreementType.from_agreement(found)

    @strawberry.mutation(description="Information-governance officers: change an agreement (CONFLICT if stale).")
    async def data_sharing_agreement_update(
        self, info: Info, input: DataSharingAgreementUpdateInput
    ) -> DataSharingAgreementType:
        agreement_id = parse_id(input.agreement_id, "agreementId")
        data = _agreement_in(input.agreement)
        found = await mutate(
            info,
            lambda session, access: _row_of(
                agreement_service.update(
                    session, access, agreement_id=agreement_id, expected_version=input.expected_version, data=data
                )
            ),
            audit=lambda row: {"agreementId": str(agreement_id), "version": row.version},
            then=_as_seen,
        )
        return DataSharingAgreementType.from_agreement(found)

    @strawberry.mutation(
        description="Information-governance officers: end an agreement now. Sharing by consent that needed it"
        " stops on the next request."
    )
    async def data_sharing_agreement_end(
        self, info: Info, input: DataSharingAgreementEndInput
    ) -> DataSharingAgreementType:
        agreement_id = parse_id(input.agreement_id, "agreementId")
        found = await mutate(
            info,
            lambda session, access: _row_of(
                agreement_service.end(
                    session,
                    access,
                    agreement_id=agreement_id,
                    expected_version=input.expected_version,
                    reason=input.reason,
                )
            ),
            audit=lambda row: {"agreementId": str(agreement_id)},
            then=_as_seen,
        )
        return DataSharingAgreementType.from_agreement(found)
