"""The API's one connection convention (server/pagination.py holds the keyset pages behind it). Every list
with pages is a `...Connection` of `nodes`, `pageInfo { hasNextPage endCursor }` and, where the list says
how many match, `totalCount`; its field takes `first` (1 to 100) and `after` (the previous page's
`endCursor`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import strawberry

from server.pagination import MAX_PAGE, Page

T = TypeVar("T")

First = Annotated[int, strawberry.argument(description=f"Page size, 1 to {MAX_PAGE}.")]
After = Annotated[
    str | None, strawberry.argument(description="The endCursor of the previous page; omit it for the first page.")
]


@strawberry.type(description="Where a page ends, and whether another follows.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page; null when the page is empty."
    )

    @classmethod
    def of(cls, page: Page[T], cursor: Callable[[T], str]) -> PageInfo:
        return cls(has_next_page=page.has_next, end_cursor=cursor(page.items[-1]) if page.items else None)
