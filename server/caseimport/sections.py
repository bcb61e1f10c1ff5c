"""Where a later part of a family's record joins the import. A section is a key of each family in the
file (docs/IMPORT.md) that the core format does not read: its handler checks that part of each family
against the domain's rules (noting problems by row and field, like rules.py) and writes it in bulk once
the core rows are written, in the same transaction.

The services a family received are the section "services" (server/service_received/imports.py): each
entry's service by code or name, dates and quantity, checked with the services domain's own checks. A
family carrying a key no section is registered for is refused as a field the format does not have, so
nothing in a file is silently dropped."""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from server.caseimport.document import Problem
from server.caseimport.rules import FamilyRows
from server.service_received.imports import ServicesSection


class Section(Protocol):
    key: str  # the family's key in the file, e.g. "services"

    async def prepare(self, session: AsyncSession) -> None:
        """Load what checking needs (a price list, say) once per file."""

    def check(self, row: int, value: Any, family: FamilyRows, problems: list[Problem]) -> None:
        """Check one family's section (`value`, as in the file), noting problems under `key`; keep what
        writing needs."""

    @property
    def count(self) -> int:
        """How many rows check kept (the report's count, dry run or not)."""

    async def write(self, session: AsyncSession) -> int:
        """Write what check kept for every family; return how many rows."""


def registered() -> list[Section]:
    """The sections each import file may carry, beyond the core format. Each import gets fresh handlers
    (they keep per-file state)."""
    return [factory() for factory in SECTIONS]


SECTIONS: list[type[Section]] = [ServicesSection]  # add a Section class here to import a new part of the record
