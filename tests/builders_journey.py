"""Builders for the journey after closure: a family opened long ago and closed through the API (so its
follow-up checks are scheduled as a real closure schedules them)."""

from __future__ import annotations

from datetime import date, timedelta

from server.clock import utcnow
from server.db.engine import SessionFactory, unit_of_work
from server.family.models import Family


async def open_since(sessions: SessionFactory, family: Family, days: int) -> None:
    """As if the family's record had been opened `days` ago."""
    async with unit_of_work(sessions) as session:
        await session.exec(
            Family.__table__.update()
            .where(Family.__table__.c.id == family.id)
            .values(opened_at=utcnow() - timedelta(days=days))
        )


def closing(family_id, *, version: int = 1, on: date | None = None, care: str = "remained_at_home") -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "expectedVersion": version,
            "outcome": "goals_achieved",
            "careOutcome": care,
            "reason": "Attendance above 95% for a term",
            "supportContinuing": "School mentoring continues until July",
            "contactIfDifficulties": "Early Help Hub 01632 960200",
            "effectiveOn": (on or date.today()).isoformat(),
        }
    }


async def close_through_the_api(gql, family: Family, token: str, *, on: date | None = None) -> dict:
    return (await gql.data("FamilyClose", closing(family.id, on=on), token=token))["familyClose"]
