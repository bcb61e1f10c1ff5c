"""Who must know that a data-sharing agreement is about to end (server/inbox/audience.py asks)."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.events import AgreementExpiring
from server.sharing_agreement.models import DataSharingAgreement, DataSharingAgreementParty


async def expiring_parties(session: AsyncSession, event: AgreementExpiring) -> list[uuid.UUID]:
    """The parties' agencies, read when the notice is sent; none if the agreement was ended meanwhile or
    its end date moved (the notice for the new date is its own)."""
    agreement = await session.get(DataSharingAgreement, event.agreement_id)
    if agreement is None or agreement.ended_at is not None or agreement.ends_on != event.ends_on:
        return []
    statement = select(DataSharingAgreementParty.agency_id).where(
        col(DataSharingAgreementParty.agreement_id) == agreement.id
    )
    return list((await session.exec(statement)).all())
