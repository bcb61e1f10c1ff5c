"""GraphQL types that every domain's API shares (the connection convention's PageInfo is in pagination.py)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from server.access.categories import InformationCategory

InformationCategoryType = strawberry.enum(
    InformationCategory,
    name="InformationCategory",
    description="What kind of information an item holds. Consent and overrides are given per category.",
)


def pounds(pence: int) -> Decimal:
    """An amount of money as the API gives it: pounds, to the penny (GraphQL's Int stops at 2,147,483,647)."""
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))
