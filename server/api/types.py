"""GraphQL types that every domain's API shares (the connection convention's PageInfo is in pagination.py)."""

from __future__ import annotations

import strawberry

from server.access.categories import InformationCategory

InformationCategoryType = strawberry.enum(
    InformationCategory,
    name="InformationCategory",
    description="What kind of information an item holds. Consent and overrides are given per category.",
)
