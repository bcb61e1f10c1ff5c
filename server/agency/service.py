from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.agency.models import Agency, AgencyKind
from server.db.versioning import update_versioned
from server.errors import Conflict, NotFound
from server.validation import required_text


async def create_agency(session: AsyncSession, *, name: str, kind: AgencyKind) -> Agency:
    name = await _free_name(session, name, None)
    agency = Agency(name=name, kind=kind)
    session.add(agency)
    try:
        await session.flush()
    except IntegrityError:  # another administrator added one of this name meanwhile
        raise Conflict(f"An agency called {name!r} already exists.") from None
    return agency


async def add_agency(session: AsyncSession, access: AccessControl, *, name: str, kind: AgencyKind) -> Agency:
    """An administrator adds an agency."""
    access.require_outside_family(Act.create, Kind.agency)
    return await create_agency(session, name=name, kind=kind)


async def update_agency(
    session: AsyncSession, access: AccessControl, *, agency_id: uuid.UUID, version: int, name: str, kind: AgencyKind
) -> Agency:
    """An administrator renames an agency or corrects its kind; CONFLICT if someone changed it since `version`."""
    access.require_outside_family(Act.update, Kind.agency)
    if await session.get(Agency, agency_id, with_for_update=True) is None:
        raise NotFound("No agency with that id.")
    name = await _free_name(session, name, agency_id)
    return await update_versioned(session, Agency, agency_id, version, {"name": name, "kind": kind}, what="agency")


async def _free_name(session: AsyncSession, raw: str, agency_id: uuid.UUID | None) -> str:
    name = required_text(raw, "name", 200)
    holder = (await session.exec(select(Agency.id).where(Agency.name == name))).first()
    if holder is not None and holder != agency_id:
        raise Conflict(f"An agency called {name!r} already exists.")
    return name


async def list_agencies(session: AsyncSession) -> list[Agency]:
    return list((await session.exec(select(Agency).order_by(Agency.name))).all())
