"""Load the demo area once (`python -m server demo-data`, and `make run` on a fresh database). Development only."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.agency.models import Agency
from server.auth.passwords import hash_password
from server.db.engine import create_engine, create_session_factory, unit_of_work
from server.demo import agreements, care, journey, plan, portal, retention, sharing
from server.demo.area import AGENCIES, DEMO_PASSWORD, STAFF
from server.demo.families import FAMILIES, add_family
from server.user.models import User, UserKind

log = logging.getLogger("taf.demo")
DEMO_LOCK = 727_003


async def load_demo_data(url: str) -> bool:
    """Load the demo area once; returns False when the database already holds agencies."""
    engine = create_engine(url, pool_size=1)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            await session.exec(sa.select(sa.func.pg_advisory_xact_lock(DEMO_LOCK)))
            if (await session.exec(select(Agency).limit(1))).first() is not None:
                return False
            await _load(session)
    finally:
        await engine.dispose()
    families = len(FAMILIES) + 1  # and the Whitfield family, past its retention date (retention.py)
    log.info("loaded demo data: %d agencies, %d staff, %d families", len(AGENCIES), len(STAFF), families)
    return True


async def _load(session: AsyncSession) -> None:
    agencies = {key: Agency(name=name, kind=kind) for key, (name, kind) in AGENCIES.items()}
    session.add_all(agencies.values())
    password_hash = hash_password(DEMO_PASSWORD)
    staff = {}
    for key, agency, email, name, role, *_ in STAFF:
        staff[key] = User(
            email=email,
            display_name=name,
            kind=UserKind.staff,
            role=role,
            agency_id=agencies[agency].id,
            password_hash=password_hash,
        )
    session.add_all(staff.values())
    contacts = {row[0]: row[5:] for row in STAFF}
    await session.flush()
    families = [await add_family(session, demo, index, staff, contacts) for index, demo in enumerate(FAMILIES)]
    await agreements.load(session, agencies, staff["ig"])
    await sharing.load(session, families[0], staff)
    await plan.load(session, families, staff)
    await care.load(session, families[0], staff)
    await journey.load(session, families, staff)
    await portal.load(session, families[0], staff, password_hash)
    await retention.load(session, staff)
