"""Use cases for a family's legal status and cohort: the lead professional records each change from a date;
the history is never rewritten. A change bumps the family's version, so two leads' changes from the same
reading conflict instead of one silently replacing the other. Services never commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import today
from server.errors import BadUserInput
from server.family.service import bump_version
from server.legal_status.models import LegalStatus, LegalStatusChange
from server.writes import lock_and_require

KIND = Kind.legal_status


@dataclass(frozen=True)
class StatusIn:
    legal_status: LegalStatus
    edge_of_care: bool
    effective_from: date


async def set_status(
    session: AsyncSession, access: AccessControl, *, family_id: uuid.UUID, expected_version: int, data: StatusIn
) -> LegalStatusChange:
    family = await lock_and_require(session, access, Act.update, KIND, family_id)
    if data.effective_from > today():
        raise BadUserInput("The date the status applies from cannot be in the future.", field="effectiveFrom")
    if data.effective_from < family.opened_at.date():
        raise BadUserInput("The date cannot be before the family's record was opened.", field="effectiveFrom")
    current = await _current(session, family_id)
    if current is not None:
        if data.effective_from < current.effective_from:
            raise BadUserInput(
                f"The current status applies from {current.effective_from.isoformat()}: a change comes after it.",
                field="effectiveFrom",
            )
        if (current.legal_status, current.edge_of_care) == (data.legal_status, data.edge_of_care):
            raise BadUserInput("That is the family's status already.", field="legalStatus")
    await bump_version(session, family_id, expected_version, {})
    row = LegalStatusChange(
        family_id=family_id,
        legal_status=data.legal_status,
        edge_of_care=data.edge_of_care,
        effective_from=data.effective_from,
        recorded_by_user_id=access.actor.user_id,
    )
    session.add(row)
    await session.flush()
    return row


async def history(session: AsyncSession, access: AccessControl, family_id: uuid.UUID) -> list[LegalStatusChange]:
    """Newest first: the first is the family's status now."""
    await access.require(session, Act.read, KIND, family_id)
    return list((await session.exec(_newest_first(family_id))).all())


async def _current(session: AsyncSession, family_id: uuid.UUID) -> LegalStatusChange | None:
    return (await session.exec(_newest_first(family_id).limit(1))).first()


def _newest_first(family_id: uuid.UUID):
    statement = select(LegalStatusChange).where(LegalStatusChange.family_id == family_id)
    return statement.order_by(col(LegalStatusChange.effective_from).desc(), col(LegalStatusChange.created_at).desc())
