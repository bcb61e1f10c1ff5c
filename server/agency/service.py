from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.agency.models import Agency, AgencyKind
from server.errors import Conflict
from server.validation import required_text


async def create_agency(session: AsyncSession, *, name: str, kind: AgencyKind) -> Agency:
    name = required_text(name, "name", 200)
    if (await session.exec(select(Agency).where(Agency.name == name))).first() is not None:
        raise Conflict(f"An agency called {name!r} already exists.")
    agency = Agency(name=name, kind=kind)
    session.add(agency)
    await session.flush()
    return agency


async def list_agencies(session: AsyncSession) -> list[Agency]:
    return list((await session.exec(select(Agency).order_by(Agency.name))).all())
