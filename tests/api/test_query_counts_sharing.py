"""A family page with its items, their versions and authors costs the same number of statements
whether the family has 2 items or 40 (STYLE.md R23)."""

from __future__ import annotations

from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_consent, create_contribution


async def family_page_statements(gql, app, sessions, items: int) -> int:
    area = await create_area(sessions)
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education", "health"])
    for index in range(items):
        author = area.colleague if index % 2 else area.lead
        await create_contribution(
            sessions, family=area.family, author=author, category="education" if index % 3 else "health"
        )
    token = await sign_in(gql, area.lead)
    with counting(app.state.taf.engine) as statements:
        page = await gql.data("FamilyContributions", {"familyId": str(area.family.id), "first": 100}, token=token)
        await gql.data("FamilyChronology", {"familyId": str(area.family.id)}, token=token)
        await gql.data("FamilyConsents", {"familyId": str(area.family.id)}, token=token)
    assert page["family"]["contributions"]["totalCount"] == items
    return len(statements)


async def test_family_page_statements_do_not_grow_with_the_items(gql, app, sessions):
    assert await family_page_statements(gql, app, sessions, 2) == await family_page_statements(gql, app, sessions, 40)
