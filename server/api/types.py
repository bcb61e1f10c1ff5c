"""GraphQL types that every domain's API shares."""

from __future__ import annotations

import strawberry

from server.access.categories import InformationCategory

InformationCategoryType = strawberry.enum(
    InformationCategory,
    name="InformationCategory",
    description="What kind of information an item holds. Consent and overrides are given per category.",
)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")
